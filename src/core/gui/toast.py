"""Toasts: a short message at the bottom right that hides itself and can be dismissed."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from imgui_bundle import imgui

SHOW_SECONDS = 6.0
WRAP_EMS = 32.0  # the widest a toast line gets, in font heights
GREEN_U32 = imgui.IM_COL32(70, 200, 95, 255)
RED_U32 = imgui.IM_COL32(230, 70, 70, 255)


@dataclass
class Toast:
    text: str
    ok: bool
    shown_at: float
    seconds: float = SHOW_SECONDS
    sticky: bool = False  # later toasts wait until this one is dismissed or timed out


class Toasts:
    def __init__(self) -> None:
        self.current: Toast | None = None
        self.shown: list[str] = []  # every toast text, oldest first (for tests and Diagnostics)
        self.dismissed = 0
        self._waiting: deque[Toast] = deque()  # behind a sticky toast

    def show(self, text: str, ok: bool = True, seconds: float = SHOW_SECONDS, *, sticky: bool = False) -> None:
        toast = Toast(text, ok, time.monotonic(), seconds, sticky)
        self.shown.append(text)
        if self.current is not None and self.current.sticky and not self._expired(self.current):
            self._waiting.append(toast)
        else:
            self.current = toast

    def dismiss(self) -> None:
        if self.current is not None:
            self.current = None
            self.dismissed += 1
            self._next()

    def _expired(self, toast: Toast) -> bool:
        return time.monotonic() - toast.shown_at > toast.seconds

    def _next(self) -> None:
        if self._waiting:
            toast = self._waiting.popleft()
            toast.shown_at = time.monotonic()
            self.current = toast

    def draw(self) -> None:
        toast = self.current
        if toast is None:
            return
        if self._expired(toast):
            self.current = None
            self._next()
            return
        viewport = imgui.get_main_viewport()
        margin = imgui.get_font_size()
        pos = imgui.ImVec2(
            viewport.work_pos.x + viewport.work_size.x - margin,
            viewport.work_pos.y + viewport.work_size.y - margin * 2.5,
        )
        imgui.set_next_window_pos(pos, imgui.Cond_.always, imgui.ImVec2(1.0, 1.0))
        imgui.set_next_window_bg_alpha(0.92)
        flags = (
            imgui.WindowFlags_.no_decoration
            | imgui.WindowFlags_.always_auto_resize
            | imgui.WindowFlags_.no_saved_settings
            | imgui.WindowFlags_.no_focus_on_appearing
            | imgui.WindowFlags_.no_nav
            | imgui.WindowFlags_.no_docking
        )
        if imgui.begin("##toast", None, flags):
            _dot(GREEN_U32 if toast.ok else RED_U32)
            imgui.same_line()
            imgui.push_text_wrap_pos(imgui.get_cursor_pos_x() + min(margin * WRAP_EMS, viewport.work_size.x * 0.6))
            imgui.text_wrapped(toast.text)  # a long message wraps instead of running off the window
            imgui.pop_text_wrap_pos()
            imgui.same_line()
            if imgui.small_button("Dismiss##toast"):
                self.dismiss()
        imgui.end()


def _dot(colour: int) -> None:
    size = imgui.get_text_line_height()
    pos = imgui.get_cursor_screen_pos()
    centre = imgui.ImVec2(pos.x + size * 0.5, pos.y + size * 0.5)
    imgui.get_window_draw_list().add_circle_filled(centre, size * 0.32, colour)
    imgui.dummy(imgui.ImVec2(size, size))
