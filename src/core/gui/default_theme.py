"""The built-in theme: always available, applied before the first frame."""

from __future__ import annotations

from typing import Any

from imgui_bundle import hello_imgui, imgui


class DefaultTheme:
    name = "default"
    label = "Default"

    def apply(self) -> None:
        tweaked = hello_imgui.ImGuiTweakedTheme()
        tweaked.theme = hello_imgui.ImGuiTheme_.darcula_darker
        tweaked.tweaks.rounding = 4.0
        hello_imgui.apply_tweaked_theme(tweaked)
        style = imgui.get_style()
        style.window_padding = imgui.ImVec2(8.0, 8.0)
        style.item_spacing = imgui.ImVec2(8.0, 5.0)

    def draw_background(self, draw_list: Any, size: tuple[float, float], t: float) -> None:
        """The default theme draws no effect."""
