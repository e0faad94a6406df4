"""The API-key check, applied to every request of a server that has a key.

Two layers with one rule (no key configured → open; missing → 401; wrong → 403):

- FastAPI's ``APIKeyHeader`` security dependency on every route: it is what
  the OpenAPI schema and ``/docs`` show, and what a route's handler relies on.
- :class:`RequireKey`, a pure ASGI gate in front of the app, so that a request
  without the key learns nothing at all: not whether a path exists (404),
  nor how its body failed to parse (FastAPI parses a body before it runs
  dependencies).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Security
from fastapi.security import APIKeyHeader

from src.plugins.hooks_web.redact import ASGIApp, Receive, Scope, Send
from src.plugins.hooks_web.settings import API_KEY_HEADER, WebSettings

MISSING = f"missing API key: send it in the {API_KEY_HEADER} header"
WRONG = "wrong API key"

api_key_header = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="Required when the Hook API has a key (always for a non-loopback host).",
)


def verdict(expected: bytes | None, given: str | None) -> tuple[int, str] | None:
    """``None`` when the request may pass; else the status and the reason."""
    if expected is None:
        return None
    if not given:
        return 401, MISSING
    if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected):
        return 403, WRONG
    return None


def key_checker(settings: WebSettings) -> Callable[[str | None], Awaitable[None]]:
    """The route dependency."""
    expected = settings.api_key.encode() if settings.api_key else None

    async def check_api_key(given: str | None = Security(api_key_header)) -> None:
        refused = verdict(expected, given)
        if refused is not None:
            headers = {"WWW-Authenticate": "APIKey"} if refused[0] == 401 else None
            raise HTTPException(refused[0], refused[1], headers=headers)

    return check_api_key


class RequireKey:
    """ASGI gate: refuse a request without the right key before routing or body parsing."""

    def __init__(self, app: ASGIApp, settings: WebSettings) -> None:
        self.app = app
        self.expected = settings.api_key.encode() if settings.api_key else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.expected is None:
            await self.app(scope, receive, send)
            return
        header = API_KEY_HEADER.lower().encode()
        given = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == header), None)
        refused = verdict(self.expected, given)
        if refused is None:
            await self.app(scope, receive, send)
            return
        status, reason = refused
        body = json.dumps({"detail": reason}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if status == 401:
            headers.append((b"www-authenticate", b"APIKey"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
