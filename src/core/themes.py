"""Themes: what a theme plugin contributes through ``sloppy_register_themes``."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Theme(Protocol):
    name: str  # "nerv"
    label: str  # "NERV"

    def apply(self) -> None:
        """Set the imgui style (colours, rounding…). Called on the GUI thread."""
        ...

    def draw_background(self, draw_list: Any, size: tuple[float, float], t: float) -> None:
        """Optional per-frame effect drawn behind the windows while the theme is active."""
        ...
