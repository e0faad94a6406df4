"""Discussion: the conversation, answers as markdown, streamed text as it arrives."""

from __future__ import annotations

import time
from typing import Any

from imgui_bundle import imgui

from src.core.gui.wrap import wrapped

MUTED = imgui.ImVec4(0.6, 0.6, 0.65, 1.0)
USER = imgui.ImVec4(0.45, 0.75, 1.0, 1.0)
ASSISTANT = imgui.ImVec4(0.55, 0.9, 0.6, 1.0)
ERROR = imgui.ImVec4(0.95, 0.4, 0.4, 1.0)
SCROLL_SLACK_PX = 4.0
STATE_NOTES = {
    "streaming": "answering…",
    "cancelled": "cancelled",
    "cut_off": "cut off: the answer ended before it was complete",
}


class DiscussionPanel:
    def __init__(self, gui: Any) -> None:
        self.gui = gui
        self.follow = True  # keep the newest message in view until the user scrolls up
        self._seen_max: float | None = None  # the scroll range at the previous frame
        self._seen_count = 0

    def draw(self) -> None:
        chat = self.gui.controller.chat
        if chat is None:
            wrapped("The chat session is not available in this build.", MUTED)
            return
        snap = chat.snapshot()
        if not snap.messages:
            wrapped("No messages yet. Write one in the Message panel and press Ctrl+Enter.", MUTED)
        scroll_y, scroll_max = imgui.get_scroll_y(), imgui.get_scroll_max_y()
        if self._seen_max is not None:
            # Content that grew (a load, a streamed delta, markdown ready) raises the range, not the position:
            # compared with the previous range, only the user's own scrolling takes us off the bottom.
            self.follow = scroll_y >= min(scroll_max, self._seen_max) - SCROLL_SLACK_PX
        new = snap.messages[self._seen_count :]
        if any(m.role == "user" for m in new):
            self.follow = True  # a message was sent (or the discussion loaded): show it and its answer
        self._seen_count = len(snap.messages)
        for index, message in enumerate(snap.messages):
            imgui.push_id(index)
            self._draw_message(message)
            imgui.pop_id()
        if self.follow:
            imgui.set_scroll_here_y(1.0)
        self._seen_max = scroll_max

    def _draw_message(self, message: Any) -> None:
        user = message.role == "user"
        imgui.text_colored(USER if user else ASSISTANT, "You" if user else "Assistant")
        imgui.same_line()
        when = time.strftime("%H:%M:%S", time.localtime(message.created)) if message.created else ""
        details = " · ".join(part for part in (message.provider, message.model, when) if part)
        imgui.text_colored(MUTED, details)
        imgui.same_line()
        if imgui.small_button("Copy"):
            imgui.set_clipboard_text(message.content or "")
            self.gui.toasts.show("Copied to the clipboard", ok=True, seconds=2.0)
        if user:
            imgui.text_wrapped(message.content)
        elif message.content:
            if message.state == "done":
                self.gui.markdown.render(message.content)
            else:
                imgui.text_wrapped(message.content)  # streaming text: plain until complete
        note = STATE_NOTES.get(message.state)
        if message.state == "error":
            wrapped(f"Error: {message.error or 'the request failed'}", ERROR)
        elif note:
            wrapped(f"({message.error or note})", MUTED)  # the session's own words when it has them
        imgui.separator()
