"""Markdown for the answers, set up lazily.

Creating the markdown context and loading its fonts costs ~55 ms (DESIGN.md),
so the first frame does without it: answers render as plain wrapped text
until :meth:`LazyMarkdown.prepare` has run, which the GUI does once the
warm-up settles or the first answer arrives, whichever comes first.
"""

from __future__ import annotations

import logging

from imgui_bundle import imgui, imgui_md

log = logging.getLogger(__name__)


class LazyMarkdown:
    def __init__(self) -> None:
        self.ready = False
        self.failed: str | None = None

    def prepare(self) -> None:
        """Create the markdown context (GUI thread, outside a frame)."""
        if self.ready or self.failed:
            return
        try:
            options = imgui_md.MarkdownOptions()
            options.hard_soft_breaks = True
            imgui_md.initialize_markdown(options)
            self.ready = True
        except Exception as e:  # noqa: BLE001 - plain text keeps working
            self.failed = str(e)
            log.warning("markdown unavailable, answers stay plain text: %s", e)

    def render(self, text: str) -> None:
        if self.ready:
            imgui_md.render(text)
        else:
            imgui.text_wrapped(text)

    def shutdown(self) -> None:
        if self.ready:
            self.ready = False
            imgui_md.de_initialize_markdown()
