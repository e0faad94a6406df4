"""Test-engine scenarios run inside the real window by ``driver.py``.

Each scenario is ``fn(ctx, gui, result)``: it drives the window with the
engine (clicks, typing, menus), observes ``gui`` and the controller, and
fills ``result`` (written to ``result.json``). The test in ``test_*.py``
asserts on that file and on the screenshots.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imgui_bundle import hello_imgui, imgui

from src.core.gui.screenshot import RawFrame, encode_png

Scenario = Callable[[Any, Any, dict], None]


def start(scenario: Scenario, out: Path, gui: Any) -> None:
    """``register_tests``: queue one test that runs ``scenario`` and then closes the window."""
    engine = hello_imgui.get_imgui_test_engine()
    io = imgui.test_engine.get_io(engine)
    io.config_run_speed = imgui.test_engine.TestRunSpeed.fast
    io.config_log_to_tty = True
    gui.runner_params.fps_idling.enable_idling = False  # simulated input does not wake an idling loop
    test = imgui.test_engine.register_test(engine, "sloppy", scenario.__name__)
    result: dict = {"out": str(out)}

    def body(ctx: Any) -> None:
        try:
            scenario(ctx, gui, result)
        except BaseException:  # noqa: BLE001 - reported to the pytest side
            result["exception"] = traceback.format_exc()
        finally:
            result["engine_error"] = bool(ctx.is_error())
            result["indicator_history"] = list(gui.indicator.history)
            result["toasts"] = list(gui.toasts.shown)
            result["frames"] = gui.clock.swaps
            result["marks"] = gui.controller.profiler.marks()
            (out / "result.json").write_text(json.dumps(result, indent=2, default=str))
            gui.runner_params.app_shall_exit = True

    test.test_func = body
    imgui.test_engine.queue_test(engine, test)


def save_final_frame(path: Path) -> None:
    """The last frame of the window that just closed (``final_app_window_screenshot``), as PNG."""
    pixels = hello_imgui.final_app_window_screenshot()
    if pixels is None or not pixels.size:
        return
    height, width = pixels.shape[:2]
    rgb = pixels[:, :, :3].copy().tobytes()
    path.write_bytes(encode_png(RawFrame(width, height, rgb, bottom_up=False)))


def wait_until(ctx: Any, condition: Callable[[], bool], timeout: float = 20.0, what: str = "") -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what or condition}")
        ctx.yield_()
    return True


def capture(ctx: Any, path: Path) -> None:
    ctx.yield_()
    ctx.capture_reset()
    ctx.capture_set_filename(str(path))
    ctx.capture_screenshot(0)


def screenshot_from_pool(ctx: Any, gui: Any, path: Path) -> None:
    """``controller.gui.screenshot_png`` as another thread calls it."""
    future = gui.controller.submit_io(gui.screenshot_png, 10.0)
    wait_until(ctx, future.done, 15.0, "screenshot_png")
    path.write_bytes(future.result())


# -- scenarios ------------------------------------------------------------------


def warmup_to_ready(ctx: Any, gui: Any, result: dict) -> None:
    """The indicator runs to its end state; the toast shows and is dismissed."""
    wait_until(ctx, lambda: gui.indicator.phase.value == "warming", 30.0, "the warm-up to start")
    ctx.yield_()
    result["idle_fps_warming"] = gui.runner_params.fps_idling.fps_idle  # the gated plugin holds the warm-up
    _open_gate_when(ctx, lambda: gui.indicator.phase.value == "warming")
    wait_until(ctx, lambda: gui.status.done, 60.0, "the warm-up")
    wait_until(ctx, lambda: gui.toasts.current is not None, 5.0, "the toast")
    result["toast_visible"] = True
    out = Path(result["out"])
    ctx.yield_(3)
    screenshot_from_pool(ctx, gui, out / "warm.png")
    ctx.item_click("//##toast/Dismiss##toast")
    ctx.yield_(2)
    result["toast_after_dismiss"] = gui.toasts.current is not None
    result["idle_fps_still"] = gui.runner_params.fps_idling.fps_idle
    result["dismissed"] = gui.toasts.dismissed
    frames = sorted(gui.frame_times_ms())
    result["frame_times"] = len(frames)
    result["frame_stats_ms"] = {
        "median": frames[len(frames) // 2],
        "p99": frames[min(len(frames) - 1, int(len(frames) * 0.99))],
        "max": frames[-1],
    }


def _providers_ready(gui: Any) -> bool:
    return {"fakechat", "fakechat2"} <= set(gui.controller.providers())


def chat_send(ctx: Any, gui: Any, result: dict) -> None:
    """While warming: add context and type; then switch provider and model, and send with Ctrl+Enter."""
    out = Path(result["out"])
    chat = gui.controller.chat
    result["chat_available"] = chat is not None
    if chat is None:
        return
    result["started_at_frame"] = [gui.clock.swaps, gui.indicator.label]
    ctx.set_ref("//Context")
    ctx.item_click("##context_path")
    ctx.key_chars("notes.md")
    ctx.item_click("Add")
    ctx.set_ref("//Message")
    ctx.item_click("##message")
    ctx.key_chars("Hello fake, please answer in markdown")
    result["typed_while"] = gui.indicator.phase.value
    result["typed_at_frame"] = [gui.clock.swaps, gui.indicator.label]
    _open_gate_when(ctx, lambda: True)
    wait_until(ctx, lambda: len(chat.snapshot().context) == 1, 10.0, "the context file")
    result["context"] = [list(item) for item in chat.snapshot().context]
    ctx.set_ref("//Context")
    ctx.item_click("What will be sent##context_preview")
    ctx.item_click("Browse…")
    ctx.yield_(3)
    result["file_dialog_open"] = _window_shown(FILE_DIALOG)
    capture(ctx, out / "file-dialog.png")
    ctx.set_ref(f"//{FILE_DIALOG}")
    ctx.item_click("Cancel")
    ctx.yield_(3)
    result["file_dialog_closed"] = not _window_shown(FILE_DIALOG)
    # Again, and pick a file this time.
    ctx.set_ref("//Context")
    ctx.item_click("Browse…")
    ctx.yield_(3)
    ctx.set_ref(f"//{FILE_DIALOG}")
    ctx.item_click("**/extra.txt")
    ctx.item_click("Open")
    wait_until(ctx, lambda: len(chat.snapshot().context) == 2, 10.0, "the file picked in the dialog")
    result["context_after_dialog"] = sorted(path for path, _ in chat.snapshot().context)

    wait_until(ctx, lambda: _providers_ready(gui), 30.0, "the fake providers")
    ctx.set_ref("//Providers")
    ctx.combo_click("Provider##provider/Fake Chat B##fakechat2")
    wait_until(ctx, lambda: chat.snapshot().provider == "fakechat2", 5.0, "provider B")
    ctx.combo_click("Model##model/b-2##model_b-2")
    wait_until(ctx, lambda: chat.snapshot().model == "b-2", 5.0, "model b-2")
    result["switched"] = [chat.snapshot().provider, chat.snapshot().model]
    ctx.combo_click("Provider##provider/Fake Chat A##fakechat")
    wait_until(ctx, lambda: chat.snapshot().provider == "fakechat", 5.0, "provider A")
    ctx.combo_click("Model##model/fake-large##model_fake-large")
    wait_until(ctx, lambda: chat.snapshot().model == "fake-large", 5.0, "model fake-large")

    ctx.set_ref("//Message")
    ctx.item_click("##message")
    ctx.key_press(imgui.Key.mod_ctrl | imgui.Key.enter)
    wait_until(ctx, lambda: len(chat.snapshot().messages) >= 2, 10.0, "the message to be sent")
    wait_until(ctx, lambda: chat.snapshot().messages[-1].state != "streaming", 20.0, "the answer")
    snap = chat.snapshot()
    result["messages"] = [
        {
            "role": m.role,
            "content": m.content,
            "provider": m.provider,
            "model": m.model,
            "state": m.state,
            "error": m.error,
        }
        for m in snap.messages
    ]
    result["input_after_send"] = gui.panels["Message"].text
    ctx.yield_(10)  # let markdown settle
    result["markdown_ready"] = gui.markdown.ready
    capture(ctx, out / "chat.png")


def plugins_toggle(ctx: Any, gui: Any, result: dict) -> None:
    """Open Plugins from the View menu; disable a plugin (saved), then enable it again (warms now)."""
    out = Path(result["out"])
    wait_until(ctx, lambda: gui.status.done, 30.0, "the warm-up")
    ctx.set_ref("//##MainMenuBar")
    ctx.menu_click("View/Plugins")
    ctx.yield_(2)
    result["plugins_visible"] = gui.runner_params.docking_params.dockable_window_of_name("Plugins").is_visible
    ctx.set_ref("//Plugins")
    ctx.item_click("plugins/##enabled_sloppytest_slow")
    wait_until(ctx, lambda: _state(gui, "sloppytest_slow") == "disabled", 5.0, "disabled")
    wait_until(ctx, lambda: gui.controller.config.path.exists(), 5.0, "the config to be saved")
    result["config_after_disable"] = gui.controller.config.path.read_text()
    result["message_after_disable"] = gui.panels["Plugins"].message
    capture(ctx, out / "plugins-disabled.png")
    ctx.item_click("plugins/##enabled_sloppytest_slow")
    wait_until(ctx, lambda: _state(gui, "sloppytest_slow") == "ready", 20.0, "ready again")
    result["config_after_enable"] = gui.controller.config.path.read_text()
    wait_until(ctx, lambda: gui.status.done, 10.0, "the second warm-up")
    wait_until(ctx, lambda: len(gui.toasts.shown) >= 2, 5.0, "the second warm-up's toast")
    ctx.yield_(2)
    result["message_when_ready"] = gui.panels["Plugins"].message
    result["seconds_since_start"] = gui.controller.profiler.now_ms() / 1000.0
    attempt = _status(gui, "sloppytest_slow").attempt
    ctx.item_click("plugins/Reload##reload_sloppytest_slow")
    wait_until(ctx, lambda: _status(gui, "sloppytest_slow").attempt > attempt, 10.0, "the reload to start")
    wait_until(ctx, lambda: _state(gui, "sloppytest_slow") == "ready", 20.0, "the reloaded plugin")
    result["reloaded_attempts"] = [attempt, _status(gui, "sloppytest_slow").attempt]
    # The last toast hides by itself after a few seconds.
    wait_until(ctx, lambda: gui.toasts.current is not None, 5.0, "a toast")
    shown = time.monotonic()
    wait_until(ctx, lambda: gui.toasts.current is None, 15.0, "the toast to hide")
    result["toast_hid_after_s"] = time.monotonic() - shown
    result["dismissed"] = gui.toasts.dismissed


def failed_plugin(ctx: Any, gui: Any, result: dict) -> None:
    """A broken distribution: red count, which opens Plugins; the traceback on demand; Retry."""
    out = Path(result["out"])
    wait_until(ctx, lambda: gui.status.done, 30.0, "the warm-up")
    ctx.yield_(3)
    screenshot_from_pool(ctx, gui, out / "failed.png")
    gui.runner_params.docking_params.dockable_window_of_name("Plugins").is_visible = False
    ctx.yield_(2)
    ctx.item_click("**/1 failed##indicator")
    ctx.yield_(5)
    result["plugins_visible"] = gui.runner_params.docking_params.dockable_window_of_name("Plugins").is_visible
    ctx.set_ref("//Plugins")
    ctx.item_click("plugins/Traceback##tb_sloppytest_broken")
    ctx.yield_(2)
    result["traceback_shown"] = "sloppytest_broken" in gui.panels["Plugins"].show_traceback
    capture(ctx, out / "plugins-failed.png")
    attempts = _status(gui, "sloppytest_broken").attempt
    ctx.item_click("plugins/Retry##retry_sloppytest_broken")
    wait_until(ctx, lambda: _status(gui, "sloppytest_broken").attempt > attempts and gui.status.done, 10.0, "retry")
    result["after_retry"] = _status(gui, "sloppytest_broken").state.value
    result["error"] = _status(gui, "sloppytest_broken").error


def quit_while_hanging(ctx: Any, gui: Any, result: dict) -> None:
    """File > Quit while a plugin import hangs: the app must still exit promptly."""
    wait_until(ctx, lambda: _state(gui, "sloppytest_hangs") == "importing", 10.0, "the hanging import")
    result["state_before_quit"] = _state(gui, "sloppytest_hangs")
    ctx.set_ref("//##MainMenuBar")
    ctx.menu_click("File/Quit")
    result["quit_at"] = time.time()
    result["app_shall_exit"] = gui.runner_params.app_shall_exit


FILE_DIALOG = "Add context files###sloppy.context.open"


def _open_gate_when(ctx: Any, condition: Callable[[], bool]) -> None:
    """Let the gated slow plugin (SLOPPYTEST_GATE) finish its import once ``condition`` holds."""
    gate = os.environ.get("SLOPPYTEST_GATE")
    if gate:
        wait_until(ctx, condition, 30.0, "the moment to open the gate")
        Path(gate).touch()


def _window_shown(name: str) -> bool:
    window = imgui.internal.find_window_by_name(name)
    return window is not None and window.was_active


def _status(gui: Any, name: str) -> Any:
    return next(p for p in gui.status.plugins if p.name == name)


def _state(gui: Any, name: str) -> str:
    """The plugin's state, or "undiscovered" before the warm-up (which starts at the first frame) finds it."""
    status = next((p for p in gui.status.plugins if p.name == name), None)
    return "undiscovered" if status is None else status.state.value


