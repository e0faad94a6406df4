"""The OpenAI chat completions protocol on the ``openai`` SDK's async client, shared by openai and deepseek.

The SDK's retries are off (``max_retries=0``): the shared base class retries,
bounded, before the first word of an answer. Timeouts: ``timeout_s`` per read,
``connect_timeout_s`` to connect.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio._backends._asyncio  # noqa: F401 - httpx2's async backend, warmed here, not on a first request
import httpx2
import jiter  # noqa: F401 - the SDK's stream parser, imported on a first request otherwise
import openai

from src.core.providers import ChatRequest, ErrorKind, ProviderError
from src.plugins.providers._common import (
    ProviderBase,
    cause_text,
    connection_error,
    cut_off_error,
    detail,
    malformed_error,
    sdk_error_message,
    status_error,
    timeout_error,
)


class OpenAICompatibleProvider(ProviderBase):
    """Any server speaking OpenAI chat completions (OpenAI itself, DeepSeek…)."""

    protocol = "OpenAI chat completions"

    def __init__(self, controller: Any, settings: Any, label: str) -> None:
        super().__init__(controller, settings)
        self.label = label

    def build_client(self, key: str) -> openai.AsyncOpenAI:
        s = self.settings
        return openai.AsyncOpenAI(
            api_key=key,
            base_url=s.base_url,
            max_retries=0,
            timeout=openai.Timeout(s.timeout_s, connect=s.connect_timeout_s),
        )

    def warm_client(self, client: openai.AsyncOpenAI) -> None:
        _ = client.chat.completions  # the SDK imports its resources lazily

    def close_client(self, client: Any) -> None:
        _close_soon(self._controller, client.close())

    async def attempt(self, client: openai.AsyncOpenAI, request: ChatRequest) -> AsyncIterator[str]:
        messages = [{"role": "system", "content": request.system}] if request.system else []
        messages += [{"role": m.role, "content": m.content} for m in request.messages]
        received = False
        finished = False
        try:
            stream = await client.chat.completions.create(model=request.model, messages=messages, stream=True)
            async with stream:
                async for chunk in stream:
                    received = True
                    for choice in chunk.choices or ():
                        text = getattr(choice.delta, "content", None) if choice.delta else None
                        if text:
                            yield text
                        if choice.finish_reason:
                            finished = True
        except openai.APIStatusError as e:
            raise status_error(
                self.name, e.status_code, sdk_error_message(e), e.response.headers.get("retry-after")
            ) from None
        except (openai.APITimeoutError, httpx2.TimeoutException):
            raise timeout_error(self.name, self.settings.base_url, self.settings.timeout_s) from None
        except (openai.APIConnectionError, httpx2.TransportError) as e:
            if received:
                raise cut_off_error(self.name, cause_text(e)) from None
            raise connection_error(self.name, self.settings.base_url, cause_text(e)) from None
        except (json.JSONDecodeError, openai.APIResponseValidationError, ValueError) as e:
            raise malformed_error(self.name, self.protocol, e) from None
        except openai.APIError as e:  # an {"error": …} event inside the stream
            raise ProviderError(
                ErrorKind.SERVER, f"the server reported an error: {detail(e.message)}", self.name
            ) from None
        if not finished:
            raise cut_off_error(self.name, "no finish_reason")


def _close_soon(controller: Any, coro: Any) -> None:
    """Close an async client on the controller's loop (we are on the writer at shutdown)."""
    try:
        controller.loop.create_task(coro)
    except RuntimeError:
        coro.close()
