"""The discussion file: ``<project>/.sloppy/discussion.json``, written atomically.

Writes are ordered: each save carries a sequence number and an older save that
arrives late never overwrites a newer one. A file that cannot be read is moved
aside (``discussion.json.unreadable-<time>``), never overwritten, and the
problem is reported.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from src.core.chat.model import Message, MessageState
from src.core.paths import atomic_write_text

FORMAT = 1
FOLDER = ".sloppy"
FILENAME = "discussion.json"


@dataclass
class StoredDiscussion:
    messages: list[Message] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    provider: str | None = None
    model: str | None = None
    persona: str | None = None


def discussion_path(project: Path) -> Path:
    return project / FOLDER / FILENAME


def dumps(d: StoredDiscussion) -> str:
    data = {
        "format": FORMAT,
        "provider": d.provider,
        "model": d.model,
        "persona": d.persona,
        "context": list(d.context),
        "messages": [m.to_dict() for m in d.messages],
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def loads(text: str) -> StoredDiscussion:
    """Parse a discussion file; ``ValueError`` saying what is wrong with it."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("messages", []), list):
        raise ValueError("not a discussion (expected an object with a list of messages)")  # noqa: TRY004
    if data.get("format", FORMAT) != FORMAT:
        raise ValueError(f"written in format {data.get('format')!r}, which this version does not read")
    messages = []
    for i, raw in enumerate(data.get("messages", [])):
        try:
            message = Message.from_dict(raw)
        except (ValueError, TypeError) as e:
            raise ValueError(f"message {i + 1}: {e}") from None
        if message.state == MessageState.STREAMING:
            # The app stopped while this answer streamed: keep what arrived.
            message = _interrupted(message)
        messages.append(message)
    context = [str(p) for p in data.get("context", []) if isinstance(p, str)]

    def text_or_none(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) and value else None

    return StoredDiscussion(messages, context, text_or_none("provider"), text_or_none("model"), text_or_none("persona"))


def _interrupted(message: Message) -> Message:
    return replace(message, state=MessageState.CUT_OFF, error="the app closed before this answer finished")


class DiscussionStore:
    """Reads and writes one project's discussion file."""

    def __init__(self, project: Path) -> None:
        self.path = discussion_path(project)
        self._lock = threading.Lock()
        self._written_seq = 0
        self.blocked: str | None = None  # why saving is refused (e.g. the folder is read-only)

    def load(self) -> tuple[StoredDiscussion, str | None]:
        """The stored discussion (empty if none) and a problem to report, if any."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return StoredDiscussion(), None
        except (OSError, UnicodeDecodeError) as e:
            return StoredDiscussion(), self._set_aside(f"cannot read {self.path} ({e})")
        try:
            return loads(text), None
        except ValueError as e:
            return StoredDiscussion(), self._set_aside(f"{self.path} is unreadable: {e}")

    def _set_aside(self, problem: str) -> str:
        aside = self.path.with_name(f"{FILENAME}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            self.path.rename(aside)
        except OSError as e:
            self.blocked = f"{problem}; it could not be moved aside ({e}), so it is left untouched"
            return self.blocked + " and this discussion will not be saved"
        return f"{problem}; it was moved to {aside.name} and a new discussion started"

    @property
    def written_seq(self) -> int:
        """The sequence number of the last save that reached the disk (0: none yet)."""
        with self._lock:
            return self._written_seq

    def save(self, seq: int, text: str) -> str | None:
        """Write ``text`` unless a newer save already landed; a problem message, or None."""
        if self.blocked:
            return self.blocked
        with self._lock:
            if seq <= self._written_seq:
                return None
            try:
                atomic_write_text(self.path, text)
            except OSError as e:
                return f"cannot save the discussion to {self.path}: {e}"
            self._written_seq = seq
        return None
