"""The status-bar indicator's state: warming, ready or failed. No imgui here.

Fed once per frame with the controller's warm-up snapshot; remembers the
labels it went through (``history``) so tests and the Diagnostics panel can
tell the order of states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from src.core.warmup import State, WarmupStatus


class Phase(str, Enum):
    DISCOVERING = "discovering"
    WARMING = "warming"
    READY = "ready"
    FAILED = "failed"


@dataclass
class Indicator:
    phase: Phase = Phase.DISCOVERING
    settled: int = 0
    total: int = 0
    failed: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.phase is Phase.DISCOVERING:
            return "Warming up…"
        if self.phase is Phase.WARMING:
            return f"Warming up… ({self.settled}/{self.total})"
        if self.phase is Phase.FAILED:
            return f"{len(self.failed)} failed"
        return "All plugins ready"

    def update(self, status: WarmupStatus) -> bool:
        """Take a new snapshot; True when the label changed."""
        failed = [p.name for p in status.by_state(State.FAILED) if p.enabled]
        self.total = status.enabled_count
        self.settled = status.settled_count
        self.failed = failed
        if not status.discovered:
            self.phase = Phase.DISCOVERING
        elif not status.done:
            self.phase = Phase.WARMING
        else:
            self.phase = Phase.FAILED if failed else Phase.READY
        label = self.label
        if not self.history or self.history[-1] != label:
            self.history.append(label)
            return True
        return False


def completion_message(status: WarmupStatus, previous_finished_ms: float | None = None) -> tuple[str, bool]:
    """The toast for a finished warm-up: ``(text, ok)``.

    ``previous_finished_ms`` is when the previous round ended (None for the start-up warm-up): a later
    round (a plugin enabled, retried or reloaded) is timed from its own start and names what it warmed.
    """
    ready = status.by_state(State.READY)
    failed = [p for p in status.by_state(State.FAILED) if p.enabled]
    started = status.started_ms
    this_round: list[str] = []
    if previous_finished_ms is not None:
        rewarmed = [p for p in status.plugins if p.started_ms is not None and p.started_ms >= previous_finished_ms]
        this_round = sorted(p.name for p in rewarmed)
        started = min((p.started_ms for p in rewarmed), default=status.finished_ms)
    seconds = 0.0
    if started is not None and status.finished_ms is not None:
        seconds = max(0.0, (status.finished_ms - started) / 1000.0)
    if not failed:
        if previous_finished_ms is not None:
            what = ", ".join(this_round) or "nothing new"
            return f"All plugins ready — {what} warmed in {seconds:.1f} s", True
        noun = "plugin" if len(ready) == 1 else "plugins"
        return f"All plugins ready — {len(ready)} {noun} in {seconds:.1f} s", True
    names = ", ".join(p.name for p in failed)
    return f"{len(failed)} of {len(ready) + len(failed)} plugins failed: {names} (see Plugins)", False
