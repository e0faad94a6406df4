"""The menu bar: File, View, Theme, Help."""

from __future__ import annotations

from typing import Any

from imgui_bundle import hello_imgui, imgui

from src.core import __version__
from src.core.gui.layout import PLACEMENT, layout_path
from src.core.warmup import State


def draw_menus(gui: Any) -> None:
    _file_menu(gui)
    _view_menu(gui)
    _theme_menu(gui)
    _help_menu(gui)
    _about_popup(gui)
    _clear_popup(gui)


def _file_menu(gui: Any) -> None:
    if not imgui.begin_menu("File"):
        return
    if imgui.menu_item_simple("Add context files…"):
        gui.open_panel("Context")
        gui.panels["Context"].open_dialog()
    chat = gui.controller.chat
    if imgui.menu_item_simple("Clear discussion", enabled=chat is not None):
        gui.request_clear()
    imgui.separator()
    if imgui.menu_item_simple("Quit", "Ctrl+Q"):
        gui.quit()
    imgui.end_menu()


def _view_menu(gui: Any) -> None:
    if not imgui.begin_menu("View"):
        return
    docking = gui.runner_params.docking_params
    for label in PLACEMENT:
        window = docking.dockable_window_of_name(label)
        if imgui.menu_item_simple(label, selected=window.is_visible):
            gui.open_panel(label)  # show and focus; a panel is closed with its own × button
    imgui.separator()
    if imgui.menu_item_simple("Reset layout"):
        docking.layout_reset = True
    imgui.end_menu()


def _theme_menu(gui: Any) -> None:
    if not imgui.begin_menu("Theme"):
        return
    appearance = gui.appearance
    current = appearance.current
    for name, label in appearance.available().items():
        if imgui.menu_item_simple(f"{label}##theme_{name}", selected=name == current):
            appearance.request(name)
    loading = [p.name for p in gui.status.plugins if p.kind == "theme" and p.state in (State.PENDING, State.IMPORTING)]
    for name in loading:
        imgui.menu_item_simple(f"{name} (loading…)##theme_wait_{name}", enabled=False)
    imgui.end_menu()


def _help_menu(gui: Any) -> None:
    if not imgui.begin_menu("Help"):
        return
    if imgui.menu_item_simple("Plugins"):
        gui.open_panel("Plugins")
    if imgui.menu_item_simple("Start-up profile"):
        gui.open_panel("Diagnostics")
    if imgui.menu_item_simple("About Sloppy"):
        gui.about_requested = True
    imgui.end_menu()


CLEAR_POPUP = "Clear the discussion"


def _clear_popup(gui: Any) -> None:
    """The confirmation File > Clear discussion and the chat.clear command ask for."""
    if gui.clear_requested:
        imgui.open_popup(CLEAR_POPUP)
        gui.clear_requested = False
    if not imgui.begin_popup_modal(CLEAR_POPUP, None, imgui.WindowFlags_.always_auto_resize)[0]:
        return
    chat = gui.controller.chat
    count = len(chat.snapshot().messages) if chat is not None else 0
    noun = "message" if count == 1 else "messages"
    imgui.text(f"Clear {count} {noun}? This cannot be undone.")
    imgui.text_disabled("The context files stay.")
    if imgui.button("Clear") and chat is not None:
        chat.clear()
        imgui.close_current_popup()
    imgui.same_line()
    if imgui.button("Cancel") or imgui.is_key_pressed(imgui.Key.escape):
        imgui.close_current_popup()
    imgui.end_popup()


def _about_popup(gui: Any) -> None:
    if gui.about_requested:
        imgui.open_popup("About Sloppy")
        gui.about_requested = False
    if imgui.begin_popup_modal("About Sloppy", None, imgui.WindowFlags_.always_auto_resize)[0]:
        imgui.text(f"Sloppy {__version__}: a desktop AI client for your code and documents.")
        imgui.text(f"Config: {gui.controller.config.path}")
        imgui.text(f"Layout: {layout_path()}")
        imgui.text(hello_imgui.get_backend_description())
        if imgui.button("Close"):
            imgui.close_current_popup()
        imgui.end_popup()
