"""OpenAI provider: chat completions streamed through the ``openai`` SDK's async client.

Key: ``OPENAI_API_KEY``. Base URL: ``https://api.openai.com/v1`` unless
``[providers.openai] base_url`` or ``SLOPPY_OPENAI_BASE_URL`` says otherwise
(the SDK's own ``OPENAI_BASE_URL`` is not read: Sloppy passes the URL itself).
"""

from __future__ import annotations

from typing import Any

from src.plugins.providers._common import load_settings, provider_plugin
from src.plugins.providers._openai_compat import OpenAICompatibleProvider

MODELS = ("gpt-5-mini", "gpt-5", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4o-mini")


def make(controller: Any) -> OpenAICompatibleProvider:
    settings = load_settings(
        controller.config,
        "openai",
        key_env=("OPENAI_API_KEY",),
        base_url="https://api.openai.com/v1",
        models=MODELS,
        default_model="gpt-5-mini",
    )
    return OpenAICompatibleProvider(controller, settings, "OpenAI")


sloppy_plugin_setup, sloppy_register_providers, sloppy_shutdown = provider_plugin(make)
