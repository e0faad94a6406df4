"""OpenAI chat completions (also DeepSeek's compatible API): ``POST [/v1]/chat/completions``.

Streams ``data: {chat.completion.chunk}`` events, a last chunk carrying
``finish_reason``, then ``data: [DONE]``. Errors are ``{"error": {...}}``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.fakes.server import Reply, sse

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
}


class OpenAIWire:
    content_type_stream = "text/event-stream; charset=utf-8"

    def route(self, method: str, path: str) -> bool | None:
        path = path.split("?", 1)[0]
        if method == "POST" and path in ("/v1/chat/completions", "/chat/completions"):
            return False
        return None

    def authorised(self, headers: dict[str, str], key: str) -> bool:
        return headers.get("authorization") == f"Bearer {key}"

    def error(self, status: int, message: str) -> tuple[int, dict[str, str], bytes]:
        etype, code = _ERROR_TYPES.get(status, ("server_error", None))
        default = {401: "Incorrect API key provided.", 429: "Rate limit reached for requests."}
        text = message or default.get(status, f"The server had an error ({status}).")
        body = {"error": {"message": text, "type": etype, "param": None, "code": code}}
        return status, {}, json.dumps(body).encode()

    def _chunk(self, body: Any, delta: dict, finish: str | None) -> dict:
        return {
            "id": "chatcmpl-fake1",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": (body or {}).get("model", "gpt-fake"),
            "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }

    def stream_events(self, reply: Reply, body: Any) -> tuple[list[bytes], list[bytes]]:
        events = []
        for i, text in enumerate(reply.chunks):
            delta = {"role": "assistant", "content": text} if i == 0 else {"content": text}
            events.append(sse(self._chunk(body, delta, None)))
        closing = [sse(self._chunk(body, {}, "stop")), sse("[DONE]")]
        return events, closing

    def error_event(self, message: str) -> bytes:
        return sse({"error": {"message": message, "type": "server_error", "param": None, "code": None}})

    def whole(self, reply: Reply, body: Any) -> bytes:
        return json.dumps(
            {
                "id": "chatcmpl-fake1",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": (body or {}).get("model", "gpt-fake"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": reply.text}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
            }
        ).encode()

    def garbage(self, streaming: bool) -> bytes:
        return b'data: {"id": "chatcmpl-fake1", "choices": [{"delta": {"content": "Hel\n\n' if streaming else b"<html>"

    def conversation(self, body: Any) -> tuple[str, list[tuple[str, str]]]:
        """(system prompt, [(role, text)]) of a recorded request."""
        system = "".join(m["content"] for m in body["messages"] if m["role"] == "system")
        return system, [(m["role"], m["content"]) for m in body["messages"] if m["role"] != "system"]
