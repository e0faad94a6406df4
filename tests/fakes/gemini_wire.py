"""Gemini: ``POST /{v1,v1beta}/models/{model}:generateContent`` and ``:streamGenerateContent?alt=sse``.

Streams ``data: {GenerateContentResponse}`` events (no ``[DONE]``);
``finishReason`` and ``usageMetadata`` come on the last one. Errors are
``{"error": {"code", "message", "status"}}``; a wrong key is HTTP 400
INVALID_ARGUMENT with reason API_KEY_INVALID, as the real service answers.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.fakes.server import Reply, sse

_ROUTE = re.compile(r"^/(v1|v1beta|v1alpha)/models/([^/:]+):(generateContent|streamGenerateContent)$")
_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class GeminiWire:
    content_type_stream = "text/event-stream"

    def route(self, method: str, path: str) -> bool | None:
        m = _ROUTE.match(path.split("?", 1)[0])
        if method != "POST" or m is None:
            return None
        return m.group(3) == "streamGenerateContent"

    def authorised(self, headers: dict[str, str], key: str) -> bool:
        return headers.get("x-goog-api-key") == key

    def error(self, status: int, message: str) -> tuple[int, dict[str, str], bytes]:
        if status == 401:  # how the real service reports a wrong API key
            body = {
                "error": {
                    "code": 400,
                    "message": message or "API key not valid. Please pass a valid API key.",
                    "status": "INVALID_ARGUMENT",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                            "reason": "API_KEY_INVALID",
                            "domain": "googleapis.com",
                        }
                    ],
                }
            }
            return 400, {}, json.dumps(body).encode()
        text = message or {
            429: "Resource has been exhausted (e.g. check quota).",
            500: "An internal error has occurred.",
        }.get(status, f"error {status}")
        body = {"error": {"code": status, "message": text, "status": _STATUS.get(status, "UNKNOWN")}}
        return status, {}, json.dumps(body).encode()

    def _response(self, body: Any, text: str, finish: bool) -> dict:
        candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
        data: dict[str, Any] = {"candidates": [candidate], "modelVersion": "gemini-fake", "responseId": "resp-fake"}
        if finish:
            candidate["finishReason"] = "STOP"
            data["usageMetadata"] = {"promptTokenCount": 9, "candidatesTokenCount": 4, "totalTokenCount": 13}
        return data

    def stream_events(self, reply: Reply, body: Any) -> tuple[list[bytes], list[bytes]]:
        texts = list(reply.chunks)
        events = [sse(self._response(body, t, False)) for t in texts[:-1]]
        last = texts[-1] if texts else ""
        if reply.end_early:  # the last text arrives, but without finishReason
            return [*events, sse(self._response(body, last, False))], []
        return [*events, sse(self._response(body, last, True))], []

    def error_event(self, message: str) -> bytes:
        return sse({"error": {"code": 503, "message": message, "status": "UNAVAILABLE"}})

    def whole(self, reply: Reply, body: Any) -> bytes:
        return json.dumps(self._response(body, reply.text, True)).encode()

    def garbage(self, streaming: bool) -> bytes:
        return b'data: {"candidates": [{"content": {"parts": [{"te\n\n' if streaming else b"<html>"

    def conversation(self, body: Any) -> tuple[str, list[tuple[str, str]]]:
        instruction = body.get("systemInstruction") or body.get("system_instruction") or {}
        system = "".join(p.get("text", "") for p in instruction.get("parts", []))
        messages = [
            ("assistant" if c.get("role") == "model" else "user", "".join(p.get("text", "") for p in c["parts"]))
            for c in body["contents"]
        ]
        return system, messages
