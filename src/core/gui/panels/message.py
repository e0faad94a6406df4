"""Message: the multi-line input, Send (Ctrl+Enter), Cancel, and the context size."""

from __future__ import annotations

from typing import Any

from imgui_bundle import hello_imgui, imgui

from src.core.chat.session import BUSY_NOTICE, WARMING_NOTICE
from src.core.gui.wrap import wrapped

MUTED = imgui.ImVec4(0.6, 0.6, 0.65, 1.0)
ERROR = imgui.ImVec4(0.95, 0.4, 0.4, 1.0)
REFUSALS = (BUSY_NOTICE, WARMING_NOTICE)  # the session's notices for a send it did not take


class MessagePanel:
    def __init__(self, gui: Any) -> None:
        self.gui = gui
        self.text = ""
        self.error: str | None = None
        self.sent: list[str] = []  # what was handed to the chat session, for tests and history
        self._pending: tuple[str, int, int] | None = None  # (text, version, messages) handed over, not yet settled

    def draw(self) -> None:
        chat = self.gui.controller.chat
        busy = bool(chat is not None and chat.snapshot().busy)
        loading = self.loading_provider()
        self._check_pending()
        footer = imgui.get_frame_height_with_spacing() * 1.2 + imgui.get_text_line_height_with_spacing()
        height = max(imgui.get_content_region_avail().y - footer, hello_imgui.em_size(3.0))
        flags = imgui.InputTextFlags_.enter_returns_true | imgui.InputTextFlags_.word_wrap
        submitted, self.text = imgui.input_text_multiline("##message", self.text, imgui.ImVec2(-1.0, height), flags)
        if submitted and not busy and not loading:
            self.send()
        imgui.begin_disabled(busy or bool(loading) or not self.text.strip())
        if imgui.button("Send"):
            self.send()
        imgui.end_disabled()
        if imgui.is_item_hovered(imgui.HoveredFlags_.allow_when_disabled):
            imgui.set_tooltip(f"{loading}: wait until it is ready" if loading else "Ctrl+Enter")
        imgui.same_line()
        imgui.begin_disabled(not busy)
        if imgui.button("Cancel"):
            chat.cancel()
        imgui.end_disabled()
        imgui.same_line()
        imgui.text_colored(MUTED, _context_label(chat))
        if loading:
            wrapped(f"{loading}… Send is off until it is ready; your message stays here.", MUTED)
        if self.error:
            wrapped(self.error, ERROR)
        notice = getattr(chat.snapshot(), "notice", None) if chat is not None else None
        if notice:
            wrapped(notice, MUTED)

    def loading_provider(self) -> str | None:
        """ "provider X loading" while the chosen provider is still warming up (Send waits for it), else None."""
        controller = self.gui.controller
        chat = controller.chat
        if chat is None or self.gui.status.done:
            return None
        providers = controller.providers()
        name = chat.snapshot().provider
        if name is None:
            return None if providers else "providers loading"
        return None if name in providers else f"provider {name} loading"

    def _check_pending(self) -> None:
        """Put a refused message back in the box (the session refused it with a notice, nothing was added)."""
        chat = self.gui.controller.chat
        if self._pending is None or chat is None:
            return
        text, version, count = self._pending
        snap = chat.snapshot()
        if snap.version <= version:
            return
        if len(snap.messages) > count:
            self._pending = None  # accepted
        elif any(refusal in snap.notice for refusal in REFUSALS):
            self._pending = None
            if not self.text.strip():
                self.text = text

    def send(self) -> None:
        text = self.text.strip()
        if not text:
            return
        chat = self.gui.controller.chat
        if chat is None:
            self.error = "The chat session is not available; your message is kept."
            return
        before = chat.snapshot()
        try:
            chat.send(text)
        except ValueError as e:
            self.error = f"{e} (your message is kept)"
            return
        self.sent.append(text)
        self._pending = (text, before.version, len(before.messages))
        self.text = ""
        self.error = None


def _context_label(chat: Any) -> str:
    if chat is None:
        return "context: –"
    chars, tokens = chat.context_size()
    return f"context: {_human(chars)} chars (~{_human(tokens)} tokens)"


def _human(n: int) -> str:
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)
