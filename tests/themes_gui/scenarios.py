"""Scenarios for the themes and the palette in the real window (run by ``driver.py``).

Each is ``fn(ctx, gui, result)``: it drives the window with the test engine,
saves screenshots next to ``result.json`` and records what it saw; the pytest
side asserts on both.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any

from imgui_bundle import imgui
from imgui_bundle.imgui import internal

from src.core.warmup import State
from tests.gui.scenarios import screenshot_from_pool, wait_until

PALETTE_SHORTCUT = imgui.Key.mod_ctrl | imgui.Key.mod_shift | imgui.Key.p
GATE_ENV = "SLOPPY_TEST_GREETER_SITE"  # the third-party distribution's folder (its import waits for a gate file)
PORT_FILE_ENV = "SLOPPY_HOOK_PORT_FILE"  # where the Hook API writes the port it bound (--hook-port 0)


def _hook_api(method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """One request to the running app's Hook API (call it on a pool thread)."""
    port = Path(os.environ[PORT_FILE_ENV]).read_text(encoding="utf-8").strip()
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def _call_api(ctx: Any, gui: Any, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    future = gui.controller.submit_io(_hook_api, method, path, body)
    wait_until(ctx, future.done, 15.0, f"{method} {path}")
    return future.result()


def _palette(gui: Any) -> Any:
    return gui.controller.require("palette").palette()


def _run_from_palette(ctx: Any, gui: Any, search: str) -> None:
    """Open the palette with its shortcut, type ``search``, press Enter."""
    window = _palette(gui).window
    ctx.key_press(PALETTE_SHORTCUT)
    wait_until(ctx, lambda: window.is_open, 5.0, "the palette to open")
    ctx.yield_(2)
    ctx.key_chars(search)
    ctx.yield_()
    ctx.key_press(imgui.Key.enter)


def _saved_theme(gui: Any) -> str | None:
    path = gui.controller.config.path
    return path.read_text(encoding="utf-8") if path.exists() else None


def _settle(ctx: Any, gui: Any) -> None:
    gui.toasts.dismiss()
    ctx.mouse_move_to_pos(imgui.ImVec2(2, 300))  # away from anything that highlights on hover
    ctx.yield_(4)


def theme_switch(ctx: Any, gui: Any, result: dict) -> None:
    """Default → NERV (menu) → Default (palette) → NERV (the Hook API) → effects off (palette)."""
    out = Path(result["out"])
    appearance = gui.controller.appearance
    wait_until(ctx, lambda: gui.status.done, 60.0, "the warm-up")
    _settle(ctx, gui)
    result["start"] = appearance.current
    screenshot_from_pool(ctx, gui, out / "default.png")

    ctx.menu_click("//##MainMenuBar/Theme/NERV##theme_nerv")
    wait_until(ctx, lambda: appearance.current == "nerv", 5.0, "NERV from the menu")
    _settle(ctx, gui)
    screenshot_from_pool(ctx, gui, out / "nerv.png")
    result["after_menu"] = appearance.current
    wait_until(ctx, lambda: 'theme = "nerv"' in (_saved_theme(gui) or ""), 5.0, "the config to say nerv")
    result["saved_after_menu"] = _saved_theme(gui)

    _run_from_palette(ctx, gui, "theme def")
    wait_until(ctx, lambda: appearance.current == "default", 5.0, "Default from the palette")
    _settle(ctx, gui)
    screenshot_from_pool(ctx, gui, out / "default_again.png")
    result["after_palette"] = appearance.current

    wait_until(ctx, lambda: os.path.exists(os.environ[PORT_FILE_ENV]), 20.0, "the Hook API")
    result["api_state"] = _call_api(ctx, gui, "POST", "/api/state", {"theme": "nerv"})
    wait_until(ctx, lambda: appearance.current == "nerv", 5.0, "NERV from the Hook API")
    result["after_api"] = appearance.current
    result["api_unknown_theme"] = _call_api(ctx, gui, "POST", "/api/state", {"theme": "no-such-theme"})
    result["api_commands"] = _call_api(ctx, gui, "GET", "/api/commands")

    _run_from_palette(ctx, gui, "nerv toggle")
    theme = gui.controller.themes()["nerv"]
    wait_until(ctx, lambda: not theme.effects_enabled, 5.0, "the effects to turn off")
    _settle(ctx, gui)
    screenshot_from_pool(ctx, gui, out / "nerv_plain.png")
    result["saved_at_end"] = _saved_theme(gui)


def palette_commands(ctx: Any, gui: Any, result: dict) -> None:
    """Commands of several plugins, one of them third-party and still loading; the shortcut works from the message box."""
    out = Path(result["out"])
    site = Path(os.environ[GATE_ENV])
    states = lambda: {p.name: p.state for p in gui.status.plugins}
    wait_until(ctx, lambda: states().get("palette") is State.READY, 30.0, "the palette plugin")
    wait_until(ctx, lambda: states().get("greeter") is State.IMPORTING, 30.0, "greeter to be importing")
    palette = _palette(gui)

    ctx.set_ref("//Message")
    ctx.item_click("**/##message")
    ctx.key_chars("draft")
    ctx.key_press(PALETTE_SHORTCUT)
    wait_until(ctx, lambda: palette.window.is_open, 5.0, "the palette to open")
    ctx.yield_(3)
    result["labels_while_loading"] = palette.window.labels()
    screenshot_from_pool(ctx, gui, out / "palette_open.png")

    ctx.key_chars("say hel")
    ctx.yield_()
    ctx.key_press(imgui.Key.enter)
    wait_until(ctx, lambda: palette.runner.waiting_for() == {"greeter": 1}, 5.0, "the run to wait")
    ctx.yield_(3)
    activity = internal.find_window_by_name("##palette-activity")
    result["activity_window_active"] = bool(activity is not None and activity.active)
    result["activity_text"] = palette.runner.activities()[-1].text()
    screenshot_from_pool(ctx, gui, out / "waiting.png")

    (site / "gate").write_text("open", encoding="utf-8")
    wait_until(ctx, lambda: palette.runner.activities()[-1].state == "done", 20.0, "greeter to load and run")
    result["greeted"] = (site / "greeted.txt").read_text(encoding="utf-8")
    result["run_message"] = palette.runner.activities()[-1].text()

    diagnostics = lambda: internal.find_window_by_name("Diagnostics")
    result["diagnostics_shown_before"] = bool(diagnostics() and not diagnostics().hidden and diagnostics().active)
    _run_from_palette(ctx, gui, "view diag")
    wait_until(ctx, lambda: diagnostics() is not None and diagnostics().active, 5.0, "the Diagnostics panel")
    result["diagnostics_shown_after"] = True
    result["labels_after"] = palette.window.labels()
    result["message_text"] = gui.panels["Message"].text if hasattr(gui.panels["Message"], "text") else None


def failed_theme_plugin(ctx: Any, gui: Any, result: dict) -> None:
    """A theme plugin that fails: its declared command says why in the palette, and the theme stays."""
    appearance = gui.controller.appearance
    wait_until(ctx, lambda: gui.status.done, 60.0, "the warm-up")
    palette = _palette(gui)
    result["theme_before"] = appearance.current
    ctx.key_press(PALETTE_SHORTCUT)
    wait_until(ctx, lambda: palette.window.is_open, 5.0, "the palette to open")
    ctx.yield_(3)
    result["labels"] = palette.window.labels()
    ctx.key_press(imgui.Key.escape)
    ctx.yield_(2)
    _run_from_palette(ctx, gui, "theme brok")
    wait_until(ctx, lambda: palette.runner.activities() and palette.runner.activities()[-1].settled, 5.0, "the run")
    activity = palette.runner.activities()[-1]
    result["run_state"], result["run_text"] = activity.state, activity.text()
    ctx.yield_(5)
    result["theme_after"] = appearance.current
    result["available"] = appearance.available()
    screenshot_from_pool(ctx, gui, Path(result["out"]) / "failed_theme.png")


def nerv_remembered(ctx: Any, gui: Any, result: dict) -> None:
    """``[ui] theme = "nerv"`` in the config: the first frame is the default theme, NERV follows once ready."""
    appearance = gui.controller.appearance
    wait_until(ctx, lambda: appearance.current == "nerv", 30.0, "NERV to be applied")
    _settle(ctx, gui)
    result["themes_applied"] = list(appearance.history)
    screenshot_from_pool(ctx, gui, Path(result["out"]) / "nerv_from_config.png")