def themes_frames_commands(ctx: Any, gui: Any, result: dict) -> None:
    """Theme menu → a plugin's theme; plugins drawing through sloppy_gui_frame; the GUI's commands."""
    out = Path(result["out"])
    controller = gui.controller
    wait_until(ctx, lambda: gui.status.done, 30.0, "the warm-up")
    ctx.yield_(3)
    result["theme_at_start"] = gui.appearance.current
    result["available"] = gui.appearance.available()
    ctx.set_ref("//##MainMenuBar")
    ctx.menu_click("Theme/Sunset (test)##theme_sunset")
    wait_until(ctx, lambda: gui.appearance.current == "sunset", 5.0, "the sunset theme")
    wait_until(ctx, lambda: controller.config.path.exists(), 5.0, "the config")
    result["config"] = controller.config.path.read_text()
    try:
        gui.appearance.request("no-such-theme")
    except ValueError as e:
        result["unknown_theme"] = str(e)

    drawn = controller.require("sloppytest_draws").FRAMES
    result["drawn_frames"] = len(drawn)
    result["drawn_window"] = ctx.window_info("//Drawn by a plugin").window is not None
    result["bad_frame_calls"] = len(controller.require("sloppytest_badframe").CALLS)
    result["broken_frames"] = dict(gui.plugin_frames.broken)

    commands = controller.commands()
    result["commands"] = sorted(commands)
    controller.call_on_writer(commands["view.diagnostics"].run, controller).result(5)
    ctx.yield_(5)
    result["diagnostics_visible"] = gui.runner_params.docking_params.dockable_window_of_name("Diagnostics").is_visible
    wait_until(ctx, lambda: gui.warmed_module("numpy") is not None, 20.0, "numpy for the frame graph")
    ctx.yield_(5)
    capture(ctx, out / "sunset-diagnostics.png")
    screenshot_from_pool(ctx, gui, out / "sunset.png")


