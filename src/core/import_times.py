"""Each plugin's import time from the last run, so the next warm-up imports the quick ones first.

Plugins import one at a time (``import_queue``); in discovery order a 2.5 s
SDK could go first and keep the command palette or a theme waiting behind it.
Ordered by the import time measured last time, the small plugins are ready
within moments of the window and the total is the same. A missing or
unreadable record only means discovery order.

A plugin's import time depends on the order: the second plugin built on the
openai SDK finds it loaded and takes 0.2 ms instead of a second. So the record
keeps the highest time seen, fading by ``FADE`` a run (a plugin that got
lighter is believed after a while), not the last one.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from src.core.paths import atomic_write_text, state_dir

log = logging.getLogger(__name__)

FILE = "import_times.json"
FADE = 0.9  # how much of last run's figure a quicker import keeps


def default_path() -> Path:
    return state_dir() / FILE


def load(path: Path) -> dict[str, float]:
    """``{plugin: import ms}`` from the last run; empty if there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        log.info("ignoring the import times in %s: %s", path, e)
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def updated(record: dict[str, float], measured: dict[str, float]) -> dict[str, float]:
    """The record after a run that measured ``measured`` (plugins not measured keep their figure)."""
    return {**record, **{name: max(ms, FADE * record.get(name, 0.0)) for name, ms in measured.items()}}


def save(path: Path, times: dict[str, float]) -> None:
    """Write ``times`` (atomically); a failure is logged, never raised (pool thread)."""
    try:
        atomic_write_text(path, json.dumps({k: round(v, 1) for k, v in sorted(times.items())}, indent=1) + "\n")
    except OSError as e:
        log.warning("cannot record the plugins' import times in %s: %s", path, e)
