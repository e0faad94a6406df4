"""The status bar: the warm-up indicator, and what the chat is doing."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from imgui_bundle import imgui

from src.core.gui.indicator import Indicator, Phase

GREEN = imgui.IM_COL32(70, 200, 95, 255)
RED = imgui.IM_COL32(230, 70, 70, 255)
GREY = imgui.IM_COL32(160, 160, 170, 255)


def draw_indicator(indicator: Indicator, open_plugins: Callable[[], None]) -> None:
    """Spinner + "Warming up… (k/N)", green dot + "All plugins ready", or red "N failed"."""
    size = imgui.get_text_line_height()
    if indicator.phase in (Phase.DISCOVERING, Phase.WARMING):
        _spinner(size)
        imgui.same_line()
        imgui.text(indicator.label)
    elif indicator.phase is Phase.READY:
        _dot(size, GREEN)
        imgui.same_line()
        imgui.text(indicator.label)
    else:
        _dot(size, RED)
        imgui.same_line()
        imgui.push_style_color(imgui.Col_.text, imgui.ImVec4(0.95, 0.4, 0.4, 1.0))
        clicked = imgui.small_button(f"{indicator.label}##indicator")
        imgui.pop_style_color()
        if imgui.is_item_hovered():
            imgui.set_tooltip("Failed: " + ", ".join(indicator.failed) + "\nClick to open the Plugins panel")
        if clicked:
            open_plugins()


def _dot(size: float, colour: int) -> None:
    pos = imgui.get_cursor_screen_pos()
    radius = size * 0.32
    centre = imgui.ImVec2(pos.x + size * 0.5, pos.y + size * 0.5)
    imgui.get_window_draw_list().add_circle_filled(centre, radius, colour)
    imgui.dummy(imgui.ImVec2(size, size))


def _spinner(size: float) -> None:
    pos = imgui.get_cursor_screen_pos()
    draw_list = imgui.get_window_draw_list()
    centre = imgui.ImVec2(pos.x + size * 0.5, pos.y + size * 0.5)
    radius = size * 0.36
    start = (time.monotonic() * 6.0) % (2 * math.pi)
    draw_list.path_clear()
    draw_list.path_arc_to(centre, radius, start, start + math.pi * 1.4, 16)
    draw_list.path_stroke(GREY, thickness=max(1.5, size * 0.12))
    imgui.dummy(imgui.ImVec2(size, size))