def _see_through() -> dict[str, bool]:
    """Which dockable windows are drawn without a background this frame."""
    windows = hello_imgui.get_runner_params().docking_params.dockable_windows
    return {w.label: bool(w.imgui_window_flags & imgui.WindowFlags_.no_background) for w in windows}


def _colour(v: Any) -> list[float]:
    return [round(v.x, 4), round(v.y, 4), round(v.z, 4), round(v.w, 4)]


def backdrop(ctx: Any, gui: Any, result: dict) -> None:
    """Docked panels draw no background of their own; a floating one does; a theme's effect is veiled once."""
    out = Path(result["out"])
    wait_until(ctx, lambda: gui.status.done, 30.0, "the warm-up")
    ctx.yield_(3)
    result["see_through"] = _see_through()
    result["window_bg"] = _colour(imgui.get_style().color_(imgui.Col_.window_bg))
    result["clear"] = _colour(hello_imgui.get_runner_params().imgui_window_params.background_color)
    screenshot_from_pool(ctx, gui, out / "default.png")
    gui.open_panel("Diagnostics")  # a tab behind Plugins: not drawn, so not looked at, until shown
    ctx.yield_(3)
    result["diagnostics_see_through"] = _see_through()["Diagnostics"]

    ctx.undock_window("Context")
    ctx.yield_(3)
    result["floating_context_docked"] = imgui.internal.find_window_by_name("Context").dock_node is not None
    result["see_through_after_undock"] = _see_through()

    gui.appearance.request("halves")
    wait_until(ctx, lambda: gui.appearance.current == "halves", 5.0, "the halves theme")
    ctx.yield_(3)
    result["veiled"] = gui.backdrop.veiled
    style = imgui.get_style()
    result["on_top_alphas"] = [style.color_(imgui.Col_.window_bg).w, style.color_(imgui.Col_.popup_bg).w]
    result["clear_veiled"] = _colour(hello_imgui.get_runner_params().imgui_window_params.background_color)
    screenshot_from_pool(ctx, gui, out / "halves.png")


