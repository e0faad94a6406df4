"""The NERV theme plugin: amber on black, with an animated scan-line grid behind the windows.

A plugin like any other: imported on a pool thread during warm-up (it pulls in
numpy for its effect), never on the main thread. It contributes one theme,
``nerv``, and two commands: ``theme.nerv`` (switch to it) and
``nerv.effects`` (turn the animated effects off or on). Both commands are
also declared in the distribution metadata, so the palette lists them before
this module is imported. While NERV is on screen its ``sloppy_gui_frame``
accents the status bar (an amber rule and sliding hazard stripes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from imgui_bundle import imgui
from imgui_bundle.imgui import internal

from src.core import hookimpl
from src.core.commands import Command
from src.plugins.themes.effects import hazard_stripes, scan_grid

PLUGIN = "nerv"
NAME = "nerv"
STATUS_BAR_WINDOW = "StatusBar"  # hello_imgui's status bar window
HAZARD_WIDTH = 120.0  # pixels of hazard stripes at the status bar's right end

RGBA = tuple[float, float, float, float]

AMBER: RGBA = (1.00, 0.55, 0.00, 1.00)
AMBER_TEXT: RGBA = (1.00, 0.62, 0.10, 1.00)
BLACK: RGBA = (0.02, 0.01, 0.00, 1.00)
ALERT_RED: RGBA = (0.90, 0.08, 0.05, 1.00)

# imgui style colours. Windows are slightly see-through so the grid shows behind them.
STYLE_COLORS: dict[str, RGBA] = {
    "text": AMBER_TEXT,
    "text_disabled": (0.50, 0.30, 0.06, 1.00),
    "window_bg": (0.02, 0.01, 0.00, 0.55),
    "child_bg": (0.00, 0.00, 0.00, 0.00),
    "popup_bg": (0.04, 0.02, 0.00, 0.96),
    "border": (1.00, 0.45, 0.00, 0.55),
    "border_shadow": (0.00, 0.00, 0.00, 0.00),
    "frame_bg": (0.16, 0.07, 0.00, 0.85),
    "frame_bg_hovered": (0.32, 0.13, 0.00, 0.90),
    "frame_bg_active": (0.50, 0.20, 0.00, 0.95),
    "title_bg": (0.12, 0.04, 0.00, 1.00),
    "title_bg_active": (0.62, 0.22, 0.00, 1.00),
    "title_bg_collapsed": (0.08, 0.03, 0.00, 0.80),
    "menu_bar_bg": (0.18, 0.06, 0.00, 1.00),
    "scrollbar_bg": (0.02, 0.01, 0.00, 0.60),
    "scrollbar_grab": (0.55, 0.22, 0.00, 1.00),
    "scrollbar_grab_hovered": (0.80, 0.33, 0.00, 1.00),
    "scrollbar_grab_active": AMBER,
    "check_mark": AMBER,
    "slider_grab": (0.85, 0.36, 0.00, 1.00),
    "slider_grab_active": AMBER,
    "button": (0.45, 0.16, 0.00, 0.70),
    "button_hovered": (0.75, 0.30, 0.00, 0.85),
    "button_active": AMBER,
    "header": (0.55, 0.20, 0.00, 0.55),
    "header_hovered": (0.80, 0.32, 0.00, 0.75),
    "header_active": AMBER,
    "separator": (1.00, 0.45, 0.00, 0.45),
    "separator_hovered": (1.00, 0.55, 0.00, 0.80),
    "separator_active": AMBER,
    "resize_grip": (1.00, 0.45, 0.00, 0.25),
    "resize_grip_hovered": (1.00, 0.55, 0.00, 0.65),
    "resize_grip_active": AMBER,
    "tab": (0.25, 0.09, 0.00, 0.90),
    "tab_hovered": (0.80, 0.32, 0.00, 0.85),
    "tab_selected": (0.60, 0.22, 0.00, 1.00),
    "tab_selected_overline": ALERT_RED,
    "tab_dimmed": (0.10, 0.04, 0.00, 0.95),
    "tab_dimmed_selected": (0.35, 0.13, 0.00, 1.00),
    "docking_preview": (1.00, 0.55, 0.00, 0.50),
    "plot_lines": AMBER,
    "plot_histogram": AMBER,
    "table_header_bg": (0.30, 0.11, 0.00, 1.00),
    "table_border_strong": (1.00, 0.45, 0.00, 0.70),
    "table_border_light": (1.00, 0.45, 0.00, 0.30),
    "table_row_bg": (0.00, 0.00, 0.00, 0.00),
    "table_row_bg_alt": (1.00, 0.45, 0.00, 0.05),
    "text_link": (1.00, 0.80, 0.30, 1.00),
    "text_selected_bg": (1.00, 0.45, 0.00, 0.40),
    "nav_cursor": ALERT_RED,
    "modal_window_dim_bg": (0.00, 0.00, 0.00, 0.60),
}


class NervTheme:
    """Amber on black, square corners, a scan-line grid behind the windows."""

    name = NAME
    label = "NERV"
    clear_color: RGBA = BLACK  # what the window is cleared to under the background effect

    def __init__(self) -> None:
        self.effects_enabled = True

    def apply(self) -> None:
        """Set the imgui style: dark base, NERV colours, no rounding. GUI thread."""
        imgui.style_colors_dark()
        style = imgui.get_style()
        for name, rgba in STYLE_COLORS.items():
            style.set_color_(getattr(imgui.Col_, name), imgui.ImVec4(*rgba))
        for attr in ("window_rounding", "child_rounding", "frame_rounding", "popup_rounding", "scrollbar_rounding"):
            setattr(style, attr, 0.0)
        style.grab_rounding = 0.0
        style.tab_rounding = 0.0
        style.window_border_size = 1.0
        style.frame_border_size = 1.0

    def draw_background(self, draw_list: Any, size: tuple[float, float], t: float) -> None:
        """Draw the grid and the scan sweep (numpy computes them) behind the windows."""
        if not self.effects_enabled:
            return
        frame = scan_grid(size, t)
        width, height = float(size[0]), float(size[1])
        for y, col in zip(frame.h_pos.tolist(), frame.h_col.tolist()):
            draw_list.add_line_h(0.0, width, y, col)
        for x, col in zip(frame.v_pos.tolist(), frame.v_col.tolist()):
            draw_list.add_line_v(x, 0.0, height, col)

    def toggle_effects(self) -> bool:
        self.effects_enabled = not self.effects_enabled
        return self.effects_enabled

    def draw_status_accent(self, t: float) -> bool:
        """An amber rule over the status bar and sliding hazard stripes at its right end; False if no bar."""
        window = internal.find_window_by_name(STATUS_BAR_WINDOW)
        if window is None or not window.active or not self.effects_enabled:
            return False
        x0, y0 = window.pos.x, window.pos.y
        x1, y1 = x0 + window.size.x, y0 + window.size.y
        draw_list = window.draw_list
        amber = imgui.color_convert_float4_to_u32(imgui.ImVec4(*AMBER))
        draw_list.add_line_h(x0, x1, y0 + 1.0, amber, 2.0)
        box = (max(x0, x1 - HAZARD_WIDTH), y0 + 4.0, x1 - 4.0, y1 - 4.0)
        draw_list.push_clip_rect(imgui.ImVec2(box[0], box[1]), imgui.ImVec2(box[2], box[3]), True)
        for quad in hazard_stripes(box, t).tolist():
            draw_list.add_quad_filled(*(imgui.ImVec2(x, y) for x, y in quad), amber)
        draw_list.pop_clip_rect()
        return True


def switch_to_nerv(controller: Any) -> str:
    """``theme.nerv``: ask the window to use NERV (applied at once, or as soon as it is ready)."""
    appearance = getattr(controller, "appearance", None)
    if appearance is None:
        raise RuntimeError("themes apply to the window; Sloppy is running without one (--headless)")
    appearance.request(NAME)
    return "theme: NERV"


def toggle_effects(controller: Any) -> str:
    """``nerv.effects``: turn NERV's animated effects (background grid, status-bar accent) off or on."""
    theme = controller.themes().get(NAME)
    if theme is None:
        raise RuntimeError("the NERV theme is not loaded")
    return "NERV effects on" if theme.toggle_effects() else "NERV effects off"


COMMANDS: list[tuple[str, str, Callable[[Any], str]]] = [
    ("theme.nerv", "Theme: NERV", switch_to_nerv),
    ("nerv.effects", "NERV: Toggle background effects", toggle_effects),
]


@hookimpl
def sloppy_register_themes(register: Callable[[Any], None]) -> None:
    register(NervTheme())


@hookimpl
def sloppy_gui_frame(gui: Any) -> None:
    """While NERV is on screen, accent the status bar (GUI thread)."""
    appearance = getattr(gui, "appearance", None)
    if appearance is None or appearance.current != NAME:
        return
    theme = gui.controller.themes().get(NAME)
    if isinstance(theme, NervTheme):
        theme.draw_status_accent(imgui.get_time())


@hookimpl
def sloppy_register_commands(register: Callable[[Any], None]) -> None:
    for command_id, title, run in COMMANDS:
        register(Command(id=command_id, title=title, run=run, plugin=PLUGIN))
