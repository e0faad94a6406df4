"""NERV theme (thin until the themes issue lands)."""

import numpy  # noqa: F401
