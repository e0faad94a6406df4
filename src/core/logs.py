"""Logging to stderr and to a rotating file in the user log folder."""

from __future__ import annotations

import logging
import logging.handlers
import time
from pathlib import Path

from src.core.paths import log_dir

LOG_FILE = "sloppy.log"
KEEP_DAYS = 14


def setup_logging(verbose: bool = False, folder: Path | None = None) -> Path | None:
    """Configure the root logger; returns the log file, or None if it cannot be written."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s")
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.INFO if verbose else logging.WARNING)
    stderr.setFormatter(logging.Formatter("sloppy: %(levelname)s: %(message)s"))
    root.addHandler(stderr)
    folder = folder or log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / LOG_FILE, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True
        )
    except OSError as e:
        root.warning("cannot write logs to %s (%s); logging to stderr only", folder, e)
        return None
    handler.setFormatter(fmt)
    root.addHandler(handler)
    return folder / LOG_FILE


def prune_old_logs(folder: Path | None = None, keep_days: float = KEEP_DAYS) -> list[Path]:
    """Delete log files older than ``keep_days``; run on the pool. Returns what was removed."""
    folder = folder or log_dir()
    cutoff = time.time() - keep_days * 86400
    removed = []
    for path in folder.glob("*.log*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
