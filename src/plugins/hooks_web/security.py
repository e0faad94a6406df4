"""The API-key check applied to every Hook API route (FastAPI's ``APIKeyHeader``)."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Security
from fastapi.security import APIKeyHeader

from src.plugins.hooks_web.settings import API_KEY_HEADER, WebSettings

api_key_header = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="Required when the Hook API has a key (always for a non-loopback host).",
)


def key_checker(settings: WebSettings) -> Callable[[str | None], Awaitable[None]]:
    """A dependency: no key configured → open; missing key → 401; wrong key → 403."""
    expected = settings.api_key.encode() if settings.api_key else None

    async def check_api_key(given: str | None = Security(api_key_header)) -> None:
        if expected is None:
            return
        if not given:
            raise HTTPException(
                401, f"missing API key: send it in the {API_KEY_HEADER} header", headers={"WWW-Authenticate": "APIKey"}
            )
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected):
            raise HTTPException(403, "wrong API key")

    return check_api_key