def theme_remembered(ctx: Any, gui: Any, result: dict) -> None:
    """A second start: the saved theme is applied once its plugin is ready; default until then."""
    wait_until(ctx, lambda: gui.status.done, 30.0, "the warm-up")
    wait_until(ctx, lambda: gui.appearance.current == "sunset", 5.0, "the remembered theme")
    result["themes_applied"] = list(gui.appearance.history)


def quit_with_file_dialog_open(ctx: Any, gui: Any, result: dict) -> None:
    """Quit while the file dialog is open: its textures go before the GL context (this used to crash)."""
    ctx.set_ref("//Context")
    ctx.item_click("Browse…")
    ctx.yield_(3)
    result["file_dialog_open"] = _window_shown(FILE_DIALOG)
    ctx.set_ref("//##MainMenuBar")
    ctx.menu_click("File/Quit")


def panel_error(ctx: Any, gui: Any, result: dict) -> None:
    """A provider object that raises: its panel shows the error, the rest of the window carries on."""
    wait_until(ctx, lambda: gui.status.done, 30.0, "the warm-up")
    ctx.yield_(5)
    swaps = gui.clock.swaps
    ctx.yield_(5)
    result["frames_went_on"] = gui.clock.swaps > swaps
    result["part_errors"] = dict(gui.guard.errors)
    capture(ctx, Path(result["out"]) / "panel-error.png")


