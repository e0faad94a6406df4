"""Anthropic messages: ``POST /v1/messages``, SSE with ``event:`` lines.

message_start, content_block_start, ping, content_block_delta…, content_block_stop,
message_delta, message_stop. Errors are ``{"type": "error", "error": {...}}``.
Accepts the key as ``x-api-key`` or ``Authorization: Bearer`` (the SDK sends either).
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.server import Reply, sse

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


class AnthropicWire:
    content_type_stream = "text/event-stream; charset=utf-8"

    def route(self, method: str, path: str) -> bool | None:
        return False if method == "POST" and path.split("?", 1)[0] == "/v1/messages" else None

    def authorised(self, headers: dict[str, str], key: str) -> bool:
        return headers.get("x-api-key") == key or headers.get("authorization") == f"Bearer {key}"

    def error(self, status: int, message: str) -> tuple[int, dict[str, str], bytes]:
        etype = _ERROR_TYPES.get(status, "api_error")
        text = message or {401: "invalid x-api-key", 429: "Number of requests has exceeded your rate limit"}.get(
            status, "Internal server error"
        )
        body = {"type": "error", "error": {"type": etype, "message": text}, "request_id": "req_fake"}
        return status, {"request-id": "req_fake"}, json.dumps(body).encode()

    def _message(self, body: Any, content: list, stop: str | None) -> dict:
        return {
            "id": "msg_fake1",
            "type": "message",
            "role": "assistant",
            "model": (body or {}).get("model", "claude-fake"),
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": 1},
        }

    def stream_events(self, reply: Reply, body: Any) -> tuple[list[bytes], list[bytes]]:
        opening = [
            sse({"type": "message_start", "message": self._message(body, [], None)}, "message_start"),
            sse(
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                "content_block_start",
            ),
            sse({"type": "ping"}, "ping"),
        ]
        deltas = [
            sse(
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}},
                "content_block_delta",
            )
            for t in reply.chunks
        ]
        # The opening frames travel with the first delta so that "cut after k chunks" counts text.
        if deltas:
            deltas[0] = b"".join(opening) + deltas[0]
        else:
            deltas = [b"".join(opening)]
        closing = [
            sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
            sse(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": 7},
                },
                "message_delta",
            ),
            sse({"type": "message_stop"}, "message_stop"),
        ]
        return deltas, closing

    def error_event(self, message: str) -> bytes:
        return sse({"type": "error", "error": {"type": "overloaded_error", "message": message}}, "error")

    def whole(self, reply: Reply, body: Any) -> bytes:
        return json.dumps(self._message(body, [{"type": "text", "text": reply.text}], "end_turn")).encode()

    def garbage(self, streaming: bool) -> bytes:
        if streaming:
            return b'event: message_start\ndata: {"type": "message_start", "message": {"id": \n\n'
        return b"<html>"

    def conversation(self, body: Any) -> tuple[str, list[tuple[str, str]]]:
        system = body.get("system", "")
        if isinstance(system, list):
            system = "".join(block.get("text", "") for block in system)
        messages = []
        for m in body["messages"]:
            content = m["content"]
            if isinstance(content, list):
                content = "".join(block.get("text", "") for block in content)
            messages.append((m["role"], content))
        return system, messages
