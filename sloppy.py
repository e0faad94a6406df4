"""Sloppy: a desktop AI client. Run with ``uv run sloppy.py``."""

import sys

from src.core.cli import main

if __name__ == "__main__":
    sys.exit(main())
