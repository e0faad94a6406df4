"""Context: the files that go with a message: add (path, glob or file dialog), remove, sizes."""

from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path
from typing import Any

from imgui_bundle import im_file_dialog, imgui

from src.core.gui.wrap import wrapped

MUTED = imgui.ImVec4(0.6, 0.6, 0.65, 1.0)
ERROR = imgui.ImVec4(0.95, 0.4, 0.4, 1.0)
OK = imgui.ImVec4(0.55, 0.9, 0.6, 1.0)
DIALOG_KEY = "sloppy.context.open"


class ContextPanel:
    def __init__(self, gui: Any) -> None:
        self.gui = gui
        self.pattern = ""
        self.message: tuple[str, bool] | None = None  # (text, ok)
        self._pending: cf.Future | None = None
        self._preview: tuple[int, str] = (-1, "")  # (snapshot version, context document)

    def open_dialog(self) -> None:
        start = str(self.gui.controller.options.get("project") or Path.cwd())
        im_file_dialog.FileDialog.instance().open(DIALOG_KEY, "Add context files", ".*", True, start)

    def close_dialog(self) -> None:
        im_file_dialog.FileDialog.instance().close()

    def add(self, *patterns: str) -> None:
        """Add paths or globs on the pool (globbing a big folder must not stall a frame)."""
        chat = self.gui.controller.chat
        patterns = tuple(p.strip() for p in patterns if p.strip())
        if not patterns:
            return
        if chat is None:
            self.message = ("The chat session is not available.", False)
            return
        if self._pending is not None:
            self.message = ("Still adding the previous files…", False)
            return
        self._pending = self.gui.controller.submit_io(_add_all, chat, patterns)
        self.message = (f"Adding {', '.join(patterns)}…", True)

    def draw(self) -> None:
        self._collect_pending()
        chat = self.gui.controller.chat
        imgui.set_next_item_width(-imgui.calc_text_size("Add  Browse…").x - imgui.get_style().item_spacing.x * 4)
        entered, self.pattern = imgui.input_text_with_hint(
            "##context_path", "path or glob (src/**/*.py)", self.pattern, imgui.InputTextFlags_.enter_returns_true
        )
        imgui.same_line()
        if imgui.button("Add") or entered:
            self.add(self.pattern)
        imgui.same_line()
        if imgui.button("Browse…"):
            self.open_dialog()
        if self.message:
            text, ok = self.message
            wrapped(text, OK if ok else ERROR)
        if chat is None:
            return
        snap = chat.snapshot()
        if not snap.context:
            wrapped("No context files. They are sent with every message.", MUTED)
            return
        chars, tokens = chat.context_size()
        imgui.text(f"{len(snap.context)} files, {chars:,} chars (~{tokens:,} tokens)")
        flags = imgui.TableFlags_.row_bg | imgui.TableFlags_.borders_inner_h | imgui.TableFlags_.scroll_y
        height = imgui.get_frame_height_with_spacing() * min(len(snap.context) + 1, 10)
        if imgui.begin_table("context_files", 3, flags, imgui.ImVec2(0.0, height)):
            imgui.table_setup_column("File", imgui.TableColumnFlags_.width_stretch)
            imgui.table_setup_column("Chars", imgui.TableColumnFlags_.width_fixed)
            imgui.table_setup_column("##remove", imgui.TableColumnFlags_.width_fixed)
            for path, size in snap.context:
                imgui.table_next_row()
                imgui.table_next_column()
                imgui.text(_short(path, self.gui.controller.options.get("project")))
                if imgui.is_item_hovered():
                    imgui.set_tooltip(path)
                imgui.table_next_column()
                imgui.text(f"{size:,}")
                imgui.table_next_column()
                if imgui.small_button(f"Remove##{path}"):
                    chat.remove_context(path)
            imgui.end_table()
        if imgui.tree_node("What will be sent##context_preview"):
            if self._preview[0] != snap.version:
                self._preview = (snap.version, chat.context_document())
            imgui.input_text_multiline(
                "##context_document", self._preview[1], imgui.ImVec2(-1.0, -1.0), imgui.InputTextFlags_.read_only
            )
            imgui.tree_pop()

    def _collect_pending(self) -> None:
        future = self._pending
        if future is None or not future.done():
            return
        self._pending = None
        try:
            added = future.result()
        except ValueError as e:
            self.message = (str(e), False)
        except Exception as e:  # noqa: BLE001 - shown, never raised into the frame
            self.message = (f"Could not add context: {e}", False)
        else:
            self.message = (f"Added {len(added)} file{'s' if len(added) != 1 else ''}.", True)
            self.pattern = ""

    def poll_dialog(self) -> None:
        """Draw the file dialog while open and take its result (every frame, panel shown or not)."""
        dialog = im_file_dialog.FileDialog.instance()
        if dialog.is_done(DIALOG_KEY):
            if dialog.has_result():
                self.add(*(result.path() for result in dialog.get_results()))
            dialog.close()


def _add_all(chat: Any, patterns: tuple[str, ...]) -> list[str]:  # pool
    added: list[str] = []
    for pattern in patterns:
        added.extend(chat.add_context(pattern))
    return added


def _short(path: str, project: Any) -> str:
    try:
        return str(Path(path).relative_to(Path(project))) if project else path
    except ValueError:
        return path
