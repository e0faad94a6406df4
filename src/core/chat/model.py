"""Immutable records of a discussion: messages and the session snapshot."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


class MessageState:
    """Where a message stands. Plain strings so snapshots serialise as they are."""

    DONE = "done"
    STREAMING = "streaming"
    CANCELLED = "cancelled"
    ERROR = "error"
    CUT_OFF = "cut_off"

    ALL = frozenset({DONE, STREAMING, CANCELLED, ERROR, CUT_OFF})
    # Answers (possibly partial) that are sent back to the model as history.
    KEPT_IN_HISTORY = frozenset({DONE, CANCELLED, CUT_OFF})


@dataclass(frozen=True)
class Message:
    """One turn of the discussion.

    ``provider`` and ``model`` name what produced an assistant answer (for a
    user message: where it was sent). ``context`` lists the context files that
    were sent with a user message. ``error`` says what went wrong for states
    ``error``, ``cut_off`` and ``cancelled``.
    """

    role: str  # "user" or "assistant"
    content: str
    provider: str = ""
    model: str = ""
    created: float = 0.0  # epoch seconds
    state: str = MessageState.DONE
    error: str | None = None
    context: tuple[str, ...] = ()
    persona: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["context"] = list(self.context)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        """Build from stored JSON; raises ``ValueError`` on a record of the wrong shape."""
        if not isinstance(data, dict):
            raise ValueError("a message must be an object")  # noqa: TRY004 - bad data, reported as such
        role, content = data.get("role"), data.get("content")
        if role not in ("user", "assistant") or not isinstance(content, str):
            raise ValueError("a message needs role 'user' or 'assistant' and text content")
        state = data.get("state", MessageState.DONE)
        if state not in MessageState.ALL:
            raise ValueError(f"unknown message state {state!r}")
        created = data.get("created", 0.0)
        context = data.get("context", [])
        error = data.get("error")
        return cls(
            role=role,
            content=content,
            provider=str(data.get("provider") or ""),
            model=str(data.get("model") or ""),
            created=float(created) if isinstance(created, (int, float)) else 0.0,
            state=state,
            error=str(error) if error is not None else None,
            context=tuple(str(p) for p in context) if isinstance(context, list) else (),
            persona=str(data.get("persona") or ""),
        )


@dataclass(frozen=True)
class ChatSnapshot:
    """A consistent, immutable view of the session; a new one on every change.

    ``context`` holds ``(path, chars)`` pairs, paths relative to the project
    folder when inside it. ``notice`` is the latest problem worth showing
    that is not part of the discussion (a refused send, an unreadable
    discussion file set aside). ``version`` bumps on every change.
    """

    messages: tuple[Message, ...] = ()
    context: tuple[tuple[str, int], ...] = ()
    provider: str | None = None
    model: str | None = None
    persona: str = "default"
    busy: bool = False
    version: int = 0
    notice: str = ""
    project: str = ""
    loaded: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (for the Hook API and tests)."""
        return {
            "messages": [m.to_dict() for m in self.messages],
            "context": [{"path": path, "chars": chars} for path, chars in self.context],
            "provider": self.provider,
            "model": self.model,
            "persona": self.persona,
            "busy": self.busy,
            "version": self.version,
            "notice": self.notice,
            "project": self.project,
            "loaded": self.loaded,
        }

    @property
    def last_answer(self) -> Message | None:
        return next((m for m in reversed(self.messages) if m.role == "assistant"), None)
