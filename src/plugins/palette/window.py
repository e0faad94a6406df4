"""The palette's imgui side: the Ctrl+Shift+P window (imgui_command_palette) and the activity line.

Everything here runs on the GUI thread, from the ``sloppy_gui_frame`` hook.
The list is synchronised with :func:`palette_entries` when the palette opens
and a few times a second while it stays open, so a "loading…" command turns
into a runnable one in front of the user.
"""

from __future__ import annotations

import time
from typing import Any

from imgui_bundle import hello_imgui, imgui
from imgui_bundle import imgui_command_palette as imcmd
from imgui_bundle.imgui import internal

from src.plugins.palette.entries import PaletteEntry, fuzzy_matches, palette_entries
from src.plugins.palette.runner import FAILED, WAITING, CommandRunner

WINDOW_NAME = "Command Palette"
ACTIVITY_WINDOW = "##palette-activity"
SHORTCUT = imgui.Key.mod_ctrl | imgui.Key.mod_shift | imgui.Key.p
RESYNC_S = 0.25  # how often an open palette refreshes its list
SHOW_RESULT_S = 4.0  # how long a finished run stays on screen
HIGHLIGHT = imgui.ImVec4(1.0, 0.75, 0.2, 1.0)
SPINNER = "|/-\\"


class _ImcmdState:
    """imgui_command_palette keeps one current context in C++ globals.

    Destroying a context while another one is current crashes the process, so
    there is one context per process, never destroyed, shared by every
    :class:`PaletteWindow` (the plugin may be set up again: retried,
    re-enabled, reloaded). ``owner`` is the window whose commands are
    registered in it.
    """

    def __init__(self) -> None:
        self.context: Any = None
        self.labels: dict[str, PaletteEntry] = {}  # label registered in imcmd -> entry
        self.owner: Any = None


# Kept across importlib.reload: a reload must not drop the live context.
_IMCMD: _ImcmdState = globals().get("_IMCMD") or _ImcmdState()


