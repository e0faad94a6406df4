"""The built-in providers as the tests see them: wire protocol, key variable, base-URL shape."""

from __future__ import annotations

from dataclasses import dataclass

from tests.fakes.anthropic_wire import AnthropicWire
from tests.fakes.gemini_wire import GeminiWire
from tests.fakes.minimax_wire import MiniMaxWire
from tests.fakes.openai_wire import OpenAIWire
from tests.fakes.server import FakeProviderServer


@dataclass(frozen=True)
class Spec:
    name: str
    wire: type
    key_env: str
    url_suffix: str  # what follows host:port in base_url ("/v1" for OpenAI's default shape)

    def server(self, key: str = "test-key") -> FakeProviderServer:
        return FakeProviderServer(self.wire(), key=key)

    def config(self, base_url: str, **settings: object) -> str:
        """A config table pointing this provider at ``base_url`` (already including the suffix)."""
        lines = [f"[providers.{self.name}]", f'base_url = "{base_url}"']
        for key, value in settings.items():
            lines.append(f"{key} = {value!r}" if not isinstance(value, str) else f'{key} = "{value}"')
        return "\n".join(lines) + "\n"


SPECS = {
    "openai": Spec("openai", OpenAIWire, "OPENAI_API_KEY", "/v1"),
    "deepseek": Spec("deepseek", OpenAIWire, "DEEPSEEK_API_KEY", ""),
    "anthropic": Spec("anthropic", AnthropicWire, "ANTHROPIC_API_KEY", ""),
    "gemini": Spec("gemini", GeminiWire, "GEMINI_API_KEY", ""),
    "minimax": Spec("minimax", MiniMaxWire, "MINIMAX_API_KEY", ""),
}
