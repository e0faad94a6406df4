"""Commands: what the palette lists and the Hook API runs.

A plugin contributes them through ``sloppy_register_commands``; the core and
the GUI add their own through ``AppController.add_contributions``. The palette
and ``/api/commands`` show the same objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Command:
    id: str  # unique, dotted: "theme.nerv", "chat.clear"
    title: str  # what the palette shows: "Theme: NERV"
    run: Callable[[Any], Any]  # run(controller); called on the writer thread, must not block
    plugin: str = "core"

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "plugin": self.plugin}
