"""One fill per pixel: docked panels are see-through, and what lies behind them is their background.

Why: on a software renderer (Mesa llvmpipe: Xvfb, most VMs, remote desktops)
every full-window fill costs 8–10 ms a frame at 1200×760. The docked panels
cover the whole window, so drawing their backgrounds over the cleared window
doubled the cost of a frame against a bare imgui window (measured in
docs/PERFORMANCE.md). Instead, a docked panel gets ``NoBackground`` and the
window is cleared to the panels' colour (the theme's ``WindowBg``, opaque: the
panels' background over the dock space's looked the same). A theme that draws a
background effect gets ``WindowBg`` laid once over its effect, so the effect
shows through as it did through a panel. A panel dragged out of the dock gets
its background back from its next frame on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from imgui_bundle import hello_imgui, imgui

SEE_THROUGH = imgui.WindowFlags_.no_background.value
# Not hello_imgui's default PassthruCentralNode: with it the dock space fills everything
# around its central node with WindowBg, under the panels.
DOCK_SPACE_FLAGS = imgui.DockNodeFlags_.none.value


def opaque_panel_colour() -> imgui.ImVec4:
    """The theme's window background without its transparency."""
    bg = imgui.get_style().color_(imgui.Col_.window_bg)
    return imgui.ImVec4(bg.x, bg.y, bg.z, 1.0)


class Backdrop:
    """Paints behind the panels once a frame; keeps each dockable window's background flag right."""

    def __init__(self, params: hello_imgui.RunnerParams) -> None:
        self._params = params
        self._docked: dict[str, bool] = {}
        self.veiled = False  # whether the last frame laid the panels' colour over a theme's effect

    def panel(self, label: str, draw: Callable[[], None]) -> Callable[[], None]:
        """``draw`` for the dockable window ``label``: notes whether it is docked (inside its Begin)."""

        def draw_panel() -> None:
            docked = imgui.is_window_docked()
            if self._docked.get(label) != docked:
                self._docked[label] = docked
                window = self._params.docking_params.dockable_window_of_name(label)
                flags = window.imgui_window_flags
                window.imgui_window_flags = flags | SEE_THROUGH if docked else flags & ~SEE_THROUGH
            draw()

        return draw_panel

    def paint(self, theme: Any, t: float) -> None:
        """The theme's effect, then the panels' colour: over it (veil) or as the clear colour. GUI thread."""
        draw_list = imgui.get_background_draw_list()
        size = imgui.get_io().display_size
        before = draw_list.vtx_buffer.size()
        try:
            theme.draw_background(draw_list, (size.x, size.y), t)
        finally:
            panels = opaque_panel_colour()
            self.veiled = draw_list.vtx_buffer.size() > before
            if self.veiled:
                bg = imgui.get_style().color_(imgui.Col_.window_bg)
                draw_list.add_rect_filled(imgui.ImVec2(0, 0), size, imgui.color_convert_float4_to_u32(bg))
                panels = imgui.ImVec4(0.0, 0.0, 0.0, 1.0)
            self._params.imgui_window_params.background_color = panels


def see_through(windows: list[hello_imgui.DockableWindow]) -> list[hello_imgui.DockableWindow]:
    """The windows, see-through from their first frame (the default layout docks them all)."""
    for window in windows:
        window.imgui_window_flags = window.imgui_window_flags | SEE_THROUGH
    return windows
