"""Notices that wrap at the panel's edge instead of running off it."""

from __future__ import annotations

from imgui_bundle import imgui


def wrapped(text: str, colour: imgui.ImVec4 | None = None) -> None:
    """``text`` wrapped to the window's width, in ``colour`` when given (continuation lines keep its indent)."""
    if colour is not None:
        imgui.push_style_color(imgui.Col_.text, colour)
    imgui.text_wrapped(text)
    if colour is not None:
        imgui.pop_style_color()
