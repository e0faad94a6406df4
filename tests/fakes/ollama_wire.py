"""Ollama chat: ``POST /api/chat``, newline-delimited JSON; the last line has ``"done": true``.

No key. Errors are ``{"error": "..."}`` with an HTTP status (404 for a model
that is not pulled).
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.server import Reply


class OllamaWire:
    content_type_stream = "application/x-ndjson"

    def route(self, method: str, path: str) -> bool | None:
        return False if method == "POST" and path.split("?", 1)[0] == "/api/chat" else None

    def authorised(self, headers: dict[str, str], key: str) -> bool:
        return True

    def error(self, status: int, message: str) -> tuple[int, dict[str, str], bytes]:
        text = message or {404: 'model "llama3.2" not found, try pulling it first'}.get(status, "internal error")
        return status, {}, json.dumps({"error": text}).encode()

    def _line(self, body: Any, text: str, done: bool) -> bytes:
        event: dict[str, Any] = {
            "model": (body or {}).get("model", "llama3.2"),
            "created_at": "2026-12-03T12:00:00Z",
            "message": {"role": "assistant", "content": text},
            "done": done,
        }
        if done:
            event.update({"done_reason": "stop", "total_duration": 1000, "eval_count": 4})
        return (json.dumps(event) + "\n").encode()

    def stream_events(self, reply: Reply, body: Any) -> tuple[list[bytes], list[bytes]]:
        return [self._line(body, t, False) for t in reply.chunks], [self._line(body, "", True)]

    def error_event(self, message: str) -> bytes:
        return (json.dumps({"error": message}) + "\n").encode()

    def whole(self, reply: Reply, body: Any) -> bytes:
        return self._line(body, reply.text, True)

    def garbage(self, streaming: bool) -> bytes:
        return b'{"model": "llama3.2", "message": {"content": "Hel\n'

    def conversation(self, body: Any) -> tuple[str, list[tuple[str, str]]]:
        system = "".join(m["content"] for m in body["messages"] if m["role"] == "system")
        return system, [(m["role"], m["content"]) for m in body["messages"] if m["role"] != "system"]
