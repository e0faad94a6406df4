"""Shared plumbing for the built-in providers: settings, keys, retries and error messages.

Imports only the standard library and the core; each provider module imports
its own SDK. A provider subclasses :class:`ProviderBase`, builds its SDK
client in :meth:`ProviderBase.build_client` (on the pool, during warm-up or
after the key changed) and streams one attempt in :meth:`ProviderBase.attempt`,
raising :class:`ProviderError`. The base class adds what every provider
needs: the key check, bounded retries before the first word of an answer,
and keys scrubbed from every message.

Settings, from the config's ``[providers.<name>]`` table and the environment:

- ``api_key_env``: the variable(s) holding the key (a name or a list of names).
- ``base_url``: the server to talk to; ``SLOPPY_<NAME>_BASE_URL`` overrides it.
- ``model`` (the default model) and ``models`` (extra names to offer).
- ``timeout_s`` (per read, default 60), ``connect_timeout_s`` (default 10),
  ``max_retries`` (default 2), ``retry_max_wait_s`` (the longest pause between
  attempts, honouring ``Retry-After`` up to it; default 8).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import os
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from src.core import hookimpl
from src.core.providers import ChatRequest, ErrorKind, KeyStatus, ProviderError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_CONNECT_TIMEOUT_S = 10.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_RETRY_MAX_WAIT_S = 8.0
RETRY_BASE_S = 0.5
RETRYABLE = frozenset({ErrorKind.RATE_LIMIT, ErrorKind.SERVER, ErrorKind.CONNECTION, ErrorKind.TIMEOUT})
MAX_DETAIL = 300


@dataclass(frozen=True)
class Settings:
    """A provider's effective settings (defaults, then config, then environment)."""

    name: str
    key_env: tuple[str, ...]
    base_url: str
    models: tuple[str, ...]
    default_model: str
    timeout_s: float = DEFAULT_TIMEOUT_S
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    max_retries: int = DEFAULT_MAX_RETRIES
    retry_max_wait_s: float = DEFAULT_RETRY_MAX_WAIT_S


def base_url_env(name: str) -> str:
    """The environment variable that overrides a provider's base URL: ``SLOPPY_<NAME>_BASE_URL``."""
    return f"SLOPPY_{name.upper()}_BASE_URL"


def load_settings(
    config: Any, name: str, *, key_env: tuple[str, ...], base_url: str, models: tuple[str, ...], default_model: str
) -> Settings:
    table = config.provider_settings(name)

    def number(key: str, default: float, kind: type = float) -> Any:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            log.warning("providers.%s.%s must be a non-negative number; using %s", name, key, default)
            return kind(default)
        return kind(value)

    env = table.get("api_key_env", key_env)
    env_names = (env,) if isinstance(env, str) else tuple(str(e) for e in env) if isinstance(env, list) else key_env
    extra = (
        [str(m) for m in table.get("models", []) if isinstance(m, str)] if isinstance(table.get("models"), list) else []
    )
    default = str(table.get("model") or default_model)
    all_models = tuple(dict.fromkeys([default, *models, *extra]))
    url = os.environ.get(base_url_env(name), "").strip() or str(table.get("base_url") or base_url)
    return Settings(
        name=name,
        key_env=env_names or key_env,
        base_url=url.rstrip("/"),
        models=all_models,
        default_model=default,
        timeout_s=number("timeout_s", DEFAULT_TIMEOUT_S),
        connect_timeout_s=number("connect_timeout_s", DEFAULT_CONNECT_TIMEOUT_S),
        max_retries=number("max_retries", DEFAULT_MAX_RETRIES, int),
        retry_max_wait_s=number("retry_max_wait_s", DEFAULT_RETRY_MAX_WAIT_S),
    )


