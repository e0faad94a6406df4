"""Gemini provider: ``generateContent`` streamed through ``google-genai``'s async client.

Key: ``GEMINI_API_KEY``, else ``GOOGLE_API_KEY``. Base URL:
``https://generativelanguage.googleapis.com`` unless ``[providers.gemini]
base_url`` or ``SLOPPY_GEMINI_BASE_URL`` says otherwise. The SDK has no
timeout by default (a silent server would block forever): ``HttpOptions``
gets one, in milliseconds. Its transport errors come out as raw ``httpx2``
exceptions; both kinds are mapped here.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio._backends._asyncio  # noqa: F401 - httpx2's async backend, warmed here, not on a first request
import httpx2
import pydantic
from google import genai
from google.genai import errors, types

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

MODELS = ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite")


class GeminiProvider(ProviderBase):
    label = "Gemini"
    protocol = "Gemini generateContent"

    def build_client(self, key: str) -> genai.Client:
        s = self.settings
        # The Client closes its transports when garbage-collected: the provider keeps it.
        return genai.Client(
            api_key=key,
            http_options=types.HttpOptions(
                base_url=s.base_url,
                timeout=int(s.timeout_s * 1000),
                retry_options=types.HttpRetryOptions(attempts=1),
            ),
        )

    def warm_client(self, client: genai.Client) -> None:
        """Build, now on the pool, the pydantic schemas the SDK would build on a first request."""
        _ = client.aio.models
        types.GenerateContentConfig(system_instruction="warm", max_output_tokens=1)
        types.Content(role="user", parts=[types.Part(text="warm")])
        types.GenerateContentResponse.model_validate(
            {"candidates": [{"content": {"parts": [{"text": "warm"}], "role": "model"}, "finishReason": "STOP"}]}
        )

    def close_client(self, client: Any) -> None:
        with contextlib.suppress(RuntimeError, AttributeError):
            self._controller.loop.create_task(client.aio.aclose())

    async def attempt(self, client: genai.Client, request: ChatRequest) -> AsyncIterator[str]:
        contents = [
            types.Content(role="model" if m.role == "assistant" else "user", parts=[types.Part(text=m.content)])
            for m in request.messages
        ]
        config = types.GenerateContentConfig(
            system_instruction=request.system or None, max_output_tokens=request.max_tokens
        )
        received = False
        finished = False
        try:
            stream = await client.aio.models.generate_content_stream(
                model=request.model, contents=contents, config=config
            )
            async with contextlib.aclosing(stream):
                async for chunk in stream:
                    received = True
                    for candidate in chunk.candidates or ():
                        for part in (candidate.content.parts or ()) if candidate.content else ():
                            if part.text and not part.thought:
                                yield part.text
                        if candidate.finish_reason:
                            finished = True
        except errors.APIError as e:
            raise _api_error(self.name, e) from None
        except httpx2.TimeoutException:
            raise timeout_error(self.name, self.settings.base_url, self.settings.timeout_s) from None
        except httpx2.TransportError as e:
            if received:
                raise cut_off_error(self.name, str(e) or type(e).__name__) from None
            raise connection_error(self.name, self.settings.base_url, str(e) or type(e).__name__) from None
        except (json.JSONDecodeError, pydantic.ValidationError, ValueError) as e:
            raise malformed_error(self.name, self.protocol, e) from None
        if not finished:
            raise cut_off_error(self.name, "no finishReason")


def _api_error(name: str, e: errors.APIError) -> ProviderError:
    details = json.dumps(e.details) if e.details is not None else ""
    if "API_KEY_INVALID" in details or e.status in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        return ProviderError(
            ErrorKind.AUTH,
            f"the API key was rejected (HTTP {e.code} {e.status})",
            name,
            e.code,
        )
    retry_after = None
    if e.response is not None:
        with contextlib.suppress(AttributeError):
            retry_after = e.response.headers.get("retry-after")
    return status_error(name, e.code or 500, detail(e.message or e.status), retry_after)


def make(controller: Any) -> GeminiProvider:
    settings = load_settings(
        controller.config,
        "gemini",
        key_env=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
        base_url="https://generativelanguage.googleapis.com",
        models=MODELS,
        default_model="gemini-2.5-flash",
    )
    return GeminiProvider(controller, settings)


sloppy_plugin_setup, sloppy_register_providers, sloppy_shutdown = provider_plugin(make)
