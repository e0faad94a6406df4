"""Anthropic provider: the Messages API streamed through the ``anthropic`` SDK's async client.

Key: ``ANTHROPIC_API_KEY`` (passed explicitly: the SDK's profile files under
``~/.config/anthropic/`` are never consulted). Base URL:
``https://api.anthropic.com`` unless ``[providers.anthropic] base_url`` or
``SLOPPY_ANTHROPIC_BASE_URL`` says otherwise. The SDK's retries are off:
it honours ``Retry-After`` without a cap; the base class caps it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import anyio._backends._asyncio  # noqa: F401 - httpx2's async backend, warmed here, not on a first request
import httpx2
import opentelemetry.propagate  # noqa: F401 - the SDK propagates trace context on each request

from src.core.providers import ChatRequest
from src.plugins.providers._common import (
    ProviderBase,
    cause_text,
    connection_error,
    cut_off_error,
    load_settings,
    malformed_error,
    provider_plugin,
    sdk_error_message,
    status_error,
    timeout_error,
)

MODELS = ("claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5")


class AnthropicProvider(ProviderBase):
    label = "Anthropic"
    protocol = "Anthropic Messages"

    def build_client(self, key: str) -> anthropic.AsyncAnthropic:
        s = self.settings
        return anthropic.AsyncAnthropic(
            api_key=key,
            base_url=s.base_url,
            max_retries=0,
            timeout=anthropic.Timeout(s.timeout_s, connect=s.connect_timeout_s),
        )

    def warm_client(self, client: anthropic.AsyncAnthropic) -> None:
        _ = client.messages  # the SDK imports its resources lazily

    def close_client(self, client: Any) -> None:
        try:
            self._controller.loop.create_task(client.close())
        except RuntimeError:
            pass

    async def attempt(self, client: anthropic.AsyncAnthropic, request: ChatRequest) -> AsyncIterator[str]:
        kwargs: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "stream": True,
        }
        if request.system:
            kwargs["system"] = request.system
        received = False
        stopped = False
        try:
            stream = await client.messages.create(**kwargs)
            async with stream:
                async for event in stream:
                    received = True
                    if event.type == "content_block_delta" and getattr(event.delta, "type", "") == "text_delta":
                        if event.delta.text:
                            yield event.delta.text
                    elif event.type == "message_stop":
                        stopped = True
        except anthropic.APIStatusError as e:
            status = e.status_code
            if received and status < 400:  # an "error" event mid-stream, e.g. overloaded
                raise cut_off_error(self.name, sdk_error_message(e)) from None
            raise status_error(self.name, status, sdk_error_message(e), e.response.headers.get("retry-after")) from None
        except (anthropic.APITimeoutError, httpx2.TimeoutException):
            raise timeout_error(self.name, self.settings.base_url, self.settings.timeout_s) from None
        except (anthropic.APIConnectionError, httpx2.TransportError) as e:
            if received:
                raise cut_off_error(self.name, cause_text(e)) from None
            raise connection_error(self.name, self.settings.base_url, cause_text(e)) from None
        except (json.JSONDecodeError, anthropic.APIResponseValidationError, anthropic.APIError, ValueError) as e:
            raise malformed_error(self.name, self.protocol, e) from None
        if not stopped:
            raise cut_off_error(self.name, "no message_stop event")


def make(controller: Any) -> AnthropicProvider:
    settings = load_settings(
        controller.config,
        "anthropic",
        key_env=("ANTHROPIC_API_KEY",),
        base_url="https://api.anthropic.com",
        models=MODELS,
        default_model="claude-sonnet-4-5",
    )
    return AnthropicProvider(controller, settings)


sloppy_plugin_setup, sloppy_register_providers, sloppy_shutdown = provider_plugin(make)
