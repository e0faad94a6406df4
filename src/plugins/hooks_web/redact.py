"""Keep secrets out of every Hook API response. Standard library only.

The endpoints never put a key in what they return, but error messages and
tracebacks come from SDKs and plugins, and a plugin's own routes are not ours.
So the last step before bytes leave the process is a pure ASGI middleware
that replaces any secret value found in a text or JSON body with ``[redacted]``.

Secrets are the Hook API's own key and the values of environment variables
whose names look like credentials (``*_API_KEY``, ``*_TOKEN``, ``*_SECRET``…),
plus any variable a provider's ``api_key_env`` setting names. Values shorter
than :data:`MIN_SECRET_LEN` are not searched for (they would match ordinary text).
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

MIN_SECRET_LEN = 6
REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$|^SLOPPY_API_KEY", re.IGNORECASE)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def secret_values(extra: Iterable[str | None] = (), env_names: Iterable[str] = ()) -> list[str]:
    """The secret strings to keep out of responses, longest first."""
    names = {n for n in os.environ if _SECRET_NAME.search(n)} | set(env_names)
    values = {os.environ.get(n) or "" for n in names} | {v or "" for v in extra}
    return sorted((v for v in values if len(v) >= MIN_SECRET_LEN), key=len, reverse=True)


def redact(data: bytes, secrets: Iterable[str]) -> bytes:
    """``data`` with every occurrence of each secret (raw or JSON-escaped) replaced."""
    for secret in secrets:
        for form in {secret.encode(), secret.encode("unicode_escape"), _json_escaped(secret)}:
            if form and form in data:
                data = data.replace(form, REDACTED.encode())
    return data


def _json_escaped(secret: str) -> bytes:
    out = secret.replace("\\", "\\\\").replace('"', '\\"')
    return out.encode("ascii", "backslashreplace")


class RedactSecrets:
    """ASGI middleware: buffer text and JSON responses, redact, send with a fixed length."""

    def __init__(self, app: ASGIApp, secrets: Callable[[], list[str]]) -> None:
        self.app = app
        self.secrets = secrets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def guarded_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if _is_text(message.get("headers", [])):
                    start = message
                    return
                await send(message)
                return
            if message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = redact(b"".join(chunks), self.secrets())
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body, "more_body": False})
                start = None
                return
            await send(message)

        await self.app(scope, receive, guarded_send)


def _is_text(headers: list[tuple[bytes, bytes]]) -> bool:
    for key, value in headers:
        if key.lower() == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind.startswith(b"text/") or kind.endswith(b"json")
    return False
