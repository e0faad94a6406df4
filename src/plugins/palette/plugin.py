"""The command palette plugin: Ctrl+Shift+P, fuzzy search over every plugin's commands.

Imported on a pool thread during warm-up like any plugin. It draws through
``sloppy_gui_frame`` (GUI thread, only once it is ready), lists
``controller.commands()`` plus the commands still-loading plugins have
declared, and runs the picked one on the writer; a command whose plugin is
still loading waits for it in view. It contributes ``palette.open`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from imgui_bundle import hello_imgui

from src.core import hookimpl
from src.core.commands import Command
from src.plugins.palette.runner import CommandRunner
from src.plugins.palette.window import PaletteWindow

PLUGIN = "palette"


class Palette:
    """This plugin's state for one controller: the runner and the window."""

    def __init__(self, controller: Any) -> None:
        wake = hello_imgui.request_refresh if controller.mode == "gui" else None
        self.runner = CommandRunner(controller, on_change=wake)
        self.window = PaletteWindow(controller, self.runner)
        self._wake = wake

    def request_open(self) -> str:
        self.window.open_requested = True
        if self._wake is not None:
            self._wake()
        return "command palette opened"


_palette: Palette | None = None  # set by sloppy_plugin_setup, for the hooks below


def palette() -> Palette:
    """This plugin's state; raises if the plugin was not set up."""
    if _palette is None:
        raise RuntimeError("the palette plugin is not set up")
    return _palette


def open_palette(controller: Any) -> str:
    """``palette.open``: show the palette (in the window; an error when headless)."""
    if controller.mode != "gui":
        raise RuntimeError("the command palette needs the window; Sloppy is running without one (--headless)")
    return palette().request_open()


@hookimpl
def sloppy_plugin_setup(controller: Any) -> None:
    global _palette
    _palette = Palette(controller)


@hookimpl
def sloppy_register_commands(register: Callable[[Any], None]) -> None:
    register(Command(id="palette.open", title="Command Palette: Open", run=open_palette, plugin=PLUGIN))


@hookimpl
def sloppy_gui_frame(gui: Any) -> None:
    palette().window.frame()


@hookimpl
def sloppy_plugin_ready(info: Any) -> None:
    if _palette is not None:
        _palette.runner.plugin_ready(info.name)


@hookimpl
def sloppy_plugin_failed(info: Any) -> None:
    if _palette is not None:
        _palette.runner.plugin_failed(info.name, info.error)


@hookimpl
def sloppy_warmup_complete(status: Any) -> None:
    if _palette is not None:
        _palette.runner.recheck_waiting()
