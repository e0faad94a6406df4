"""Warm-up records: the state of each plugin and a snapshot of them all."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class State(str, Enum):
    PENDING = "pending"
    IMPORTING = "importing"
    READY = "ready"
    FAILED = "failed"
    DISABLED = "disabled"

    @property
    def settled(self) -> bool:
        return self in (State.READY, State.FAILED, State.DISABLED)


@dataclass
class PluginStatus:
    """One plugin's warm-up record. Snapshots are copies: safe to keep."""

    name: str
    kind: str
    distribution: str
    version: str
    module: str
    enabled: bool
    state: State = State.PENDING
    started_ms: float | None = None  # offset from process start
    duration_ms: float | None = None  # import + setup
    import_ms: float | None = None
    thread: str | None = None
    error: str | None = None  # why it failed
    note: str | None = None  # why it is disabled, and other remarks
    traceback: str | None = None
    attempt: int = 0

    def as_dict(self) -> dict:
        d = asdict(self)
        d["state"] = self.state.value
        return d


@dataclass
class WarmupStatus:
    plugins: list[PluginStatus] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    discovered: bool = False
    done: bool = False
    started_ms: float | None = None
    finished_ms: float | None = None

    def by_state(self, state: State) -> list[PluginStatus]:
        return [p for p in self.plugins if p.state is state]

    @property
    def enabled_count(self) -> int:
        return sum(1 for p in self.plugins if p.enabled)

    @property
    def settled_count(self) -> int:
        return sum(1 for p in self.plugins if p.enabled and p.state in (State.READY, State.FAILED))

    def summary(self) -> dict:
        """``{pending, importing, completed, failed, disabled}`` lists of names, plus timings."""
        return {
            "discovered": self.discovered,
            "done": self.done,
            "pending": [p.name for p in self.by_state(State.PENDING)],
            "importing": [p.name for p in self.by_state(State.IMPORTING)],
            "completed": [p.name for p in self.by_state(State.READY)],
            "failed": [p.name for p in self.by_state(State.FAILED)],
            "disabled": [p.name for p in self.by_state(State.DISABLED)],
            "conflicts": list(self.conflicts),
            "started_ms": self.started_ms,
            "finished_ms": self.finished_ms,
        }

    def as_dict(self) -> dict:
        return {**self.summary(), "plugins": [p.as_dict() for p in self.plugins]}
