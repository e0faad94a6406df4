"""A loopback OpenAI-compatible chat-completions server that streams (SSE), for the GUI tests.

Minimal but faithful to the wire: ``POST /v1/chat/completions`` with
``stream: true`` answers ``text/event-stream`` with ``chat.completion.chunk``
events, a last chunk carrying ``finish_reason``, then ``data: [DONE]``. It
records each request so the test can check what the app sent. (The providers
team keeps fuller fakes in ``tests/fakes``; this one only serves the GUI tests.)
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

FAIL_401 = "[answer 401]"  # a message containing this gets OpenAI's wrong-key error


class FakeOpenAI:
    def __init__(self, answer_chunks: list[str], delay_s: float = 0.02) -> None:
        self.answer_chunks = answer_chunks
        self.delay_s = delay_s
        self.requests: list[dict] = []
        self.disconnects = 0  # streams the client closed early (a cancelled answer)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                fake.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                if self.path.split("?")[0] != "/v1/chat/completions":
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                if FAIL_401 in json.dumps(body.get("messages", [])):
                    message = "Incorrect API key provided: test-key."
                    self._json(
                        401, {"error": {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}}
                    )
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream; charset=utf-8")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                model = body.get("model", "")
                self.close_connection = True
                for i, text in enumerate(fake.answer_chunks):
                    delta = {"role": "assistant", "content": text} if i == 0 else {"content": text}
                    if not self._event(_chunk(model, delta, None)):
                        return
                    time.sleep(fake.delay_s)
                if self._event(_chunk(model, {}, "stop")):
                    self._send(b"data: [DONE]\n\n")

            def _event(self, payload: dict) -> bool:
                return self._send(b"data: " + json.dumps(payload).encode() + b"\n\n")

            def _send(self, data: bytes) -> bool:
                """False once the client has gone (a cancelled answer)."""
                try:
                    self.wfile.write(data)
                    self.wfile.flush()
                    return True
                except (BrokenPipeError, ConnectionResetError):
                    fake.disconnects += 1
                    return False

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _chunk(model: str, delta: dict, finish: str | None) -> dict:
    return {
        "id": "chatcmpl-gui-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
