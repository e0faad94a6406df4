"""The GUI's side of the readiness hooks: enqueue only, the frame loop applies.

The controller calls these hooks on its writer thread. Touching imgui there
would race the render loop, so each implementation appends an event to a
queue and wakes the loop (``hello_imgui.request_refresh``); the frame loop
drains the queue once per frame.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from src.core.hookspecs import hookimpl

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadinessEvent:
    kind: str  # "ready", "failed" or "complete"
    payload: Any  # a PluginStatus snapshot, or the final WarmupStatus


class ReadinessFeed:
    """A hook subscriber registered with ``controller.register_subscriber``."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self._events: deque[ReadinessEvent] = deque()
        self._wake = wake
        self._lock = threading.Lock()

    def _push(self, event: ReadinessEvent) -> None:
        with self._lock:
            self._events.append(event)
        try:
            self._wake()
        except Exception:
            log.debug("could not wake the render loop", exc_info=True)

    @hookimpl
    def sloppy_plugin_ready(self, info: Any) -> None:
        self._push(ReadinessEvent("ready", info))

    @hookimpl
    def sloppy_plugin_failed(self, info: Any) -> None:
        self._push(ReadinessEvent("failed", info))

    @hookimpl
    def sloppy_warmup_complete(self, status: Any) -> None:
        self._push(ReadinessEvent("complete", status))

    def stop_waking(self) -> None:
        """The render loop is gone: keep queueing (harmless), wake nothing."""
        self._wake = _nothing

    def drain(self) -> list[ReadinessEvent]:
        """Every event queued since the last call, oldest first."""
        with self._lock:
            events = list(self._events)
            self._events.clear()
        return events


def _nothing() -> None:
    pass
