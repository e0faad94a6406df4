"""Frame bookkeeping on the GUI thread: the first visible frame, frame times, screenshots."""

from __future__ import annotations

import concurrent.futures as cf
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from src.core.gui.screenshot import RawFrame, read_back_buffer

# hello_imgui renders frames 0-2 hidden and shows the window during frame 3.
FIRST_VISIBLE_SWAP = 4
KEEP_FRAMES = 600


class FrameClock:
    """Counts swaps, keeps recent frame durations and serves screenshot requests."""

    def __init__(self, profiler: Any, on_first_frame: Callable[[], None] = lambda: None) -> None:
        self._profiler = profiler
        self._on_first_frame = on_first_frame
        self.swaps = 0
        self._frame_start: float | None = None
        self._last_swap: float | None = None
        self._durations: deque[float] = deque(maxlen=KEEP_FRAMES)
        self._intervals: deque[float] = deque(maxlen=KEEP_FRAMES)
        self._lock = threading.Lock()
        self._shots: list[cf.Future] = []
        self.gui_thread: threading.Thread | None = None

    def frame_started(self) -> None:
        self.gui_thread = threading.current_thread()
        self._frame_start = time.perf_counter()

    def before_swap(self, framebuffer_size: tuple[int, int]) -> None:
        with self._lock:
            shots, self._shots = self._shots, []
        if not shots:
            return
        try:
            frame: RawFrame | BaseException = read_back_buffer(*framebuffer_size)
        except Exception as e:  # noqa: BLE001 - handed to the caller
            frame = e
        for future in shots:
            if isinstance(frame, BaseException):
                future.set_exception(frame)
            else:
                future.set_result(frame)

    def after_swap(self) -> None:
        now = time.perf_counter()
        self.swaps += 1
        if self.swaps == FIRST_VISIBLE_SWAP:
            self._profiler.mark("first_frame")
            self._on_first_frame()
        with self._lock:
            if self._frame_start is not None:
                self._durations.append((now - self._frame_start) * 1000.0)
            if self._last_swap is not None:
                self._intervals.append((now - self._last_swap) * 1000.0)
        self._last_swap = now

    def durations_ms(self) -> list[float]:
        """Recent frames' own time: from the start of the frame to the end of its swap."""
        with self._lock:
            return list(self._durations)

    def intervals_ms(self) -> list[float]:
        """Recent swap-to-swap intervals (include idling between frames)."""
        with self._lock:
            return list(self._intervals)

    def request_shot(self) -> cf.Future:
        """A future of the next presented frame's pixels (:class:`RawFrame`)."""
        future: cf.Future = cf.Future()
        with self._lock:
            self._shots.append(future)
        return future

    def cancel_shots(self, reason: str) -> None:
        with self._lock:
            shots, self._shots = self._shots, []
        for future in shots:
            future.set_exception(RuntimeError(reason))