def _send_text(ctx: Any, text: str) -> None:
    ctx.set_ref("//Message")
    ctx.item_click("##message")
    ctx.key_chars(text)
    ctx.key_press(imgui.Key.mod_ctrl | imgui.Key.enter)


def chat_cancel_and_error(ctx: Any, gui: Any, result: dict) -> None:
    """Cancel a streaming answer with the Cancel button; a provider error shows in the discussion."""
    out = Path(result["out"])
    chat = gui.controller.chat
    result["chat_available"] = chat is not None
    if chat is None:
        return
    wait_until(ctx, lambda: _providers_ready(gui) and chat.snapshot().provider, 30.0, "a provider")
    _send_text(ctx, "Tell me a long story")
    wait_until(ctx, lambda: len(chat.snapshot().messages) >= 2 and chat.snapshot().messages[-1].content, 15.0, "text")
    result["busy_while_streaming"] = chat.snapshot().busy
    ctx.set_ref("//Message")
    ctx.item_click("Cancel")
    wait_until(ctx, lambda: not chat.snapshot().busy, 10.0, "the cancel")
    cancelled = chat.snapshot().messages[-1]
    result["cancelled"] = {"state": cancelled.state, "content": cancelled.content}

    _send_text(ctx, "Now fail please [answer 401]")
    wait_until(
        ctx, lambda: chat.snapshot().messages[-1].role == "assistant" and not chat.snapshot().busy, 15.0, "error"
    )
    failed = chat.snapshot().messages[-1]
    result["failed"] = {"state": failed.state, "error": failed.error}
    ctx.yield_(3)
    capture(ctx, out / "cancel-and-error.png")


