"""Scenarios for markdown answers in the real window (run by ``driver.py``).

Each is ``fn(ctx, gui, result)``: it sends messages through the Message panel to a
loopback provider (the fake answers each request with the next scripted answer),
waits for the answer, saves screenshots next to ``result.json`` and records what it
saw; ``tests/test_markdown_app.py`` asserts on both.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from imgui_bundle import imgui, imgui_md
from imgui_bundle.imgui import internal

from tests.gui.scenarios import screenshot_from_pool, wait_until

DISCUSSION = "Discussion"


def _send(ctx: Any, gui: Any, text: str) -> None:
    """Type ``text`` in the Message panel and send it with Ctrl+Enter."""
    chat = gui.controller.chat
    before = len(chat.snapshot().messages)
    ctx.set_ref("//Message")
    ctx.item_click("##message")
    ctx.key_chars(text)
    ctx.key_press(imgui.Key.mod_ctrl | imgui.Key.enter)
    wait_until(ctx, lambda: len(chat.snapshot().messages) >= before + 2, 15.0, "the message to be sent")


def _send_and_wait(ctx: Any, gui: Any, text: str) -> Any:
    """Send ``text`` and wait for the finished answer."""
    chat = gui.controller.chat
    _send(ctx, gui, text)
    wait_until(ctx, lambda: not chat.snapshot().busy, 60.0, "the answer")
    return chat.snapshot().messages[-1]


def _discussion_rect() -> list[float]:
    window = internal.find_window_by_name(DISCUSSION)
    return [window.pos.x, window.pos.y, window.pos.x + window.size.x, window.pos.y + window.size.y]


def _scroll() -> tuple[float, float]:
    window = internal.find_window_by_name(DISCUSSION)
    return window.scroll.y, window.scroll_max.y


def _settle(ctx: Any, gui: Any) -> None:
    gui.toasts.dismiss()
    ctx.mouse_move_to_pos(imgui.ImVec2(2, 300))  # away from anything that highlights on hover
    ctx.yield_(4)


def _frame_stats(durations: list[float]) -> dict:
    ordered = sorted(durations)
    pick = lambda q: ordered[min(len(ordered) - 1, int(len(ordered) * q))]
    return {"frames": len(ordered), "p50": pick(0.5), "p99": pick(0.99), "max": ordered[-1]}


def _longest_text_stats(render_ms: list[tuple[int, float]]) -> dict | None:
    """Render times of the longest answer on screen (each frame also renders the shorter ones)."""
    longest = max((size for size, _ in render_ms), default=0)
    times = [ms for size, ms in render_ms if size == longest]
    return {**_frame_stats(times), "chars": longest} if times else None


def _scroll_through(ctx: Any, gui: Any, steps: int) -> dict:
    """Wheel down the Discussion panel ``steps`` times from the top; frame durations while doing it,
    and the time spent in ``gui.markdown.render`` (timed through a wrapper around the app's own object)."""
    render, render_ms = gui.markdown.render, []

    def timed_render(text: str) -> None:
        began = time.perf_counter()
        render(text)
        render_ms.append((len(text), (time.perf_counter() - began) * 1000))

    gui.markdown.render = timed_render
    ctx.scroll_to_top(f"//{DISCUSSION}")
    ctx.yield_(3)
    rect = _discussion_rect()
    ctx.mouse_move_to_pos(imgui.ImVec2((rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2))
    start = gui.clock.swaps
    scrolls = []
    for _ in range(steps):
        ctx.mouse_wheel_y(-3.0)
        ctx.yield_()
        scrolls.append(_scroll()[0])
    frames = gui.clock.swaps - start
    del gui.markdown.render
    durations = gui.frame_times_ms()[-frames:] if frames else []
    return {
        **_frame_stats(durations),
        "markdown_render_ms": _longest_text_stats(render_ms),
        "scroll_positions": scrolls,
        "scroll_max": _scroll()[1],
    }


def markdown_answers(ctx: Any, gui: Any, result: dict) -> None:
    """A rich answer (markdown and plain), its code block's copy button, then a long answer scrolled through."""
    out = Path(result["out"])
    chat = gui.controller.chat
    wait_until(ctx, lambda: "fakechat" in gui.controller.providers(), 30.0, "the fake provider")
    wait_until(ctx, lambda: chat.snapshot().provider == "fakechat", 10.0, "the fake provider to be chosen")

    # The answer arrives in one chunk and its stream stays open a few seconds: the whole text, still
    # streaming, is drawn plain; once done, the same text is drawn as markdown.
    _send(ctx, gui, "Show me some markdown")
    last = lambda: chat.snapshot().messages[-1]
    wait_until(ctx, lambda: last().role == "assistant" and last().content, 15.0, "the answer's text")
    ctx.scroll_to_top(f"//{DISCUSSION}")
    _settle(ctx, gui)
    result["plain_state"] = last().state
    screenshot_from_pool(ctx, gui, out / "rich_plain.png")
    result["plain_state_after_shot"] = last().state
    wait_until(ctx, lambda: not chat.snapshot().busy, 30.0, "the answer to finish")
    result["rich_answer"] = {"state": last().state, "content": last().content}
    wait_until(ctx, lambda: gui.markdown.ready, 10.0, "markdown to be ready")
    ctx.scroll_to_top(f"//{DISCUSSION}")
    _settle(ctx, gui)
    screenshot_from_pool(ctx, gui, out / "rich_markdown.png")
    result["discussion_rect"] = _discussion_rect()
    colour = imgui_md.link_color()
    result["link_colour"] = [round(255 * c) for c in (colour.x, colour.y, colour.z)]

    # The code block's copy button.
    imgui.set_clipboard_text("nothing copied yet")
    ctx.set_ref(f"//{DISCUSSION}")
    result["copy_button_found"] = bool(ctx.item_exists("**/##copy"))
    if result["copy_button_found"]:
        ctx.item_click("**/##copy")
        ctx.yield_(3)
    result["clipboard_after_copy"] = imgui.get_clipboard_text()
    screenshot_from_pool(ctx, gui, out / "after_copy.png")

    result["short_scroll"] = _scroll_through(ctx, gui, 60)

    # A screenful (under the long-text size, so drawn in one call): the same amount of text on screen.
    answer = _send_and_wait(ctx, gui, "A screenful please")
    result["medium_answer"] = {"state": answer.state, "chars": len(answer.content)}
    _settle(ctx, gui)
    result["medium_scroll"] = _scroll_through(ctx, gui, 60)

    answer = _send_and_wait(ctx, gui, "Now a very long answer")
    result["long_answer"] = {"state": answer.state, "lines": answer.content.count("\n") + 1}
    _settle(ctx, gui)
    result["long_scroll"] = _scroll_through(ctx, gui, 120)
    screenshot_from_pool(ctx, gui, out / "long_scrolled.png")
    ctx.scroll_to_bottom(f"//{DISCUSSION}")
    _settle(ctx, gui)
    screenshot_from_pool(ctx, gui, out / "long_bottom.png")

    # An answer that names a local file in an Obsidian embed: shown as text, the file is not read into the window.
    chat.clear()
    wait_until(ctx, lambda: not chat.snapshot().messages, 5.0, "the discussion to clear")
    answer = _send_and_wait(ctx, gui, "Embed a file")
    result["embed_answer"] = {"state": answer.state, "content": answer.content}
    ctx.scroll_to_top(f"//{DISCUSSION}")
    _settle(ctx, gui)
    screenshot_from_pool(ctx, gui, out / "embed.png")
