"""Markdown for the answers, set up lazily.

Creating the markdown context and loading its fonts costs ~55 ms (DESIGN.md),
so the first frame does without it: answers render as plain wrapped text
until :meth:`LazyMarkdown.prepare` has run, which the GUI does once the
warm-up settles or the first answer arrives, whichever comes first.

A long answer (thousands of lines) is parsed and laid out by ``imgui_md.render``
every frame, which costs several ms: it is cut into blocks at blank lines (never
inside a fenced code block), and a block scrolled out of view is replaced by a
dummy of the height it had when last drawn.

Answers are drawn with ``render_raw``, as they are: ``render`` would also resolve
Obsidian embeds (``![[path]]``) by reading that file every frame, so an answer
could put any readable local file on screen.
"""

from __future__ import annotations

import logging

from imgui_bundle import imgui, imgui_md

log = logging.getLogger(__name__)

LONG_TEXT_CHARS = 20_000  # shorter texts render in one call
BLOCK_LINES = 40  # a block ends at the first blank line after this many lines
MAX_CACHED_TEXTS = 64
FENCES = ("```", "~~~")


def split_blocks(text: str, min_lines: int = BLOCK_LINES) -> list[str]:
    """Cut ``text`` at blank lines outside fenced code into blocks of at least ``min_lines`` lines.

    ``"\n".join(blocks)`` gives back ``text``; a blank line ends a block, so no
    paragraph, list or table that markdown joins is cut in two.
    """
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        current.append(line)
        marker = line.lstrip(" ")[:3]
        if fence is None and marker in FENCES:
            fence = marker
        elif fence is not None and marker == fence:
            fence = None
        elif fence is None and not line.strip() and len(current) >= min_lines:
            blocks.append("\n".join(current))
            current = []
    if current or not blocks:
        blocks.append("\n".join(current))
    return blocks


class _Block:
    __slots__ = ("height", "text", "width")

    def __init__(self, text: str) -> None:
        self.text = text
        self.height = 0.0  # of the last draw, item spacing included; 0: never drawn
        self.width = -1.0


class LazyMarkdown:
    def __init__(self) -> None:
        self.ready = False
        self.failed: str | None = None
        self._blocks: dict[str, list[_Block]] = {}

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
        """Draw ``text`` as markdown once ready (plain wrapped text until then), at the cursor."""
        if not self.ready:
            imgui.text_wrapped(text)
        elif len(text) < LONG_TEXT_CHARS:
            imgui_md.render_raw(text)
        else:
            self._render_blocks(text)

    def _render_blocks(self, text: str) -> None:
        blocks = self._blocks.get(text)
        if blocks is None:
            if len(self._blocks) >= MAX_CACHED_TEXTS:
                self._blocks.clear()
            blocks = self._blocks[text] = [_Block(b) for b in split_blocks(text)]
        width = imgui.get_content_region_avail().x
        spacing = imgui.get_style().item_spacing.y
        for block in blocks:
            known = block.height > 0 and block.width == width
            if known and not imgui.is_rect_visible(imgui.ImVec2(width, block.height)):
                imgui.dummy(imgui.ImVec2(0.0, max(0.0, block.height - spacing)))
                continue
            top = imgui.get_cursor_pos_y()
            imgui_md.render_raw(block.text)
            block.height, block.width = imgui.get_cursor_pos_y() - top, width

    def shutdown(self) -> None:
        if self.ready:
            self.ready = False
            self._blocks.clear()
            imgui_md.de_initialize_markdown()
