"""Run commands by id, waiting (visibly) for a plugin that is still loading.

A command is run on the controller's writer thread, as ``Command.run``
requires. A command that a loading plugin has declared is not an error: the
run waits for that plugin's ``sloppy_plugin_ready`` and then runs it; if the
plugin fails or is disabled instead, the run fails with the reason. Every run
is an :class:`Activity` the palette shows while it waits and for a moment
after. No imgui here.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from src.core.controller import PluginUnavailable
from src.plugins.palette.entries import declared_owner

log = logging.getLogger(__name__)

WAITING = "waiting"
DONE = "done"
FAILED = "failed"
KEEP = 20  # finished activities kept for display


@dataclass
class Activity:
    """One run of a command, from the pick to its result."""

    serial: int
    command_id: str
    title: str
    plugin: str | None
    state: str = WAITING  # WAITING (for its plugin), DONE or FAILED
    message: str = ""
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def settled(self) -> bool:
        return self.state in (DONE, FAILED)

    def text(self) -> str:
        """One line for the user."""
        if self.state == WAITING:
            return f"Waiting for plugin {self.plugin!r} to load to run “{self.title}”…"
        if self.state == FAILED:
            return f"“{self.title}” failed: {self.message}"
        return f"“{self.title}”: {self.message}" if self.message else f"Ran “{self.title}”"


class CommandRunner:
    """Runs commands on the writer; remembers recent runs for display."""

    def __init__(self, controller: Any, on_change: Callable[[], None] | None = None) -> None:
        self.controller = controller
        self._on_change = on_change  # e.g. wake the window's idle render loop
        self._lock = threading.Lock()
        self._serials = itertools.count(1)
        self._activities: list[Activity] = []
        self._futures: dict[int, cf.Future] = {}
        self._waiting: dict[str, list[int]] = {}  # plugin -> serials waiting for it

    # -- any thread ---------------------------------------------------------

    def run(self, command_id: str, title: str | None = None) -> cf.Future:
        """Run ``command_id`` soon; a future of the settled :class:`Activity`."""
        activity = Activity(next(self._serials), command_id, title or command_id, None)
        future: cf.Future = cf.Future()
        with self._lock:
            self._activities.append(activity)
            self._futures[activity.serial] = future
        self.controller.post(self._start, activity.serial)
        return future

    def activities(self) -> list[Activity]:
        """Copies of the recent runs, oldest first."""
        with self._lock:
            return [replace(a) for a in self._activities]

    def waiting_for(self) -> dict[str, int]:
        """Plugin name -> how many runs wait for it."""
        with self._lock:
            return {name: len(serials) for name, serials in self._waiting.items() if serials}

    # -- writer thread ------------------------------------------------------

    def plugin_ready(self, name: str) -> None:
        """Run what was waiting for plugin ``name``."""
        for serial in self._take_waiting(name):
            self._start(serial)

    def plugin_failed(self, name: str, error: str | None) -> None:
        for serial in self._take_waiting(name):
            self._finish(serial, FAILED, f"plugin {name!r} failed: {error or 'unknown error'}")

    def recheck_waiting(self) -> None:
        """After a warm-up settles: a plugin disabled meanwhile never announces itself; fail its runs."""
        with self._lock:
            names = [name for name, serials in self._waiting.items() if serials]
        for name in names:
            for serial in self._take_waiting(name):
                self._start(serial)

    def _start(self, serial: int) -> None:  # writer
        activity = self._get(serial)
        if activity is None:
            return
        command = self.controller.commands().get(activity.command_id)
        if command is not None:
            self._execute(serial, command)
            return
        owner = declared_owner(self.controller, activity.command_id)
        if owner is None:
            self._finish(serial, FAILED, f"no command {activity.command_id!r} is installed")
            return
        self._update(serial, plugin=owner)
        try:
            self.controller.require(owner)
        except PluginUnavailable as e:
            if e.state in ("pending", "importing"):
                with self._lock:
                    self._waiting.setdefault(owner, []).append(serial)
                log.info("command %s waits for plugin %s", activity.command_id, owner)
                self._changed()
                return
            self._finish(serial, FAILED, str(e))
            return
        self._finish(serial, FAILED, f"plugin {owner!r} is ready but did not register {activity.command_id!r}")

    def _execute(self, serial: int, command: Any) -> None:  # writer
        self._update(serial, title=str(command.title), plugin=getattr(command, "plugin", None))
        try:
            result = command.run(self.controller)
        except Exception as e:  # noqa: BLE001 - a command's failure is reported, never raised into the loop
            log.warning("command %s failed: %s", command.id, e)
            self._finish(serial, FAILED, str(e) or type(e).__name__)
            return
        self._finish(serial, DONE, result if isinstance(result, str) else "")

    # -- bookkeeping --------------------------------------------------------

    def _get(self, serial: int) -> Activity | None:
        with self._lock:
            return next((a for a in self._activities if a.serial == serial), None)

    def _update(self, serial: int, **changes: Any) -> None:
        with self._lock:
            for activity in self._activities:
                if activity.serial == serial:
                    for key, value in changes.items():
                        setattr(activity, key, value)

    def _take_waiting(self, name: str) -> list[int]:
        with self._lock:
            return self._waiting.pop(name, [])

    def _finish(self, serial: int, state: str, message: str) -> None:
        with self._lock:
            activity = next((a for a in self._activities if a.serial == serial), None)
            if activity is None:
                return
            activity.state, activity.message, activity.finished = state, message, time.monotonic()
            snapshot = replace(activity)
            future = self._futures.pop(serial, None)
            settled = [a for a in self._activities if a.settled]
            if len(settled) > KEEP:
                drop = {a.serial for a in settled[: len(settled) - KEEP]}
                self._activities = [a for a in self._activities if a.serial not in drop]
        if future is not None:
            future.set_result(snapshot)
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            try:
                self._on_change()
            except Exception:  # a display nicety must not break a run
                log.exception("on_change callback failed")
