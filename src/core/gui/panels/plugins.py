"""Plugins: every discovered plugin, like VS Code's Running Extensions."""

from __future__ import annotations

import concurrent.futures as cf
from typing import Any

from imgui_bundle import imgui

from src.core.config import ConfigNotWritable
from src.core.gui.wrap import wrapped
from src.core.warmup import State

MUTED = imgui.ImVec4(0.6, 0.6, 0.65, 1.0)
STATE_COLOURS = {
    State.READY: imgui.ImVec4(0.45, 0.85, 0.5, 1.0),
    State.FAILED: imgui.ImVec4(0.95, 0.4, 0.4, 1.0),
    State.IMPORTING: imgui.ImVec4(0.95, 0.8, 0.35, 1.0),
    State.PENDING: imgui.ImVec4(0.7, 0.7, 0.75, 1.0),
    State.DISABLED: imgui.ImVec4(0.5, 0.5, 0.55, 1.0),
}
# (header, stretch weight, or a fixed width in characters; 0 fits the content)
COLUMNS = (("On", 0), ("Plugin", 1.0), ("State", 0), ("Import ms", 0))


class PluginsPanel:
    def __init__(self, gui: Any) -> None:
        self.gui = gui
        self.show_traceback: set[str] = set()
        self.message: str | None = None
        self._toggles: list[tuple[str, bool, cf.Future]] = []
        self._warming_note: tuple[str, int] | None = None  # (plugin, attempt) the message says is warming

    def draw(self) -> None:
        self._collect_toggles()
        status = self.gui.status
        self._settle_note(status)
        if not status.discovered:
            wrapped("Discovering plugins…", MUTED)
            return
        imgui.text(f"{len(status.plugins)} plugins · {status.enabled_count} enabled · {status.settled_count} settled")
        if self.message:
            wrapped(self.message, MUTED)
        for conflict in status.conflicts:
            wrapped(conflict, STATE_COLOURS[State.IMPORTING])
        flags = imgui.TableFlags_.row_bg | imgui.TableFlags_.borders_inner_h | imgui.TableFlags_.resizable
        if not imgui.begin_table("plugins", len(COLUMNS), flags):
            return
        char = imgui.calc_text_size("M").x
        for name, size in COLUMNS:
            if isinstance(size, float):
                imgui.table_setup_column(name, imgui.TableColumnFlags_.width_stretch, size)
            else:
                fixed = char * size if size else 0.0
                imgui.table_setup_column(name, imgui.TableColumnFlags_.width_fixed, fixed)
        imgui.table_headers_row()
        for plugin in sorted(status.plugins, key=lambda p: (p.kind, p.name)):
            self._row(plugin)
        imgui.end_table()
        for plugin in status.plugins:
            if plugin.state is State.FAILED and plugin.error:
                wrapped(f"{plugin.name}: {plugin.error}", STATE_COLOURS[State.FAILED])
        for plugin in status.plugins:
            if plugin.name in self.show_traceback and plugin.state is State.FAILED:
                imgui.separator_text(f"{plugin.name}: traceback")
                imgui.input_text_multiline(
                    f"##traceback_{plugin.name}",
                    plugin.traceback or plugin.error or "",
                    imgui.ImVec2(-1.0, imgui.get_text_line_height() * 12),
                    imgui.InputTextFlags_.read_only,
                )

    def _row(self, plugin: Any) -> None:
        imgui.table_next_row()
        imgui.table_next_column()
        changed, enabled = imgui.checkbox(f"##enabled_{plugin.name}", plugin.enabled)
        if changed:
            self.toggle(plugin.name, enabled)
        if imgui.is_item_hovered():
            writable = self.gui.controller.config.writable
            imgui.set_tooltip(f"Enable or disable ({'saved to the config' if writable else 'the config is read-only'})")
        imgui.table_next_column()
        imgui.text(plugin.name)
        self._actions(plugin)
        imgui.text_colored(
            MUTED, f"{plugin.kind} · {plugin.distribution} {plugin.version} · {plugin.thread or 'no thread yet'}"
        )
        imgui.table_next_column()
        imgui.text_colored(STATE_COLOURS[plugin.state], plugin.state.value)
        reason = plugin.error if plugin.state is State.FAILED else plugin.note
        if reason:
            imgui.same_line()
            imgui.text_colored(MUTED, "(?)")
            if imgui.is_item_hovered():
                imgui.set_tooltip(reason)
        imgui.table_next_column()
        imgui.text(f"{plugin.import_ms:.0f}" if plugin.import_ms is not None else "–")

    def _actions(self, plugin: Any) -> None:
        """Retry and the traceback for a failed plugin; Reload for a ready one (plugin authors)."""
        controller = self.gui.controller
        if plugin.state is State.FAILED:
            imgui.same_line()
            if imgui.small_button(f"Retry##retry_{plugin.name}"):
                controller.retry(plugin.name)
            imgui.same_line()
            shown = plugin.name in self.show_traceback
            if imgui.small_button(f"{'Hide traceback' if shown else 'Traceback'}##tb_{plugin.name}"):
                self.show_traceback.symmetric_difference_update({plugin.name})
        elif plugin.state is State.READY:
            imgui.same_line()
            if imgui.small_button(f"Reload##reload_{plugin.name}"):
                controller.reload(plugin.name)
                self.message = f"Reloading {plugin.name}: its module is imported again on the pool."
                self._warming_note = (plugin.name, plugin.attempt)

    def toggle(self, name: str, enabled: bool) -> None:
        """Enable (warm now) or disable (unregister now); saved to the config."""
        self._toggles.append((name, enabled, self.gui.controller.set_enabled(name, enabled)))
        saved = "" if self.gui.controller.config.writable else " (for this session only: the config is read-only)"
        if enabled:
            self.message = f"Enabling {name}{saved}: it is warming up now."
            attempt = next((p.attempt for p in self.gui.status.plugins if p.name == name), 0)
            self._warming_note = (name, attempt)
        else:
            what = " for this session" if saved else " and saved"
            self.message = f"{name} disabled{what}; its module stays loaded until restart."

    def _settle_note(self, status: Any) -> None:
        """Drop "… is warming up now" once that plugin settled (ready: the toast says so; failed: say it)."""
        if self._warming_note is None:
            return
        name, attempt = self._warming_note
        plugin = next((p for p in status.plugins if p.name == name), None)
        if plugin is None:
            self._warming_note = None
            return
        if plugin.attempt <= attempt or not plugin.state.settled:
            return  # not started yet, or still warming
        self._warming_note = None
        if plugin.state is State.READY:
            self.message = None
        elif plugin.state is State.FAILED:
            self.message = f"{name} failed to warm up (see below)."
        # disabled again meanwhile: the message says so already

    def _collect_toggles(self) -> None:
        waiting = []
        for name, enabled, future in self._toggles:
            if not future.done():
                waiting.append((name, enabled, future))
                continue
            error = future.exception()
            if isinstance(error, ConfigNotWritable):  # the change is made; only saving it failed
                self._warming_note = None  # keep saying so once it is warm
                state = "enabled for this session (warming up now)" if enabled else "disabled for this session"
                self.message = f"{name} is {state}, but the change could not be saved: {error}"
            elif error is not None:
                self.message = f"Could not {'enable' if enabled else 'disable'} {name}: {error}"
        self._toggles = waiting
