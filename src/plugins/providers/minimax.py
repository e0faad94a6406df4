"""MiniMax provider: the native ``/v1/text/chatcompletion_v2`` API over ``requests``.

Key: ``MINIMAX_API_KEY`` (Bearer). Base URL: ``https://api.minimax.io``
(international; ``https://api.minimaxi.com`` in mainland China) unless
``[providers.minimax] base_url`` or ``SLOPPY_MINIMAX_BASE_URL`` says otherwise.

MiniMax reports business errors as HTTP 200 with a non-zero
``base_resp.status_code``; its last stream frame repeats the whole answer as
a complete ``chat.completion`` (not appended). ``requests`` is blocking and
has no timeout or retries of its own: each blocking step runs on the pool
with ``(connect, read)`` timeouts, the base class retries, and cancelling
shuts the request's socket down from the asyncio side, which wakes the pool
thread blocked on it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import netrc  # noqa: F401 - requests reads ~/.netrc on a first request; warmed here
import socket
import threading
from collections.abc import AsyncIterator
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from src.core.providers import ChatRequest, ErrorKind, ProviderError
from src.plugins.providers._common import (
    ProviderBase,
    connection_error,
    cut_off_error,
    detail,
    load_settings,
    malformed_error,
    provider_plugin,
    status_error,
    timeout_error,
)

MODELS = ("MiniMax-M2", "MiniMax-M1", "MiniMax-Text-01")
PATH = "/v1/text/chatcompletion_v2"
READ_SIZE = 65536
# base_resp.status_code -> what kind of failure it is
BASE_CODES = {
    1004: ErrorKind.AUTH,
    2049: ErrorKind.AUTH,
    1002: ErrorKind.RATE_LIMIT,
    1039: ErrorKind.RATE_LIMIT,
    1000: ErrorKind.SERVER,
    1001: ErrorKind.TIMEOUT,
    1013: ErrorKind.SERVER,
    1008: ErrorKind.OTHER,
    2013: ErrorKind.BAD_REQUEST,
    1026: ErrorKind.BAD_REQUEST,
    1027: ErrorKind.BAD_REQUEST,
}


class _Call:
    """One request: its session, response and connections, so cancelling can shut their sockets."""

    def __init__(self) -> None:
        self.connections: list[Any] = []
        self.session: requests.Session | None = None
        self.response: requests.Response | None = None
        self.aborted = False
        self._lock = threading.Lock()

    def opened(self, conn: Any) -> Any:
        with self._lock:
            self.connections.append(conn)
        return conn

    def abort(self) -> None:
        """Shut the sockets down (any thread): a read blocked on them returns at once."""
        with self._lock:
            self.aborted = True
            connections = list(self.connections)
        for conn in connections:
            sock = getattr(conn, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def attach(self, response: requests.Response) -> bool:
        """Keep the response for :meth:`release`; True if the call was aborted meanwhile."""
        with self._lock:
            self.response = response
            return self.aborted

    def release(self) -> None:
        """Close the response and the session (pool: closing may wait for the socket)."""
        with self._lock:
            response, session = self.response, self.session
        if response is not None:
            response.close()
        if session is not None:
            session.close()

    def open_session(self) -> requests.Session:
        call = self

        class TrackedHTTP(HTTPConnectionPool):
            def _new_conn(self) -> Any:
                return call.opened(super()._new_conn())

        class TrackedHTTPS(HTTPSConnectionPool):
            def _new_conn(self) -> Any:
                return call.opened(super()._new_conn())

        adapter = HTTPAdapter(max_retries=0)
        adapter.poolmanager.pool_classes_by_scheme = {"http": TrackedHTTP, "https": TrackedHTTPS}
        session = requests.Session()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        with self._lock:
            self.session = session
        return session


class MiniMaxProvider(ProviderBase):
    label = "MiniMax"
    protocol = "MiniMax chatcompletion_v2"

    def build_client(self, key: str) -> dict[str, str]:
        # requests needs no client object: the headers carry the key; sessions are per call.
        return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    async def attempt(self, client: dict[str, str], request: ChatRequest) -> AsyncIterator[str]:
        messages = [{"role": "system", "content": request.system}] if request.system else []
        messages += [{"role": m.role, "content": m.content} for m in request.messages]
        body = {"model": request.model, "messages": messages, "stream": True, "max_tokens": request.max_tokens}
        call = _Call()
        try:
            response = await self._blocking(self._post, call, client, body)
            content_type = response.headers.get("content-type", "")
            if response.status_code != 200:
                raw = await self._blocking(lambda: response.content)
                raise status_error(self.name, response.status_code, _base_message(raw), _retry_after(response))
            if "event-stream" not in content_type:
                raw = await self._blocking(lambda: response.content)
                text = self._whole(raw)
                if text:
                    yield text
                return
            async for text in self._events(response):
                yield text
        finally:
            call.abort()
            self._controller.submit_io(call.release)

    async def _blocking(self, fn: Any, *args: Any) -> Any:
        """Run a blocking ``requests`` step on the pool, mapping transport errors."""
        try:
            return await asyncio.wrap_future(self._controller.submit_io(fn, *args))
        except (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout, urllib3.exceptions.TimeoutError):
            raise timeout_error(self.name, self.settings.base_url, self.settings.timeout_s) from None
        except requests.exceptions.ConnectionError as e:
            raise connection_error(self.name, self.settings.base_url, _reason(e)) from None

    def _post(self, call: _Call, headers: dict[str, str], body: dict) -> requests.Response:  # pool
        session = call.open_session()
        s = self.settings
        response = session.post(
            s.base_url + PATH, headers=headers, json=body, stream=True, timeout=(s.connect_timeout_s, s.timeout_s)
        )
        if call.attach(response):  # cancelled while connecting: nobody will read this
            call.release()
        return response

    async def _events(self, response: requests.Response) -> AsyncIterator[str]:
        buffer = b""
        received = False
        got_text = False
        finished = False
        while True:
            try:
                data = await self._blocking(response.raw.read1, READ_SIZE)
            except ProviderError as e:
                if e.kind is ErrorKind.CONNECTION and received:
                    raise cut_off_error(self.name, e.message) from None
                raise
            except (urllib3.exceptions.ProtocolError, urllib3.exceptions.HTTPError, OSError) as e:
                raise cut_off_error(self.name, _reason(e)) from None
            if not data:
                break
            buffer += data.replace(b"\r\n", b"\n")
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                frame = self._frame(event)
                if frame is None:
                    continue
                received = True
                done, text, whole = self._read_frame(frame)
                if whole is not None:
                    if not got_text and whole:
                        yield whole  # only the final frame carried the answer
                elif text:
                    got_text = True
                    yield text
                finished = finished or done
        if not finished:
            raise cut_off_error(self.name, "no final frame")

    def _frame(self, event: bytes) -> dict | None:
        lines = [line[5:].strip() for line in event.split(b"\n") if line.startswith(b"data:")]
        payload = b"\n".join(lines)
        if not payload or payload == b"[DONE]":
            return None
        try:
            frame = json.loads(payload)
        except ValueError as e:
            raise malformed_error(self.name, self.protocol, f"a stream frame is not JSON ({e})") from None
        if not isinstance(frame, dict):
            raise malformed_error(self.name, self.protocol, "a stream frame is not an object")
        return frame

    def _read_frame(self, frame: dict) -> tuple[bool, str, str | None]:
        """(finished, delta text, whole text of a final frame or None); raises for ``base_resp`` errors."""
        self._check_base_resp(frame)
        choices = frame.get("choices") or []
        if not isinstance(choices, list) or not all(isinstance(c, dict) for c in choices):
            raise malformed_error(self.name, self.protocol, "choices is not a list of objects")
        if frame.get("object") == "chat.completion":
            # The final frame repeats the whole answer: it ends the stream, it is not appended.
            message = (choices[0].get("message") or {}) if choices else {}
            return True, "", str(message.get("content") or "")
        text, done = "", False
        for choice in choices:
            delta = choice.get("delta") or {}
            text += str(delta.get("content") or "")
            done = done or bool(choice.get("finish_reason"))
        return done, text, None

    def _whole(self, raw: bytes) -> str:
        try:
            data = json.loads(raw)
        except ValueError:
            raise malformed_error(self.name, self.protocol, f"the body is not JSON: {detail(raw[:120])}") from None
        if not isinstance(data, dict):
            raise malformed_error(self.name, self.protocol, "the body is not an object")
        self._check_base_resp(data)
        choices = data.get("choices") or []
        if not choices:
            raise malformed_error(self.name, self.protocol, "no choices in the answer")
        message = choices[0].get("message") or {}
        return str(message.get("content") or "")

    def _check_base_resp(self, data: dict) -> None:
        base = data.get("base_resp")
        if not isinstance(base, dict):
            return
        code = base.get("status_code", 0)
        if not code:
            return
        kind = BASE_CODES.get(code, ErrorKind.OTHER)
        msg = detail(base.get("status_msg"))
        if kind is ErrorKind.AUTH:
            text = f"the API key was rejected (MiniMax code {code})"
        elif kind is ErrorKind.RATE_LIMIT:
            text = f"rate limited (MiniMax code {code}): {msg}; wait a little"
        elif kind is ErrorKind.SERVER:
            text = f"the server failed (MiniMax code {code}): {msg}; try again later"
        elif code == 1008:
            text = f"insufficient balance (MiniMax code {code}): top up the account"
        else:
            text = f"MiniMax refused the request (code {code}): {msg}"
        raise ProviderError(kind, text, self.name, 200)


def _base_message(raw: bytes) -> str:
    with contextlib.suppress(ValueError, AttributeError):
        data = json.loads(raw)
        return str(data.get("base_resp", {}).get("status_msg") or data)
    return raw[:200].decode("utf-8", "replace")


def _retry_after(response: requests.Response) -> str | None:
    return response.headers.get("retry-after")


def _reason(e: BaseException) -> str:
    if isinstance(e, urllib3.exceptions.ProtocolError):
        return "connection broken"
    text = str(e)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Connection reset"):
        if marker in text:
            return marker
    return detail(text) or type(e).__name__


def make(controller: Any) -> MiniMaxProvider:
    settings = load_settings(
        controller.config,
        "minimax",
        key_env=("MINIMAX_API_KEY",),
        base_url="https://api.minimax.io",
        models=MODELS,
        default_model="MiniMax-M2",
    )
    return MiniMaxProvider(controller, settings)


sloppy_plugin_setup, sloppy_register_providers, sloppy_shutdown = provider_plugin(make)