def send_while_provider_warms(ctx: Any, gui: Any, result: dict) -> None:
    """The chosen provider is still warming: Send is off, Ctrl+Enter keeps the text; a refused send is put back."""
    out = Path(result["out"])
    chat = gui.controller.chat
    panel = gui.panels["Message"]
    wait_until(ctx, lambda: chat.snapshot().loaded, 20.0, "the discussion")
    _send_text(ctx, "Hello while warming")
    ctx.yield_(5)
    result["loading_hint"] = panel.loading_provider()
    result["text_after_ctrl_enter"] = panel.text
    result["messages_while_warming"] = len(chat.snapshot().messages)
    capture(ctx, out / "warming.png")
    # A send that slips past the GUI's check: the session refuses it and the text comes back.
    panel.send()
    result["text_right_after_send"] = panel.text
    wait_until(ctx, lambda: panel.text == "Hello while warming", 10.0, "the refused text to come back")
    result["notice"] = chat.snapshot().notice
    result["messages_after_refusal"] = len(chat.snapshot().messages)
    _open_gate_when(ctx, lambda: True)
    wait_until(ctx, lambda: "slowchat" in gui.controller.providers() and gui.status.done, 60.0, "slowchat")
    ctx.yield_(2)
    result["loading_hint_when_ready"] = panel.loading_provider()
    ctx.set_ref("//Message")
    ctx.item_click("Send")
    wait_until(ctx, lambda: len(chat.snapshot().messages) == 2 and not chat.snapshot().busy, 20.0, "the answer")
    ctx.yield_(3)
    result["text_after_accepted_send"] = panel.text
    result["answer"] = [chat.snapshot().messages[-1].state, chat.snapshot().messages[-1].content]


def _discussion_scroll() -> list[float]:
    window = imgui.internal.find_window_by_name("Discussion")
    return [window.scroll.y, window.scroll_max.y]


def discussion_follows_the_newest(ctx: Any, gui: Any, result: dict) -> None:
    """A long stored discussion opens at its end; scrolling up stays put; sending goes back to the end."""
    chat = gui.controller.chat
    wait_until(ctx, lambda: chat.snapshot().loaded and gui.status.done, 30.0, "the stored discussion")
    wait_until(ctx, lambda: gui.markdown.ready, 30.0, "markdown")
    ctx.yield_(10)
    result["loaded"] = len(chat.snapshot().messages)
    result["after_load"] = _discussion_scroll()
    ctx.scroll_to_top("//Discussion")
    ctx.yield_(10)
    result["after_scrolling_up"] = _discussion_scroll()
    result["follow_after_scrolling_up"] = gui.panels["Discussion"].follow
    _send_text(ctx, "One more question")
    wait_until(ctx, lambda: len(chat.snapshot().messages) == result["loaded"] + 2, 10.0, "the new turn")
    ctx.yield_(10)
    result["after_send"] = _discussion_scroll()
    capture(ctx, Path(result["out"]) / "after-send.png")


