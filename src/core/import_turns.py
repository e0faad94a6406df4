"""One plugin import at a time, with a way out for an import that hangs.

Why: plugin imports are CPU-bound Python that holds the GIL. The GUI thread
takes the GIL back at each Python callback of a frame; with several import
threads runnable, the one that gets the GIL after a forced switch is often
another importer, and the frame waits another switch interval. With one
importer at a time the GUI thread wins each hand-off it asks for. Measured in
docs/PERFORMANCE.md: warm-up frames p99 and max about 0.7x, the warm-up no
longer. Set-up, registration and everything else on the pool stay parallel.

A turn is a lease: an import that has held it for ``lease_s`` (one that hangs,
or sleeps on the network) no longer keeps the others waiting; the next one
starts beside it, and the old holder's release is then a no-op.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Iterator
from contextlib import contextmanager


class TurnsClosed(RuntimeError):
    """The app is shutting down: no more imports."""


class ImportTurns:
    def __init__(self, lease_s: float = 3.0) -> None:
        self.lease_s = lease_s
        self._cond = threading.Condition()
        self._holder: Hashable | None = None
        self._since = 0.0  # when the holder took the turn (monotonic)
        self._closed = False

    @contextmanager
    def turn(self, key: Hashable) -> Iterator[None]:
        """Wait for the turn, hold it for the ``with`` block; raises :class:`TurnsClosed` once closed."""
        with self._cond:
            while self._holder is not None and not self._closed:
                left = self._since + self.lease_s - time.monotonic()
                if left <= 0:
                    break  # the holder's lease ran out: go on beside it
                self._cond.wait(left)
            if self._closed:
                raise TurnsClosed("the app is shutting down")
            self._holder, self._since = key, time.monotonic()
        try:
            yield
        finally:
            self.give_up(key)

    def give_up(self, key: Hashable) -> None:
        """End ``key``'s turn if it still holds it (any thread)."""
        with self._cond:
            if self._holder == key:
                self._holder = None
                self._cond.notify()

    @property
    def holder(self) -> Hashable | None:
        with self._cond:
            return self._holder

    def close(self) -> None:
        """Wake every waiter with :class:`TurnsClosed` (shutdown)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
