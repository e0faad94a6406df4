"""Where the panels dock, and where the layout is remembered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from imgui_bundle import hello_imgui, imgui

from src.core.paths import config_dir

LAYOUT_FILE = "layout.ini"


def layout_path() -> Path:
    """The imgui settings file (docking layout, window sizes): in the user config dir, never the cwd."""
    return config_dir() / LAYOUT_FILE


def docking_splits() -> list[hello_imgui.DockingSplit]:
    return [
        hello_imgui.DockingSplit("MainDockSpace", "SideSpace", imgui.Dir.left, 0.26),
        hello_imgui.DockingSplit("MainDockSpace", "ToolSpace", imgui.Dir.right, 0.42),
        hello_imgui.DockingSplit("MainDockSpace", "MessageSpace", imgui.Dir.down, 0.27),
        hello_imgui.DockingSplit("SideSpace", "ProviderSpace", imgui.Dir.down, 0.5),
    ]


PLACEMENT = {
    "Discussion": "MainDockSpace",
    "Message": "MessageSpace",
    "Context": "SideSpace",
    "Providers": "ProviderSpace",
    "Plugins": "ToolSpace",
    "Diagnostics": "ToolSpace",
}


def dockable_windows(draw: dict[str, Callable[[], None]]) -> list[hello_imgui.DockableWindow]:
    windows = []
    for label, space in PLACEMENT.items():
        window = hello_imgui.DockableWindow(label, space, draw[label])
        window.can_be_closed = label not in ("Discussion", "Message")
        windows.append(window)
    return windows
