"""Plugins: every discovered plugin, like VS Code's Running Extensions.

The table fits the panel's width: the "On", "State" and "Import ms" columns
are as wide as their widest text, the "Plugin" column takes the rest, and
what does not fit on a line there wraps instead of being cut (the details
line breaks between its parts; the buttons move under the name). Hovering a
plugin's name or details shows everything about it in a tooltip.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable
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
COLUMNS = ("On", "Plugin", "State", "Import ms")
SEPARATOR = " · "
REASON_MARK = "(?)"


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
        plugins = sorted(status.plugins, key=lambda p: (p.kind, p.name))
        flags = imgui.TableFlags_.row_bg | imgui.TableFlags_.borders_inner_h | imgui.TableFlags_.borders_inner_v
        if not imgui.begin_table("plugins", len(COLUMNS), flags):
            return
        fixed, stretch = imgui.TableColumnFlags_.width_fixed, imgui.TableColumnFlags_.width_stretch
        # Fixed columns as wide as their widest text (header included), measured each frame: nothing is cut.
        imgui.table_setup_column(COLUMNS[0], fixed, max(imgui.get_frame_height(), _width(COLUMNS[0])))
        imgui.table_setup_column(COLUMNS[1], stretch, 1.0)
        margin = imgui.get_style().cell_padding.x  # the last column has no padding on its right
        states = [_state_text(p) for p in plugins]
        imgui.table_setup_column(COLUMNS[2], fixed, max(_width(t) for t in [COLUMNS[2], *states]) + margin)
        times = [_import_ms(p) for p in plugins]
        imgui.table_setup_column(COLUMNS[3], fixed, max(_width(t) for t in [COLUMNS[3], *times]) + margin)
        imgui.table_headers_row()
        for plugin in plugins:
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
        self._details_tooltip(plugin)
        self._actions(plugin)
        imgui.push_style_color(imgui.Col_.text, MUTED)
        for line in fit_parts(details_parts(plugin), imgui.get_content_region_avail().x, _width):
            imgui.text_wrapped(line)  # wraps only a single part wider than the column
            self._details_tooltip(plugin)
        imgui.pop_style_color()
        imgui.table_next_column()
        imgui.text_colored(STATE_COLOURS[plugin.state], plugin.state.value)
        reason = _reason(plugin)
        if reason:
            imgui.same_line()
            imgui.text_colored(MUTED, REASON_MARK)
            if imgui.is_item_hovered():
                imgui.set_tooltip(reason)
        imgui.table_next_column()
        text = _import_ms(plugin)  # right-aligned, like the numbers it is compared with
        right = imgui.get_content_region_avail().x - _width(text) - imgui.get_style().cell_padding.x
        imgui.set_cursor_pos_x(imgui.get_cursor_pos_x() + max(0.0, right))
        imgui.text(text)

    @staticmethod
    def _details_tooltip(plugin: Any) -> None:
        if imgui.is_item_hovered():
            imgui.set_tooltip(details_tooltip(plugin))

    def _actions(self, plugin: Any) -> None:
        """Retry and the traceback for a failed plugin; Reload for a ready one (plugin authors)."""
        controller = self.gui.controller
        if plugin.state is State.FAILED:
            _same_line_if_fits("Retry")
            if imgui.small_button(f"Retry##retry_{plugin.name}"):
                controller.retry(plugin.name)
            shown = plugin.name in self.show_traceback
            label = "Hide traceback" if shown else "Traceback"
            _same_line_if_fits(label)
            if imgui.small_button(f"{label}##tb_{plugin.name}"):
                self.show_traceback.symmetric_difference_update({plugin.name})
        elif plugin.state is State.READY:
            _same_line_if_fits("Reload")
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


def details_parts(plugin: Any) -> list[str]:
    """The row's second line, in parts: kind, distribution and version, and the thread that imported it."""
    return [plugin.kind, f"{plugin.distribution} {plugin.version}", *([plugin.thread] if plugin.thread else [])]


def fit_parts(parts: list[str], width: float, measure: Callable[[str], float]) -> list[str]:
    """``parts`` joined by " · " into as few lines as fit ``width`` (a part wider than that gets a line of its own)."""
    lines: list[str] = []
    for part in parts:
        if lines and measure(lines[-1] + SEPARATOR + part) <= width:
            lines[-1] += SEPARATOR + part
        else:
            lines.append(part)
    return lines


def details_tooltip(plugin: Any) -> str:
    """Everything the panel knows about one plugin, for the tooltip over its name."""
    lines = [
        f"{plugin.name} ({plugin.kind}): {plugin.state.value}",
        f"distribution {plugin.distribution} {plugin.version}",
        f"module {plugin.module}",
        f"thread {plugin.thread or '– (not started)'}",
    ]
    timings = [
        f"{label} {value:.0f} ms"
        for label, value in (
            ("started at", plugin.started_ms),
            ("import", plugin.import_ms),
            ("import + setup", plugin.duration_ms),
        )
        if value is not None
    ]
    if timings:
        lines.append(", ".join(timings))
    reason = _reason(plugin)
    if reason:
        lines.append(reason)
    return "\n".join(lines)


def _reason(plugin: Any) -> str | None:
    return plugin.error if plugin.state is State.FAILED else plugin.note


def _state_text(plugin: Any) -> str:
    return f"{plugin.state.value} {REASON_MARK}" if _reason(plugin) else plugin.state.value


def _import_ms(plugin: Any) -> str:
    return f"{plugin.import_ms:.0f}" if plugin.import_ms is not None else "–"


def _width(text: str) -> float:
    return imgui.calc_text_size(text).x


def _same_line_if_fits(label: str) -> None:
    """Put a small button with ``label`` on the current line when it fits the column, else on the next."""
    needed = _width(label) + 2 * imgui.get_style().frame_padding.x
    imgui.same_line()  # the cursor is now after the previous item and the spacing
    if imgui.get_content_region_avail().x < needed:
        imgui.new_line()
