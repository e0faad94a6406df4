"""``sloppy_gui_frame``: ready plugins draw their part of the window, each in isolation."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from src.core.gui.guard import imgui_state_kept

log = logging.getLogger(__name__)


class PluginFrames:
    def __init__(self, pm: Any, on_broken: Callable[[str, Exception], None]) -> None:
        self._pm = pm
        self._on_broken = on_broken
        self.broken: dict[str, str] = {}  # plugin -> why its sloppy_gui_frame is no longer called

    def draw(self, gui: Any, ready: set[str]) -> None:
        """Call each ready plugin's implementation; one that raises is not called again."""
        for impl in self._pm.hook.sloppy_gui_frame.get_hookimpls():
            name = impl.plugin_name
            if name not in ready or name in self.broken or impl.hookwrapper or impl.wrapper:
                continue
            try:
                with imgui_state_kept():
                    impl.function(*({"gui": gui}[arg] for arg in impl.argnames))
            except Exception as e:
                self.broken[name] = f"{type(e).__name__}: {e}"
                log.exception("plugin %s raised in sloppy_gui_frame; it is no longer drawn", name)
                self._on_broken(name, e)
