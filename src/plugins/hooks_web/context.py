"""What every route handler of one running server shares."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from src.plugins.hooks_web.settings import WebSettings


@dataclass
class WebContext:
    controller: Any
    settings: WebSettings
    port: int = 0  # the port actually bound (differs from settings.port when that is 0)
    # Set on the server's loop when it begins to stop: long polls return at once.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def web_summary(self) -> dict:
        """Where the server listens and whether it wants a key; never the key itself."""
        return {
            "host": self.settings.host,
            "port": self.port,
            "key_required": self.settings.key_required,
            "key_header": "X-API-Key",
        }
