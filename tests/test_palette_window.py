"""The palette in a real window under Xvfb, driven by the imgui test engine.

A small runner of our own hosts the palette plugin's real ``sloppy_gui_frame``
next to a message box, with a real controller warming real plugins (nerv,
palette, and a third-party distribution whose import waits for a gate file).
"""

from __future__ import annotations

import time

import pytest
from imgui_bundle import imgui
from imgui_bundle.immapp import testing

from src.core.catalog import discover
from src.core.config import load_config
from src.core.controller import AppController
from src.core.warmup import State
from src.plugins.palette import plugin as palette_plugin
from src.plugins.palette.runner import DONE, WAITING
from src.plugins.palette.window import SHORTCUT
from tests.third_party import close_loop, gated_greeter_site

pytestmark = pytest.mark.own_process  # imgui runs in-process here: keep it out of the suite's process

BUILTIN = set(discover().plugins)


@pytest.fixture
def gated_greeter(tmp_path, monkeypatch):
    with gated_greeter_site(tmp_path, monkeypatch) as site:
        yield site


@pytest.fixture
def controller(tmp_path, gated_greeter):
    controller = AppController(
        load_config(tmp_path / "config.toml"), disabled=BUILTIN - {"nerv", "palette"}, mode="gui"
    )
    controller.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        states = {p.name: p.state for p in controller.warmup_status().plugins}
        if states.get("nerv") is State.READY and states.get("palette") is State.READY:
            break
        time.sleep(0.02)
    assert states.get("greeter") is State.IMPORTING, states
    yield controller
    controller.shutdown(timeout=2.0)
    close_loop(controller)


class ChatBox:
    """A message box standing in for the GUI's, to check the shortcut does not type into it."""

    def __init__(self) -> None:
        self.text = ""

    def draw(self) -> None:
        imgui.set_next_window_pos(imgui.ImVec2(20, 200), imgui.Cond_.always)
        imgui.set_next_window_size(imgui.ImVec2(500, 200), imgui.Cond_.always)
        imgui.begin("Chat")
        _, self.text = imgui.input_text("##message", self.text)
        imgui.end()


def _state(controller: AppController, name: str) -> State | None:
    return next((p.state for p in controller.warmup_status().plugins if p.name == name), None)


def _frames_until(ctx, condition, frames: int = 300) -> bool:
    for _ in range(frames):
        if condition():
            return True
        ctx.yield_()
    return condition()


def test_palette_opens_filters_runs_and_waits_for_a_loading_plugin(display, controller, gated_greeter):
    chat = ChatBox()
    window = palette_plugin.palette().window
    runner = palette_plugin.palette().runner
    nerv = controller.themes()["nerv"]

    def gui() -> None:
        chat.draw()
        palette_plugin.sloppy_gui_frame(gui=None)

    def drive(ctx) -> None:
        ctx.set_ref("//Chat")
        ctx.item_click("**/##message")
        ctx.key_chars("hi")
        assert not window.is_open

        # Ctrl+Shift+P opens it, even from the message box, and lists declared commands as loading.
        ctx.key_press(SHORTCUT)
        ctx.yield_(2)
        assert window.is_open
        labels = window.labels()
        assert "Greet: say hello  (loading…)" in labels
        assert "NERV: Toggle background effects" in labels
        assert "Command Palette: Open" in labels

        # A search that matches nothing: Enter runs nothing (imcmd alone would run some command) and it stays open.
        ran = len(runner.activities())
        ctx.key_chars("zzz")
        ctx.key_press(imgui.Key.enter)
        ctx.yield_(3)
        assert window.is_open
        assert window.last_rejected == "zzz"
        assert len(runner.activities()) == ran
        ctx.key_press(imgui.Key.escape)
        ctx.yield_(2)
        assert not window.is_open

        # Typing filters (fuzzy); Enter runs the best match, then the palette closes.
        ctx.key_press(SHORTCUT)
        ctx.yield_(2)
        ctx.key_chars("nrv eff")
        ctx.key_press(imgui.Key.enter)
        assert _frames_until(ctx, lambda: not nerv.effects_enabled)
        assert not window.is_open
        assert chat.text == "hi"  # neither the shortcut nor the search went into the message box

        # A command of a plugin still loading: the run waits, visibly, then runs when the plugin is ready.
        ctx.key_press(SHORTCUT)
        ctx.yield_(2)
        ctx.key_chars("say hel")
        ctx.key_press(imgui.Key.enter)
        assert _frames_until(ctx, lambda: runner.activities() and runner.activities()[-1].state == WAITING)
        activity_window = imgui.internal.find_window_by_name("##palette-activity")
        assert activity_window is not None and activity_window.active
        (gated_greeter / "gate").write_text("open", encoding="utf-8")
        assert _frames_until(ctx, lambda: runner.activities()[-1].state == DONE, frames=2000)
        assert runner.activities()[-1].command_id == "greet.hello"
        assert (gated_greeter / "greeted.txt").read_text(encoding="utf-8") == "hello from greeter"
        ctx.yield_(2)
        assert "Greet: say hello" in window.labels() or not window.is_open

        # Escape closes it without running anything.
        ctx.key_press(SHORTCUT)
        ctx.yield_(2)
        assert window.is_open
        ran = len(runner.activities())
        ctx.key_press(imgui.Key.escape)
        ctx.yield_(2)
        assert not window.is_open
        assert len(runner.activities()) == ran

    testing.run(gui, drive, window_title="palette test", window_size=(900, 600))


def test_palette_open_command_opens_it(display, controller):
    window = palette_plugin.palette().window
    runner = palette_plugin.palette().runner

    def gui() -> None:
        palette_plugin.sloppy_gui_frame(gui=None)

    def drive(ctx) -> None:
        future = runner.run("palette.open")
        assert _frames_until(ctx, future.done)
        assert future.result().state == DONE
        assert _frames_until(ctx, lambda: window.is_open)

    testing.run(gui, drive, window_title="palette test", window_size=(900, 600))


def test_palette_set_up_again_takes_over_the_one_imcmd_context(display, controller):
    """Disabling and re-enabling the plugin makes a new palette; imcmd's single context must survive it."""
    first = palette_plugin.palette()
    nerv = controller.themes()["nerv"]

    def gui() -> None:
        if palette_plugin.palette().window is not None:
            palette_plugin.sloppy_gui_frame(gui=None)

    def drive(ctx) -> None:
        ctx.key_press(SHORTCUT)
        ctx.yield_(2)
        assert "NERV: Toggle background effects" in first.window.labels()
        ctx.key_press(imgui.Key.escape)

        controller.set_enabled("palette", False, save=False).result(5)
        controller.set_enabled("palette", True, save=False).result(5)
        assert _frames_until(ctx, lambda: _state(controller, "palette") is State.READY, frames=3000)
        second = palette_plugin.palette()
        assert controller.require("palette") is palette_plugin

        ctx.key_press(SHORTCUT)
        ctx.yield_(2)
        assert second.window.is_open
        assert first.window.labels() == []  # the old palette's commands were taken out of imcmd
        assert "NERV: Toggle background effects" in second.window.labels()
        ctx.key_chars("nrv eff")
        ctx.key_press(imgui.Key.enter)
        assert _frames_until(ctx, lambda: not nerv.effects_enabled)
        assert second.runner.activities()[-1].state == DONE
        assert first.runner.activities() == []  # the pick went to the new palette, not the old one

    testing.run(gui, drive, window_title="palette test", window_size=(900, 600))