class PaletteWindow:
    """The palette for one set-up of the plugin: its commands in imcmd, its open state."""

    def __init__(self, controller: Any, runner: CommandRunner) -> None:
        self.controller = controller
        self.runner = runner
        self.is_open = False
        self.open_requested = False  # set from any thread (the palette.open command)
        self._synced_at = 0.0
        self._picked: tuple[str, PaletteEntry] | None = None  # set by imcmd's callback, handled after it returns
        self.last_rejected: str | None = None  # the last search whose Enter matched nothing

    # -- per frame ----------------------------------------------------------

    def frame(self) -> None:
        """Handle the shortcut, draw the palette if open, then the activity line."""
        self._claim_imcmd()
        if self.open_requested or imgui.shortcut(SHORTCUT, imgui.InputFlags_.route_global):
            self.open_requested = False
            if not self.is_open:
                self.is_open = True
                self._synced_at = 0.0
                imcmd.set_next_command_palette_search("")
        if self.is_open:
            if time.monotonic() - self._synced_at >= RESYNC_S:
                self.sync(palette_entries(self.controller))
            self._picked = None
            self.is_open = imcmd.command_palette_window(WINDOW_NAME, True)
            if self._picked is not None:
                self._handle_pick(*self._picked)
            if imgui.is_key_pressed(imgui.Key.escape):
                self.is_open = False
        self._draw_activity()

    def labels(self) -> list[str]:
        """What the palette currently lists (for tests and diagnostics)."""
        return sorted(_IMCMD.labels) if _IMCMD.owner is self else []

    def sync(self, entries: list[PaletteEntry]) -> None:
        """Make imcmd's command list match ``entries`` (only the differences are touched)."""
        self._claim_imcmd()
        self._synced_at = time.monotonic()
        wanted, registered = _unique_labels(entries), _IMCMD.labels
        if wanted == registered:
            return
        for label in registered.keys() - wanted.keys():
            imcmd.remove_command(label)
        for label, entry in wanted.items():
            if registered.get(label) != entry:
                if label in registered:
                    imcmd.remove_command(label)
                imcmd.add_command(self._command(label, entry))
        _IMCMD.labels = wanted

    def _claim_imcmd(self) -> None:
        """Make the process's imcmd context, once; drop the commands an earlier set-up registered."""
        if _IMCMD.context is None:
            _IMCMD.context = imcmd.ContextWrapper()
            imcmd.set_style_color(imcmd.ImCmdTextType.highlight, imgui.color_convert_float4_to_u32(HIGHLIGHT))
        if _IMCMD.owner is not self:
            for label in _IMCMD.labels:
                imcmd.remove_command(label)
            _IMCMD.labels, _IMCMD.owner = {}, self
            self._synced_at = 0.0

    def _command(self, label: str, entry: PaletteEntry) -> Any:
        command = imcmd.Command()
        command.name = label
        command.initial_callback = lambda: self._remember_pick(label, entry)
        return command

    def _remember_pick(self, label: str, entry: PaletteEntry) -> None:
        # Called by imcmd inside its window: only note it (an exception here would break imgui's window stack).
        self._picked = (label, entry)

    def _handle_pick(self, label: str, entry: PaletteEntry) -> None:
        """Run the pick, unless it is imcmd's fallback: Enter with no match picks from the whole list."""
        query = _search_text()
        if query and not fuzzy_matches(query, label):
            self.last_rejected = query
            self.is_open = True  # nothing matched: stay open, run nothing
            return
        self.runner.run(entry.id, entry.title)

    # -- the activity line --------------------------------------------------

    def _draw_activity(self) -> None:
        now = time.monotonic()
        shown = [
            a
            for a in self.runner.activities()
            if a.state == WAITING or (a.finished is not None and now - a.finished < SHOW_RESULT_S)
        ]
        if not shown:
            return
        viewport = imgui.get_main_viewport()
        pos = imgui.ImVec2(viewport.work_pos.x + viewport.work_size.x * 0.5, viewport.work_pos.y + 8.0)
        imgui.set_next_window_pos(pos, imgui.Cond_.always, imgui.ImVec2(0.5, 0.0))
        imgui.set_next_window_bg_alpha(0.9)
        flags = (
            imgui.WindowFlags_.no_decoration
            | imgui.WindowFlags_.always_auto_resize
            | imgui.WindowFlags_.no_saved_settings
            | imgui.WindowFlags_.no_focus_on_appearing
            | imgui.WindowFlags_.no_nav
            | imgui.WindowFlags_.no_inputs
        )
        try:
            if imgui.begin(ACTIVITY_WINDOW, None, flags)[0]:
                for activity in shown[-4:]:
                    if activity.state == WAITING:
                        spinner = SPINNER[int(now * 8) % len(SPINNER)]
                        imgui.text_disabled(f"{spinner} {activity.text()}")
                    elif activity.state == FAILED:
                        imgui.text_colored(imgui.ImVec4(1.0, 0.35, 0.3, 1.0), activity.text())
                    else:
                        imgui.text(activity.text())
        finally:
            imgui.end()
        if any(a.state == WAITING for a in shown):
            hello_imgui.request_refresh()  # keep the spinner turning while the loop idles


def _search_text() -> str:
    """The palette's search text (imcmd keeps it private; imgui's input text state has it)."""
    window_id = internal.im_hash_str(WINDOW_NAME, 0, 0)
    box_id = internal.im_hash_str("##SearchBox", 0, internal.im_hash_str(WINDOW_NAME, 0, window_id))
    state = imgui.get_current_context().input_text_state
    return state.get_text() if state.id_ == box_id else ""


def _unique_labels(entries: list[PaletteEntry]) -> dict[str, PaletteEntry]:
    """imcmd identifies commands by name: two equal titles get their ids appended."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.label] = counts.get(entry.label, 0) + 1
    return {(e.label if counts[e.label] == 1 else f"{e.label}  [{e.id}]"): e for e in entries}
