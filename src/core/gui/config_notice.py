"""Config problems, shown in the window: a status-bar button and a popup listing them (file, line, problem).

A config that was not read cleanly is read-only (``Config.writable``): changes made in the window apply to
this session but cannot be saved until the file is fixed by hand.
"""

from __future__ import annotations

from typing import Any

from imgui_bundle import hello_imgui, imgui

from src.core.gui.wrap import wrapped

POPUP = "Config problems"
WARN = imgui.ImVec4(0.95, 0.75, 0.35, 1.0)
READ_ONLY = (
    "The config is read-only until they are fixed: what you change in the window (plugins, theme, provider) "
    "applies to this session but is not saved. Fix the file by hand and restart Sloppy."
)


def status_label(config: Any) -> str | None:
    """The status-bar text when the config has problems, else None."""
    count = len(config.problems)
    if not count:
        return None
    return f"Config: {count} problem{'s' if count != 1 else ''}, read-only"


def toast_text(config: Any) -> str:
    """The warning shown once at start."""
    first = config.problems[0]
    more = len(config.problems) - 1
    extra = f" (and {more} more)" if more else ""
    return f"Config problem: {first}{extra}. The config is read-only until fixed; click the status bar for details."


class ConfigNotice:
    """The status-bar button and its popup."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.open_requested = False

    def draw_status(self) -> None:
        """In the status bar: an amber button that opens the popup (nothing when the config is fine)."""
        label = status_label(self.config)
        if label is None:
            return
        imgui.same_line()
        imgui.text_disabled("|")
        imgui.same_line()
        imgui.push_style_color(imgui.Col_.text, WARN)
        if imgui.small_button(f"{label}###config_problems"):
            self.open_requested = True
        imgui.pop_style_color()
        if imgui.is_item_hovered():
            imgui.set_tooltip("Click for the details")

    def draw_popup(self) -> None:
        """The popup listing every problem with its file and line (call once a frame, outside other windows)."""
        if self.open_requested:
            imgui.open_popup(POPUP)
            self.open_requested = False
        viewport = imgui.get_main_viewport()
        imgui.set_next_window_size_constraints(
            imgui.ImVec2(hello_imgui.em_size(20.0), 0.0),
            imgui.ImVec2(viewport.work_size.x * 0.8, viewport.work_size.y * 0.8),
        )
        imgui.set_next_window_size(imgui.ImVec2(hello_imgui.em_size(40.0), 0.0), imgui.Cond_.appearing)
        if not imgui.begin_popup_modal(POPUP, None)[0]:
            return
        wrapped(f"{self.config.path} has {len(self.config.problems)} problem(s):")
        for problem in self.config.problems:
            imgui.bullet()
            wrapped(problem, WARN)
        imgui.spacing()
        wrapped(READ_ONLY)
        if imgui.button("Copy"):
            imgui.set_clipboard_text("\n".join(self.config.problems))
        imgui.same_line()
        if imgui.button("Close") or imgui.is_key_pressed(imgui.Key.escape):
            imgui.close_current_popup()
        imgui.end_popup()
