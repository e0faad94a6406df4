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

Windows drawn over the panels (a floating panel, popups, dialogs) are made
opaque whatever the theme's transparency, so no text shows through them; the
theme's own ``WindowBg`` alpha is kept for the veil over its effect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from imgui_bundle import hello_imgui, imgui

SEE_THROUGH = imgui.WindowFlags_.no_background.value
# Not hello_imgui's default PassthruCentralNode: with it the dock space fills everything
# around its central node with WindowBg, under the panels.
DOCK_SPACE_FLAGS = imgui.DockNodeFlags_.none.value


OPAQUE_ON_TOP = (imgui.Col_.window_bg, imgui.Col_.popup_bg)


def _opaque(colour: imgui.ImVec4) -> imgui.ImVec4:
    return imgui.ImVec4(colour.x, colour.y, colour.z, 1.0)


class Backdrop:
    """Paints behind the panels once a frame; keeps each dockable window's background flag right."""

    def __init__(self, params: hello_imgui.RunnerParams) -> None:
        self._params = params
        self._docked: dict[str, bool] = {}
        self.panel_colour = imgui.ImVec4(0.0, 0.0, 0.0, 1.0)  # the theme's WindowBg, its alpha too
        self.veiled = False  # whether the last frame laid the panels' colour over a theme's effect

    def theme_applied(self) -> None:
        """After a theme set the style: remember its panel colour, make windows on top opaque. GUI thread."""
        style = imgui.get_style()
        bg = style.color_(imgui.Col_.window_bg)
        self.panel_colour = imgui.ImVec4(bg.x, bg.y, bg.z, bg.w)
        for colour in OPAQUE_ON_TOP:
            style.set_color_(colour, _opaque(style.color_(colour)))

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
            clear = _opaque(self.panel_colour)
            self.veiled = draw_list.vtx_buffer.size() > before
            if self.veiled:
                veil = imgui.color_convert_float4_to_u32(self.panel_colour)
                draw_list.add_rect_filled(imgui.ImVec2(0, 0), size, veil)
                clear = imgui.ImVec4(0.0, 0.0, 0.0, 1.0)
            self._params.imgui_window_params.background_color = clear


def see_through(windows: list[hello_imgui.DockableWindow]) -> list[hello_imgui.DockableWindow]:
    """The windows, see-through from their first frame (the default layout docks them all)."""
    for window in windows:
        window.imgui_window_flags = window.imgui_window_flags | SEE_THROUGH
    return windows
