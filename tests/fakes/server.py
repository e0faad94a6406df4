"""A scriptable loopback HTTP server for provider wire protocols.

Each test queues :class:`Reply` objects saying how the next request is
answered: a normal (streamed or whole) answer, an HTTP error in the
provider's own error format, a stream cut off mid-answer, a body that breaks
the protocol, or silence (before the headers, or after the first chunk) that
lasts until the client hangs up. Every request is recorded, and a client
hanging up during silence is noticed (``disconnects``).

A protocol module supplies the routes, the auth check and the bodies; see
``openai_wire`` and friends. Streams are sent with chunked transfer encoding,
as real servers do, so a cut is a broken chunked body, not a clean end (an
HTTP/1.0 request gets a plain body that ends when the connection closes).
"""

from __future__ import annotations

import json
import selectors
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, Self

MAX_SILENCE_S = 30.0


@dataclass
class Reply:
    """How the fake answers one request."""

    chunks: list[str] = field(default_factory=lambda: ["Hello", ", ", "world", "!"])
    status: int = 200  # anything else: an error in the protocol's format
    error_message: str = ""
    retry_after: str | None = None
    silent: str | None = None  # "before_headers" or "after_first_chunk": wait for the client to hang up
    cut_after: int | None = None  # send this many text chunks, then drop the connection
    end_early: bool = False  # send the text, then end the body cleanly without the final event
    error_event_after: int | None = None  # send this many text chunks, then the protocol's in-stream error event
    malformed: bool = False  # a body that does not follow the protocol
    delay_s: float = 0.0  # pause between chunks
    raw: tuple[str, str | bytes] | None = None  # (content type, body) sent as-is with ``status``

    @property
    def text(self) -> str:
        return "".join(self.chunks)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class WireProtocol(Protocol):
    """What a provider's fake must say; implemented by the ``*_wire`` modules."""

    def route(self, method: str, path: str) -> bool | None:
        """True: a streaming call; False: a whole-body call; None: unknown route."""

    def authorised(self, headers: dict[str, str], key: str) -> bool: ...

    def error(self, status: int, message: str) -> tuple[int, dict[str, str], bytes]:
        """Status, extra headers and body for an error (for MiniMax: HTTP 200 with base_resp)."""

    def stream_events(self, reply: Reply, body: Any) -> tuple[list[bytes], list[bytes]]:
        """The text events (one per chunk) and the closing events, each an encoded SSE frame."""

    def whole(self, reply: Reply, body: Any) -> bytes: ...

    def garbage(self, streaming: bool) -> bytes: ...

    def conversation(self, body: Any) -> tuple[str, list[tuple[str, str]]]:
        """(system prompt, [(role, text)]) of a recorded request body."""

    def error_event(self, message: str) -> bytes:
        """The event a server sends when it fails in the middle of a stream."""

    content_type_stream: str


class FakeProviderServer:
    """A threaded server on 127.0.0.1 speaking one ``WireProtocol``."""

    def __init__(self, wire: WireProtocol, key: str = "test-key") -> None:
        self.wire = wire
        self.key = key
        self.replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []
        self.disconnects = 0
        self.disconnected = threading.Event()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name="fake-provider", daemon=True
        )

    # -- control --
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def queue(self, *replies: Reply) -> FakeProviderServer:
        with self._lock:
            self.replies.extend(replies)
        return self

    def start(self) -> FakeProviderServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_reply(self) -> Reply:
        with self._lock:
            return self.replies.popleft() if self.replies else Reply()

    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)

    def _hung_up(self) -> None:
        with self._lock:
            self.disconnects += 1
        self.disconnected.set()

    # -- serving --
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                headers = {k.lower(): v for k, v in self.headers.items()}
                server._record(Recorded(method, self.path, headers, body))
                streaming = server.wire.route(method, self.path)
                if streaming is None:
                    return self._send(*server.wire.error(404, f"no route {method} {self.path}"))
                if isinstance(body, dict) and body.get("stream") is True:
                    streaming = True
                if not server.wire.authorised(headers, server.key):
                    return self._send(*server.wire.error(401, "invalid api key"))
                reply = server._next_reply()
                if reply.silent == "before_headers":
                    return self._silence()
                if reply.raw is not None:
                    content_type, payload = reply.raw
                    data = payload.encode() if isinstance(payload, str) else payload
                    return self._send(reply.status, {"Content-Type": content_type}, data)
                if reply.status != 200:
                    status, extra, data = server.wire.error(reply.status, reply.error_message)
                    if reply.retry_after is not None:
                        extra = {**extra, "Retry-After": reply.retry_after}
                    return self._send(status, extra, data)
                if reply.malformed:
                    ctype = server.wire.content_type_stream if streaming else "application/json"
                    return self._send(200, {"Content-Type": ctype}, server.wire.garbage(streaming))
                if not streaming:
                    return self._send(200, {"Content-Type": "application/json"}, server.wire.whole(reply, body))
                self._stream(reply, body)

            def _send(self, status: int, extra: dict[str, str], data: bytes) -> None:
                self.send_response(status)
                extra = {"Content-Type": "application/json", **extra}
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()

            def _chunk(self, data: bytes) -> None:
                if self.request_version == "HTTP/1.0":  # no chunked framing: the body ends with the connection
                    self.wfile.write(data)
                else:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()

            def _stream(self, reply: Reply, body: Any) -> None:
                events, closing = server.wire.stream_events(reply, body)
                self.send_response(200)
                self.send_header("Content-Type", server.wire.content_type_stream)
                if self.request_version != "HTTP/1.0":
                    self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                self.wfile.flush()
                try:
                    for i, event in enumerate(events):
                        if reply.cut_after is not None and i >= reply.cut_after:
                            return self._drop()
                        if reply.error_event_after is not None and i >= reply.error_event_after:
                            closing = [server.wire.error_event(reply.error_message or "Overloaded")]
                            break
                        self._chunk(event)
                        if reply.silent == "after_first_chunk":
                            return self._silence()
                        if reply.delay_s:
                            time.sleep(reply.delay_s)
                    if reply.cut_after is not None:
                        return self._drop()
                    if not reply.end_early:
                        for event in closing:
                            self._chunk(event)
                    if self.request_version != "HTTP/1.0":
                        self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    server._hung_up()
                self.close_connection = True

            def _drop(self) -> None:
                """Close the connection mid-body (the chunked body never ends)."""
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True

            def _silence(self) -> None:
                """Say nothing until the client hangs up (or MAX_SILENCE_S)."""
                deadline = time.monotonic() + MAX_SILENCE_S
                sock = self.connection
                # selectors (epoll), not select(): a busy test process may hold descriptors above 1024.
                with selectors.DefaultSelector() as selector:
                    selector.register(sock, selectors.EVENT_READ)
                    self._wait_for_hangup(selector, sock, deadline)
                self.close_connection = True

            def _wait_for_hangup(self, selector: selectors.BaseSelector, sock: socket.socket, deadline: float) -> None:
                while time.monotonic() < deadline:
                    if selector.select(0.02):
                        try:
                            if sock.recv(1, socket.MSG_PEEK) == b"":
                                server._hung_up()
                                break
                        except OSError:
                            server._hung_up()
                            break

        return Handler


def sse(data: Any, event: str | None = None) -> bytes:
    """One server-sent event: optional ``event:`` line, one ``data:`` line, blank line."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()
