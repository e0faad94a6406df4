"""A plugin whose import waits until the file named by SLOPPY_TEST_GATE exists (at most 20 s)."""

import os
import time
from pathlib import Path

_gate = Path(os.environ["SLOPPY_TEST_GATE"])
_deadline = time.monotonic() + 20
while not _gate.exists() and time.monotonic() < _deadline:
    time.sleep(0.02)
