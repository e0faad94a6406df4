"""What a provider plugin contributes, and what the chat flow hands it.

Lean on purpose: the GUI and the Hook API work with these types without
importing any SDK.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class ChatMessage:
    role: str  # "user" or "assistant"
    content: str


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: tuple[ChatMessage, ...]
    system: str = ""
    max_tokens: int = 4096


class ErrorKind(str, Enum):
    MISSING_KEY = "missing_key"
    AUTH = "auth"  # wrong key (401/403)
    RATE_LIMIT = "rate_limit"  # 429, after bounded retries
    SERVER = "server"  # 5xx
    CONNECTION = "connection"  # refused, DNS, reset before any answer
    TIMEOUT = "timeout"  # no data within the read timeout
    CUT_OFF = "cut_off"  # the stream ended before the answer did
    MALFORMED = "malformed"  # a body that does not follow the protocol
    BAD_REQUEST = "bad_request"  # 400/404/422: unknown model, bad parameters
    OTHER = "other"


@dataclass
class ProviderError(Exception):
    """A failure a user can act on; ``str()`` is the message shown in the discussion."""

    kind: ErrorKind
    message: str
    provider: str = ""
    status: int | None = None

    def __str__(self) -> str:
        prefix = f"{self.provider}: " if self.provider else ""
        return f"{prefix}{self.message}"


@dataclass
class KeyStatus:
    present: bool
    source: str  # the env var name it came from, or the one(s) it would come from

    def label(self) -> str:
        return f"key set ({self.source})" if self.present else f"key missing (set {self.source})"


@runtime_checkable
class Provider(Protocol):
    """A model provider contributed through ``sloppy_register_providers``."""

    name: str
    label: str
    models: list[str]
    default_model: str

    def key_status(self) -> KeyStatus:
        """Whether an API key is configured; never the key itself."""
        ...

    def stream(self, request: ChatRequest) -> AsyncIterator[str]:
        """Yield the answer's text deltas as they arrive (runs on the asyncio worker).

        Raise :class:`ProviderError` for failures. Cancelling the task that
        iterates must close the connection promptly.
        """
        ...


@dataclass
class ProviderSettings:
    """A provider's settings from the config's ``[providers.<name>]`` table and the environment."""

    api_key_env: list[str] = field(default_factory=list)
    base_url: str | None = None
    model: str | None = None
    timeout_s: float = 60.0
    max_retries: int = 2