def find_key(env_names: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The first non-empty key among ``env_names`` and the variable it came from."""
    for var in env_names:
        value = os.environ.get(var, "").strip()
        if value:
            return value, var
    return None, None


def retry_after_s(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (a number or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def detail(text: Any) -> str:
    """A server's message, shortened for the discussion."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def sdk_error_message(e: Any) -> str:
    """The server's own message from an SDK status error (``{"error": {"message": …}}``), else the SDK's."""
    body = getattr(e, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return str(getattr(e, "message", "") or e)


def cause_text(e: BaseException) -> str:
    """What lies under an SDK's connection error (the transport's exception), as text."""
    cause = e.__cause__ or e.__context__
    return str(cause or e) or type(cause or e).__name__


def status_error(name: str, status: int, message: str, retry_after: str | None = None) -> ProviderError:
    """The ``ProviderError`` for an HTTP error status, with a message saying what to do next."""
    msg = detail(message)
    if status in (401, 403):
        # Not echoing the server's text: some services quote part of the key back.
        kind, text = ErrorKind.AUTH, f"the API key was rejected (HTTP {status})"
    elif status == 429:
        kind, text = ErrorKind.RATE_LIMIT, f"rate limited (HTTP 429): {msg or 'too many requests'}; wait a little"
    elif status >= 500:
        kind, text = ErrorKind.SERVER, f"the server failed (HTTP {status}): {msg or 'no details'}; try again later"
    elif status in (400, 404, 409, 413, 422):
        kind, text = ErrorKind.BAD_REQUEST, f"the request was refused (HTTP {status}): {msg or 'no details'}"
    else:
        kind, text = ErrorKind.OTHER, f"unexpected answer (HTTP {status}): {msg or 'no details'}"
    error = ProviderError(kind, text, name, status)
    error.retry_after = retry_after_s(retry_after)  # type: ignore[attr-defined]
    return error


def connection_error(name: str, base_url: str, reason: Any) -> ProviderError:
    return ProviderError(
        ErrorKind.CONNECTION,
        f"cannot connect to {base_url} ({detail(reason) or 'connection failed'}); check the network or base_url",
        name,
    )


def timeout_error(name: str, base_url: str, seconds: float) -> ProviderError:
    return ProviderError(
        ErrorKind.TIMEOUT,
        f"no answer from {base_url} within {seconds:g} s (read timeout); try again, or raise timeout_s",
        name,
    )


def cut_off_error(name: str, reason: str = "") -> ProviderError:
    why = f" ({detail(reason)})" if reason else ""
    return ProviderError(ErrorKind.CUT_OFF, f"the answer was cut off: the stream ended before it finished{why}", name)


def malformed_error(name: str, protocol: str, reason: Any) -> ProviderError:
    return ProviderError(
        ErrorKind.MALFORMED, f"the server's answer does not follow the {protocol} protocol: {detail(reason)}", name
    )


class ProviderBase:
    """A provider with an SDK client built on the pool, bounded retries and scrubbed errors."""

    label = ""
    protocol = ""

    def __init__(self, controller: Any, settings: Settings) -> None:
        self.name = settings.name
        self.models = list(settings.models)
        self.default_model = settings.default_model
        self.settings = settings
        self._controller = controller
        self._client: Any = None
        self._client_key: str | None = None

    def __repr__(self) -> str:  # never the key
        return f"<{type(self).__name__} {self.name} {self.settings.base_url}>"

    # -- to implement --
    def build_client(self, key: str) -> Any:
        """Build the SDK client for ``key`` (runs on the pool; may be slow)."""
        raise NotImplementedError

    def attempt(self, client: Any, request: ChatRequest) -> AsyncIterator[str]:
        """One streaming call: yield text deltas, raise ``ProviderError``."""
        raise NotImplementedError

    def close_client(self, client: Any) -> None:
        """Release the client's connections (writer thread, at shutdown)."""

    def warm_client(self, client: Any) -> None:
        """Touch what the SDK loads lazily on a first request (runs on the pool after building)."""

    # -- the Provider protocol --
    def key_status(self) -> KeyStatus:
        key, var = find_key(self.settings.key_env)
        return KeyStatus(present=key is not None, source=var or " or ".join(self.settings.key_env))

    def prepare(self) -> None:
        """Build the client now if a key is set (pool, during warm-up)."""
        key, _ = find_key(self.settings.key_env)
        if key:
            client = self.build_client(key)
            self.warm_client(client)
            self._client, self._client_key = client, key

    def _build_warm(self, key: str) -> Any:
        client = self.build_client(key)
        self.warm_client(client)
        return client

    async def _client_for(self, key: str) -> Any:
        if self._client is None or key != self._client_key:
            # The key changed (or appeared) since warm-up: rebuild on the pool, not here.
            client = await asyncio.wrap_future(self._controller.submit_io(self._build_warm, key))
            old, self._client, self._client_key = self._client, client, key
            if old is not None:
                self.close_client(old)
        return self._client

    async def stream(self, request: ChatRequest) -> AsyncIterator[str]:
        key, var = find_key(self.settings.key_env)
        if not key:
            raise ProviderError(
                ErrorKind.MISSING_KEY,
                f"no API key: set {' or '.join(self.settings.key_env)} "
                f"(or name another variable in the config: [providers.{self.name}] api_key_env)",
                self.name,
            )
        client = await self._client_for(key)
        attempt = 0
        while True:
            yielded = False
            try:
                async for delta in self.attempt(client, request):
                    yielded = True
                    yield delta
                return
            except ProviderError as e:
                e.provider = e.provider or self.name
                e.message = e.message.replace(key, "***") if len(key) >= 4 else e.message
                if e.kind is ErrorKind.AUTH and "check " not in e.message:
                    e.message += f"; check the key in {var}"
                if yielded and e.kind is not ErrorKind.CUT_OFF:
                    # Whatever failed after the first words, the user holds a partial answer.
                    e.kind, e.message = ErrorKind.CUT_OFF, f"the answer was cut off: {e.message}"
                if yielded or e.kind not in RETRYABLE or attempt >= self.settings.max_retries:
                    if attempt:
                        e.message += f" (gave up after {attempt + 1} attempts)"
                    raise
                delay = self.retry_delay(attempt, getattr(e, "retry_after", None))
                log.info("%s: %s; retrying in %.1f s", self.name, e.kind.value, delay)
                await asyncio.sleep(delay)
                attempt += 1

    def retry_delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential back-off with jitter, or the server's ``Retry-After``; never above the cap."""
        if retry_after is not None:
            return min(retry_after, self.settings.retry_max_wait_s)
        backoff = RETRY_BASE_S * (2**attempt) * (0.75 + random.random() / 2)
        return min(backoff, self.settings.retry_max_wait_s)

    def close(self) -> None:
        if self._client is not None:
            self.close_client(self._client)
            self._client = None


def provider_plugin(factory: Callable[[Any], ProviderBase]) -> tuple[Callable, Callable, Callable]:
    """The three hook implementations of a one-provider plugin module.

    ``sloppy_plugin_setup`` builds the provider and its client on the pool;
    ``sloppy_register_providers`` contributes it; ``sloppy_shutdown`` closes it.
    """
    built: list[ProviderBase] = []

    @hookimpl
    def sloppy_plugin_setup(controller: Any) -> None:
        provider = factory(controller)
        provider.prepare()
        built[:] = [provider]

    @hookimpl
    def sloppy_register_providers(register: Callable[[Any], None]) -> None:
        for provider in built:
            register(provider)

    @hookimpl
    def sloppy_shutdown(controller: Any) -> None:
        for provider in built:
            provider.close()

    return sloppy_plugin_setup, sloppy_register_providers, sloppy_shutdown
