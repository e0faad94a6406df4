"""sloppy-ollama: an example third-party Sloppy provider for a local Ollama server.

A Sloppy plugin is a module with hook implementations (see ``src/core/hookspecs.py``).
This one implements three hooks:

- ``sloppy_plugin_setup(controller)``: runs once on a background thread while
  Sloppy warms up; read the settings and build what the provider needs here.
- ``sloppy_register_providers(register)``: hand Sloppy the provider object.
- ``sloppy_shutdown(controller)``: nothing to release here (no pooled connections).

The provider follows ``src.core.providers.Provider``: ``name``, ``label``,
``models``, ``default_model``, ``key_status()`` and an async generator
``stream(request)`` that yields the answer's text as it arrives and raises
``ProviderError`` for failures. It talks to Ollama's ``POST /api/chat``
(newline-delimited JSON) with nothing but asyncio, so cancelling the task that
iterates ``stream()`` closes the connection at once.
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.parse
from collections.abc import AsyncIterator, Callable
from typing import Any

from src.core import hookimpl
from src.core.providers import ChatRequest, ErrorKind, KeyStatus, ProviderError

NAME = "ollama"
DEFAULT_BASE_URL = "http://127.0.0.1:11434"
MODELS = ["llama3.2", "qwen2.5-coder", "mistral"]


class OllamaProvider:
    """Chat with a model served by Ollama; no API key needed."""

    name = NAME
    label = "Ollama (local)"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.base_url = (
            os.environ.get("SLOPPY_OLLAMA_BASE_URL") or settings.get("base_url") or DEFAULT_BASE_URL
        ).rstrip("/")
        self.default_model = str(settings.get("model") or MODELS[0])
        self.models = list(dict.fromkeys([self.default_model, *MODELS]))
        self.timeout_s = float(settings.get("timeout_s", 120.0))  # per read: a local model can be slow to start
        self.connect_timeout_s = float(settings.get("connect_timeout_s", 5.0))
        url = urllib.parse.urlsplit(self.base_url)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(f"providers.ollama.base_url must be an http:// URL, not {self.base_url!r}")
        self._host, self._port, self._path = url.hostname, url.port or 80, url.path

    def key_status(self) -> KeyStatus:
        return KeyStatus(present=True, source="no key needed")

    def _error(self, kind: ErrorKind, message: str, status: int | None = None) -> ProviderError:
        return ProviderError(kind, message, self.name, status)

    async def stream(self, request: ChatRequest) -> AsyncIterator[str]:
        messages = [{"role": "system", "content": request.system}] if request.system else []
        messages += [{"role": m.role, "content": m.content} for m in request.messages]
        body = json.dumps({"model": request.model, "messages": messages, "stream": True}).encode()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self._host, self._port), self.connect_timeout_s
            )
        except (TimeoutError, OSError) as e:
            raise self._error(
                ErrorKind.CONNECTION, f"cannot connect to {self.base_url} ({str(e) or 'timed out'}); is Ollama running?"
            ) from None
        try:
            # HTTP/1.0: the answer is the raw body up to the end of the connection (no chunked framing).
            head = (
                f"POST {self._path}/api/chat HTTP/1.0\r\nHost: {self._host}:{self._port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            writer.write(head.encode() + body)
            await writer.drain()
            status = await self._read_head(reader)
            if status != 200:
                raw = await self._read(reader.read(65536))
                raise self._error(_kind(status), f"Ollama answered HTTP {status}: {_message(raw)}", status)
            done = got_text = False
            while not done:
                line = await self._read(reader.readline())
                if not line:
                    break
                if not line.strip():
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    raise self._error(
                        ErrorKind.MALFORMED, f"Ollama sent a line that is not JSON: {line[:80]!r}"
                    ) from None
                if "error" in event:
                    if got_text:  # the user holds a partial answer: say it was cut
                        raise self._error(ErrorKind.CUT_OFF, f"the answer was cut off: Ollama: {event['error']}")
                    raise self._error(ErrorKind.SERVER, f"Ollama: {event['error']}")
                text = (event.get("message") or {}).get("content") or ""
                if text:
                    got_text = True
                    yield text
                done = bool(event.get("done"))
            if not done:
                raise self._error(ErrorKind.CUT_OFF, "the answer was cut off: the connection closed before it finished")
        except ConnectionError as e:
            raise self._error(ErrorKind.CUT_OFF, f"the answer was cut off: {e}") from None
        finally:
            writer.close()  # also when the task is cancelled: the server sees the connection close

    async def _read(self, awaitable: Any) -> bytes:
        try:
            return await asyncio.wait_for(awaitable, self.timeout_s)
        except TimeoutError:
            raise self._error(
                ErrorKind.TIMEOUT, f"no answer from {self.base_url} within {self.timeout_s:g} s (read timeout)"
            ) from None

    async def _read_head(self, reader: asyncio.StreamReader) -> int:
        status_line = await self._read(reader.readline())
        parts = status_line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            raise self._error(ErrorKind.MALFORMED, f"not an HTTP answer: {status_line[:80]!r}")
        while (await self._read(reader.readline())).strip():
            pass  # headers: nothing we need
        return int(parts[1])


def _kind(status: int) -> ErrorKind:
    if status == 404:
        return ErrorKind.BAD_REQUEST  # Ollama's answer for a model that is not pulled
    if status == 429:
        return ErrorKind.RATE_LIMIT
    return ErrorKind.SERVER if status >= 500 else ErrorKind.OTHER


def _message(raw: bytes) -> str:
    try:
        return str(json.loads(raw).get("error") or raw[:200])
    except (ValueError, AttributeError):
        return raw[:200].decode("utf-8", "replace")


_providers: list[OllamaProvider] = []


@hookimpl
def sloppy_plugin_setup(controller: Any) -> None:
    _providers[:] = [OllamaProvider(controller.config.provider_settings(NAME))]


@hookimpl
def sloppy_register_providers(register: Callable[[Any], None]) -> None:
    for provider in _providers:
        register(provider)
