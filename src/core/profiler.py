"""Named start-up phases with timings, like ``nvim --startuptime``."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass


def _process_age_s() -> float:
    """Seconds since this process started (Linux /proc; 0.0 elsewhere)."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


@dataclass(frozen=True)
class Phase:
    name: str
    start_ms: float  # offset from process start
    duration_ms: float
    thread: str


class StartupProfiler:
    """Collects phases from any thread; offsets count from process start."""

    def __init__(self) -> None:
        self._t0 = time.perf_counter() - _process_age_s()
        self._phases: list[Phase] = []
        self._marks: dict[str, float] = {}
        self._lock = threading.Lock()

    def now_ms(self) -> float:
        """Milliseconds since the process started."""
        return (time.perf_counter() - self._t0) * 1000.0

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = self.now_ms()
        try:
            yield
        finally:
            self.add(name, start, self.now_ms() - start)

    def add(self, name: str, start_ms: float, duration_ms: float) -> None:
        phase = Phase(name, round(start_ms, 3), round(duration_ms, 3), threading.current_thread().name)
        with self._lock:
            self._phases.append(phase)

    def mark(self, name: str) -> float:
        """Record an instant (e.g. ``first_frame``) once; return its offset in ms."""
        with self._lock:
            if name not in self._marks:
                self._marks[name] = round(self.now_ms(), 3)
                # Lets an audit hook (the runtime import gate) see the mark in order with imports.
                sys.audit("sloppy.mark", name, self._marks[name])
            return self._marks[name]

    def marks(self) -> dict[str, float]:
        with self._lock:
            return dict(self._marks)

    def phases(self) -> list[Phase]:
        with self._lock:
            return sorted(self._phases, key=lambda p: p.start_ms)

    def as_dict(self) -> dict:
        return {"phases": [asdict(p) for p in self.phases()], "marks": self.marks()}
