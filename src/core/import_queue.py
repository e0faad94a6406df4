"""One plugin import at a time, queued on the writer.

Why: plugin imports are CPU-bound Python that holds the GIL. The GUI thread
takes the GIL back after each native stretch of a frame (events, rendering,
swapping); with several import threads runnable, the thread that gets the
GIL after the forced switch is often another importer, and the frame waits
another switch interval. With one importer at a time the GUI thread wins the
hand-offs it asks for: warm-up frames p99 and max 0.6–0.85× those of parallel
imports, and the warm-up is no longer (docs/PERFORMANCE.md).

The queue lives on the writer and hands the pool one import at a time, so
the pool's other threads stay free for the user's work during the warm-up
(a click never queues behind the imports). Each import holds its turn as a
lease: one that runs past ``lease_s`` (it hangs, or waits on the network)
no longer holds up the next, which starts beside it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from typing import Any


class ImportQueue:
    """Writer thread only (``close`` excepted): starts imports one at a time, in the order added."""

    def __init__(
        self,
        start: Callable[[Hashable, Any], None],
        wanted: Callable[[Hashable], bool],
        call_later: Callable[..., Any],
        lease_s: float,
    ) -> None:
        self._start = start  # submits the import job for (key, item)
        self._wanted = wanted  # False for an entry superseded while it waited (disabled, retried…)
        self._call_later = call_later  # the writer loop's call_later(delay, fn, *args)
        self.lease_s = lease_s
        self._waiting: deque[tuple[Hashable, Any]] = deque()
        self.current: Hashable | None = None
        self.closed = False

    def add(self, key: Hashable, item: Any) -> None:
        self._waiting.append((key, item))
        self._pump()

    def finished(self, key: Hashable) -> None:
        """``key``'s import ended, or its lease ran out: the next one may start."""
        if self.current == key:
            self.current = None
            self._pump()

    def close(self) -> None:
        """Start nothing more (shutdown; any thread)."""
        self.closed = True

    def waiting(self) -> int:
        return len(self._waiting)

    def _pump(self) -> None:
        while self.current is None and self._waiting and not self.closed:
            key, item = self._waiting.popleft()
            if not self._wanted(key):
                continue
            if self.lease_s > 0:
                self.current = key
                self._call_later(self.lease_s, self.finished, key)
            self._start(key, item)