def clear_asks_first(ctx: Any, gui: Any, result: dict) -> None:
    """File > Clear discussion and the chat.clear command open a confirmation; Cancel keeps, Clear clears."""
    chat = gui.controller.chat
    wait_until(ctx, lambda: chat.snapshot().loaded and len(chat.snapshot().messages) == 4, 20.0, "the discussion")
    ctx.set_ref("//##MainMenuBar")
    ctx.menu_click("File/Clear discussion")
    ctx.yield_(3)
    result["modal_from_menu"] = _window_shown("Clear the discussion")
    capture(ctx, Path(result["out"]) / "confirm.png")
    ctx.set_ref("//Clear the discussion")
    ctx.item_click("Cancel")
    ctx.yield_(5)
    result["after_cancel"] = [len(chat.snapshot().messages), _window_shown("Clear the discussion")]
    command = gui.controller.commands()["chat.clear"]
    done = gui.controller.call_on_writer(command.run, gui.controller)
    wait_until(ctx, done.done, 5.0, "the command")
    ctx.yield_(3)
    result["modal_from_command"] = _window_shown("Clear the discussion")
    result["messages_while_asking"] = len(chat.snapshot().messages)
    ctx.set_ref("//Clear the discussion")
    ctx.item_click("Clear")
    wait_until(ctx, lambda: not chat.snapshot().messages, 5.0, "the clear")
    ctx.yield_(3)
    result["after_clear"] = [len(chat.snapshot().messages), _window_shown("Clear the discussion")]


def config_problems_shown(ctx: Any, gui: Any, result: dict) -> None:
    """A malformed config: the status bar says so and opens the details; a toggle says what happened."""
    out = Path(result["out"])
    wait_until(ctx, lambda: gui.status.done, 30.0, "the warm-up")
    ctx.yield_(3)
    result["toast_after_warm_up"] = gui.toasts.current.text if gui.toasts.current else None
    ctx.set_ref("//StatusBar")
    ctx.item_click("###config_problems")
    ctx.yield_(3)
    result["popup_shown"] = _window_shown("Config problems")
    capture(ctx, out / "config-problems.png")
    ctx.set_ref("//Config problems")
    ctx.item_click("Close")
    ctx.yield_(3)
    result["popup_after_close"] = _window_shown("Config problems")
    ctx.set_ref("//##MainMenuBar")
    ctx.menu_click("View/Plugins")
    ctx.set_ref("//Plugins")
    ctx.item_click("plugins/##enabled_sloppytest_slow")
    wait_until(ctx, lambda: not gui.panels["Plugins"]._toggles, 10.0, "the toggle")
    ctx.yield_(3)
    result["toggle_message"] = gui.panels["Plugins"].message
    result["state_after_toggle"] = _state(gui, "sloppytest_slow")
    capture(ctx, out / "toggle.png")


def _set_window_size(width: int, height: int) -> None:
    """Resize the real GLFW window, as the user would (the GLFW library imgui_bundle itself loaded)."""
    import ctypes

    import imgui_bundle

    glfw = ctypes.CDLL(str(Path(imgui_bundle.__file__).parent / "libglfw.so.3"))
    glfw.glfwSetWindowSize.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    glfw.glfwSetWindowSize(ctypes.c_void_p(hello_imgui.get_glfw_window_address()), width, height)


def _panel_widths() -> dict[str, float]:
    widths = {}
    for label in ("Context", "Discussion", "Plugins"):
        window = imgui.internal.find_window_by_name(label)
        widths[label] = window.size.x if window is not None else 0.0
    return widths


