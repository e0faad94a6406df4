"""DeepSeek provider: DeepSeek's OpenAI-compatible API through the ``openai`` SDK.

Key: ``DEEPSEEK_API_KEY``. Base URL: ``https://api.deepseek.com`` (path
``/chat/completions``) unless ``[providers.deepseek] base_url`` or
``SLOPPY_DEEPSEEK_BASE_URL`` says otherwise. Key and URL are passed
explicitly so the ``OPENAI_*`` variables never leak in.
"""

from __future__ import annotations

from typing import Any

from src.plugins.providers._common import load_settings, provider_plugin
from src.plugins.providers._openai_compat import OpenAICompatibleProvider

MODELS = ("deepseek-chat", "deepseek-reasoner")


def make(controller: Any) -> OpenAICompatibleProvider:
    settings = load_settings(
        controller.config,
        "deepseek",
        key_env=("DEEPSEEK_API_KEY",),
        base_url="https://api.deepseek.com",
        models=MODELS,
        default_model="deepseek-chat",
    )
    return OpenAICompatibleProvider(controller, settings, "DeepSeek")


sloppy_plugin_setup, sloppy_register_providers, sloppy_shutdown = provider_plugin(make)
