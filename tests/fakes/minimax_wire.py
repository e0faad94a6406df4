"""MiniMax native chat: ``POST /v1/text/chatcompletion_v2`` (Bearer auth).

Business errors come as HTTP 200 with a non-zero ``base_resp.status_code``
(1004 auth, 1002 rate limit, 1008 balance, 2013 bad parameters). A stream's
last frame repeats the whole text as a complete ``chat.completion`` with
``finish_reason`` and ``base_resp``: a client must not append it.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.fakes.server import Reply, sse

BASE_CODES = {
    401: (1004, "login fail: Please carry the API secret key in the 'Authorization' field"),
    429: (1002, "rate limit exceeded(RPM)"),
    402: (1008, "insufficient balance"),
    400: (2013, "invalid params"),
}


class MiniMaxWire:
    content_type_stream = "text/event-stream"

    def route(self, method: str, path: str) -> bool | None:
        return False if method == "POST" and path.split("?", 1)[0] == "/v1/text/chatcompletion_v2" else None

    def authorised(self, headers: dict[str, str], key: str) -> bool:
        return headers.get("authorization") == f"Bearer {key}"

    def error(self, status: int, message: str) -> tuple[int, dict[str, str], bytes]:
        if status in BASE_CODES:  # business errors travel as HTTP 200
            code, text = BASE_CODES[status]
            body = {
                "id": "",
                "choices": None,
                "created": 0,
                "model": "",
                "object": "",
                "usage": None,
                "base_resp": {"status_code": code, "status_msg": message or text},
            }
            return 200, {"Trace-Id": "trace-fake"}, json.dumps(body).encode()
        body = {"base_resp": {"status_code": 1000, "status_msg": message or "unknown error"}}
        return status, {}, json.dumps(body).encode()

    def _frame(self, body: Any, choice: dict, obj: str, **extra: Any) -> dict:
        return {
            "id": "mm-fake1",
            "choices": [choice],
            "created": int(time.time()),
            "model": (body or {}).get("model", "MiniMax-fake"),
            "object": obj,
            "usage": None,
            "input_sensitive": False,
            "output_sensitive": False,
            **extra,
        }

    def stream_events(self, reply: Reply, body: Any) -> tuple[list[bytes], list[bytes]]:
        events = [
            sse(self._frame(body, {"index": 0, "delta": {"content": t, "role": "assistant"}}, "chat.completion.chunk"))
            for t in reply.chunks
        ]
        final = self._frame(
            body,
            {
                "finish_reason": "stop",
                "index": 0,
                "message": {"content": reply.text, "role": "assistant", "name": "MiniMax AI"},
            },
            "chat.completion",
            usage={"total_tokens": 20, "prompt_tokens": 10, "completion_tokens": 10},
            base_resp={"status_code": 0, "status_msg": ""},
        )
        return events, [sse(final)]

    def error_event(self, message: str) -> bytes:
        return sse({"id": "mm-fake1", "choices": None, "base_resp": {"status_code": 1000, "status_msg": message}})

    def whole(self, reply: Reply, body: Any) -> bytes:
        return json.dumps(
            self._frame(
                body,
                {"finish_reason": "stop", "index": 0, "message": {"content": reply.text, "role": "assistant"}},
                "chat.completion",
                base_resp={"status_code": 0, "status_msg": "success"},
            )
        ).encode()

    def garbage(self, streaming: bool) -> bytes:
        return b'data: {"id": "mm-fake1", "choices": [{"delta": \n\n' if streaming else b"<html>"

    def conversation(self, body: Any) -> tuple[str, list[tuple[str, str]]]:
        system = "".join(m["content"] for m in body["messages"] if m["role"] == "system")
        return system, [(m["role"], m["content"]) for m in body["messages"] if m["role"] != "system"]
