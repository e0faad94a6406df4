#!/usr/bin/env python3
"""Run a Python script with an audit hook that records every import and its thread.

    python scripts/import_probe.py EVENTS.jsonl sloppy.py --headless ...

Each line of EVENTS.jsonl is a JSON object, written as it happens (so a
process that ends with ``os._exit`` or a signal still leaves its record):

- ``{"event": "import", "module": ..., "thread": ..., "main": bool, "t_ms": ...}``
  for every module the interpreter loads (CPython raises the ``import`` audit
  event only for a module not yet in ``sys.modules``, on the loading thread);
- ``{"event": "thread_start", "thread": ..., "by": ...}`` when a thread starts
  (Python 3.11 raises no audit event for that, so ``Thread.start`` is wrapped
  to report it; nothing else about the thread changes);
- ``{"event": "mark", "name": ...}`` for each ``StartupProfiler.mark`` (the
  profiler raises the ``sloppy.mark`` audit event), e.g. ``first_frame``;
- ``{"event": "modules", "loaded": [...]}`` right after each thread start and
  mark: what ``sys.modules`` holds then. An ``import`` event is raised before
  the module is searched for, so an attempt that fails (``org.python.core``,
  which ``copy`` tries for Jython) is told apart from a load by this list.

The hook is installed before the script runs; modules loaded by the
interpreter's own start-up (``site``) are already in ``sys.modules`` and are
not reported. ``purity.analyse_events`` turns the record into verdicts.
"""

from __future__ import annotations

import json
import runpy
import sys
import threading
import time
from pathlib import Path


def install(events_path: Path) -> None:
    """Start recording import, thread-start and mark events into ``events_path``."""
    out = open(events_path, "w", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    main = threading.main_thread()
    t0 = time.perf_counter()
    lock = threading.Lock()

    def write(record: dict) -> None:
        record["t_ms"] = round((time.perf_counter() - t0) * 1000, 3)
        line = json.dumps(record)
        with lock:
            out.write(line + "\n")

    def snapshot() -> None:
        write({"event": "modules", "loaded": sorted(sys.modules)})

    def hook(event: str, args: tuple) -> None:
        if event == "import":
            thread = threading.current_thread()
            write({"event": "import", "module": args[0], "thread": thread.name, "main": thread is main})
        elif event == "sloppy.mark":
            write({"event": "mark", "name": args[0], "thread": threading.current_thread().name})
            snapshot()

    original_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        write({"event": "thread_start", "thread": thread.name, "by": threading.current_thread().name})
        snapshot()
        original_start(thread)

    threading.Thread.start = start
    sys.addaudithook(hook)


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit("usage: import_probe.py EVENTS.jsonl SCRIPT [ARGS...]")
    events, script, *args = sys.argv[1:]
    script_path = Path(script).resolve()
    sys.argv = [str(script_path), *args]
    sys.path[0] = str(script_path.parent)
    install(Path(events))
    runpy.run_path(str(script_path), run_name="__main__")


if __name__ == "__main__":
    main()
