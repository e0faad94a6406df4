#!/usr/bin/env python3
"""Install N no-op Sloppy plugins as real distributions into a folder for PYTHONPATH.

    python scripts/make_noop_plugins.py /tmp/noop --count 100
    PYTHONPATH=/tmp/noop python sloppy.py ...

Each plugin is its own distribution, the way pip would install it: a module
``sloppy_noop_NNN.py`` and ``sloppy_noop_NNN-0.1.0.dist-info/`` with
``METADATA``, ``entry_points.txt`` (groups ``sloppy.plugins`` and
``sloppy.kinds``) and ``RECORD``. The module implements one hook that does
nothing, so each plugin goes through the whole warm-up: import, registration
with pluggy, set-up, contributions.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

MODULE = '''"""No-op plugin {n} for the scale benchmark (scripts/make_noop_plugins.py)."""

from src.core import hookimpl


@hookimpl
def sloppy_plugin_setup(controller):
    """Nothing to set up."""
'''


def make_plugins(folder: Path, count: int) -> list[str]:
    """Write ``count`` distributions into ``folder`` (emptied first); returns the plugin names."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    names = []
    for i in range(count):
        name = f"sloppy_noop_{i:03d}"
        dist = f"sloppy-noop-{i:03d}"
        (folder / f"{name}.py").write_text(MODULE.format(n=i), encoding="utf-8")
        info = folder / f"{name}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(
            f"[sloppy.plugins]\n{name} = {name}\n\n[sloppy.kinds]\n{name} = plugin\n", encoding="utf-8"
        )
        (info / "RECORD").write_text(
            f"{name}.py,,\n{info.name}/METADATA,,\n{info.name}/entry_points.txt,,\n{info.name}/RECORD,,\n",
            encoding="utf-8",
        )
        names.append(name)
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    names = make_plugins(args.folder, args.count)
    print(f"{len(names)} plugins in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