def small_window(ctx: Any, gui: Any, result: dict) -> None:
    """Shrink the window to 800×500: the Discussion column keeps a usable share; and back to 1200×760."""
    out = Path(result["out"])
    wait_until(ctx, lambda: gui.status.done, 30.0, "the warm-up")
    ctx.yield_(5)
    result["large"] = _panel_widths()
    _set_window_size(800, 500)
    wait_until(ctx, lambda: imgui.get_main_viewport().size.x == 800, 10.0, "the resize")
    ctx.yield_(20)
    result["small"] = _panel_widths()
    result["small_viewport"] = [imgui.get_main_viewport().size.x, imgui.get_main_viewport().size.y]
    capture(ctx, out / "small.png")
    _set_window_size(1200, 760)
    wait_until(ctx, lambda: imgui.get_main_viewport().size.x == 1200, 10.0, "the resize back")
    ctx.yield_(20)
    result["large_again"] = _panel_widths()


def plugins_table_fits(ctx: Any, gui: Any, result: dict) -> None:
    """The Plugins table at the default window size: every header and widget whole and inside the panel."""
    out = Path(result["out"])
    wait_until(ctx, lambda: gui.status.done, 30.0, "the warm-up")
    gui.runner_params.docking_params.dockable_window_of_name("Plugins").focus_window_at_next_frame = True
    ctx.yield_(3)
    result["display_size"] = [imgui.get_io().display_size.x, imgui.get_io().display_size.y]
    window = ctx.get_window_by_ref("//Plugins")
    result["panel"] = _rect(window.inner_clip_rect)
    ctx.set_ref("//Plugins")
    refs = [f"plugins/$${column}/{name}" for column, name in enumerate(("On", "Plugin", "State", "Import ms"))]
    for plugin in gui.status.plugins:
        refs.append(f"plugins/##enabled_{plugin.name}")
        if plugin.state.value == "ready":
            refs.append(f"plugins/Reload##reload_{plugin.name}")
        elif plugin.state.value == "failed":
            refs += [f"plugins/Retry##retry_{plugin.name}", f"plugins/Traceback##tb_{plugin.name}"]
    items = {}
    for ref in refs:
        if "$$" not in ref:  # a row's widget: scrolled into view (the headers are measured first, at the top)
            ctx.scroll_to_item_y(ref)
            ctx.yield_()
        info = ctx.item_info(ref, imgui.test_engine.TestOpFlags_.no_error)
        items[ref] = None if info.id_ == 0 else {"full": _rect(info.rect_full), "clipped": _rect(info.rect_clipped)}
    result["items"] = items
    result["rows"] = {p.name: p.state.value for p in gui.status.plugins}
    # What must fit in a cell: each header's label, and each part of a row's details line.
    result["cell_padding"] = imgui.get_style().cell_padding.x
    result["text_widths"] = {
        text: imgui.calc_text_size(text).x
        for plugin in gui.status.plugins
        for text in (plugin.kind, f"{plugin.distribution} {plugin.version}", plugin.thread or "")
    }
    result["header_widths"] = {name: imgui.calc_text_size(name).x for name in ("On", "Plugin", "State", "Import ms")}
    ctx.scroll_to_top("//Plugins")
    capture(ctx, out / "plugins.png")
    # Hovering a plugin's name shows its full details.
    name_x = items["plugins/$$1/Plugin"]["full"][0] + 12
    checkbox = items["plugins/##enabled_palette"]["full"]
    ctx.mouse_move_to_pos(imgui.ImVec2(name_x, (checkbox[1] + checkbox[3]) / 2))
    ctx.yield_(3)
    tooltip = imgui.internal.find_window_by_name("##Tooltip_00")
    result["tooltip_shown"] = tooltip is not None and tooltip.was_active
    capture(ctx, out / "plugins-tooltip.png")


def _rect(rect: Any) -> list[float]:
    return [rect.min.x, rect.min.y, rect.max.x, rect.max.y]
