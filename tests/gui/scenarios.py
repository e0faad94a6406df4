"""Test-engine scenarios run inside the real window by ``driver.py``.

Each scenario is ``fn(ctx, gui, result)``: it drives the window with the
engine (clicks, typing, menus), observes ``gui`` and the controller, and
fills ``result`` (written to ``result.json``). The test in ``test_*.py``
asserts on that file and on the screenshots.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imgui_bundle import hello_imgui, imgui

Scenario = Callable[[Any, Any, dict], None]


def start(scenario: Scenario, out: Path, gui: Any) -> None:
    """``register_tests``: queue one test that runs ``scenario`` and then closes the window."""
    engine = hello_imgui.get_imgui_test_engine()
    io = imgui.test_engine.get_io(engine)
    io.config_run_speed = imgui.test_engine.TestRunSpeed.fast
    io.config_log_to_tty = True
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
    """The last frame of the window that just closed, as PNG (test side: numpy and PIL are fine here)."""
    from PIL import Image

    pixels = hello_imgui.final_app_window_screenshot()
    if pixels is not None and pixels.size:
        Image.fromarray(pixels).save(path)


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
    wait_until(ctx, lambda: gui.status.done, 60.0, "the warm-up")
    wait_until(ctx, lambda: gui.toasts.current is not None, 5.0, "the toast")
    result["toast_visible"] = True
    out = Path(result["out"])
    ctx.yield_(3)
    screenshot_from_pool(ctx, gui, out / "warm.png")
    ctx.item_click("//##toast/Dismiss##toast")
    ctx.yield_(2)
    result["toast_after_dismiss"] = gui.toasts.current is not None
    result["dismissed"] = gui.toasts.dismissed
    result["frame_times"] = len(gui.frame_times_ms())
