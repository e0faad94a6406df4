"""Themes and the command palette in the real app under Xvfb, driven by the imgui test engine.

Each test starts ``sloppy.py``'s CLI in a subprocess through
``tests/gui/driver.py`` with one scenario, then checks what the
scenario recorded and the screenshots it took (pixels, with numpy).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.themes_gui.scenarios import GATE_ENV, PORT_FILE_ENV
from tests.third_party import ROOT, greeter_source, write_distribution

DRIVER = ROOT / "tests" / "gui" / "driver.py"
PROVIDERS = ("anthropic", "openai", "gemini", "deepseek", "minimax")


def run_scenario(
    name: str, out: Path, config: Path, env: dict[str, str] | None = None, extra_args: list[str] | None = None
) -> dict:
    args = [
        sys.executable,
        str(DRIVER),
        f"tests.themes_gui.scenarios:{name}",
        str(out),
        "--config",
        str(config),
        *(extra_args or []),
    ]
    for provider in PROVIDERS:  # not needed here, and they cost seconds to import
        args += ["--disable", provider]
    proc = subprocess.run(
        args, check=False, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=120
    )
    result_file = out / "result.json"
    assert result_file.exists(), f"no result (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    result = json.loads(result_file.read_text())
    assert not result.get("exception"), result["exception"]
    assert not result["engine_error"], proc.stdout[-3000:]
    return result


def _image(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def _amber(img: np.ndarray) -> np.ndarray:
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    return (r > 150) & (g > 0.3 * r) & (g < 0.8 * r) & (b < 0.3 * r)


def _hazard_box(img: np.ndarray) -> np.ndarray:
    """The right end of the status bar, where NERV draws its hazard stripes."""
    h, w = img.shape[:2]
    return img[h - 26 : h - 8, w - 110 : w - 10]


@pytest.fixture(scope="module")
def theme_run(tmp_path_factory, display):
    home = tmp_path_factory.mktemp("theme_home")
    env = {
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        PORT_FILE_ENV: str(home / "hook_port"),
    }
    out = home / "out"
    hooks = ["--enable-test-hooks", "--hook-port", "0"]
    return run_scenario("theme_switch", out, home / "config.toml", env, hooks), out, home / "config.toml"


def test_theme_switches_through_menu_palette_and_hook_api(theme_run):
    result, _, _ = theme_run
    assert result["start"] == "default"
    assert result["after_menu"] == "nerv"
    assert result["after_palette"] == "default"
    status, state = result["api_state"]
    assert status == 200 and state["theme_requested"] == "nerv"
    assert state["themes"]["nerv"] == "NERV"
    assert result["after_api"] == "nerv"


def test_hook_api_refuses_an_unknown_theme_and_lists_the_plugins_commands(theme_run):
    result, _, _ = theme_run
    status, body = result["api_unknown_theme"]
    assert status in (404, 422) and "no-such-theme" in json.dumps(body)
    status, body = result["api_commands"]
    rows = {row["id"]: row for row in body["commands"]}
    assert status == 200
    assert rows["nerv.effects"]["plugin"] == "nerv"
    assert rows["palette.open"]["plugin"] == "palette"
    assert "theme.nerv" in rows


def test_theme_choice_is_persisted_in_the_config(theme_run):
    result, _, config = theme_run
    assert 'theme = "nerv"' in result["saved_after_menu"]
    assert 'theme = "nerv"' in config.read_text(encoding="utf-8")


def test_nerv_colours_reach_the_screen(theme_run):
    _, out, _ = theme_run
    default, nerv, default_again = (_image(out / f"{n}.png") for n in ("default", "nerv", "default_again"))
    assert default.shape == nerv.shape
    # Amber text, borders and headers all over the window with NERV; hardly any with the default theme.
    assert _amber(nerv).sum() > 20 * max(1, _amber(default).sum())
    assert _amber(nerv).sum() > 5000
    # Switching back really restores the default look.
    assert _amber(default_again).sum() <= 2 * max(1, _amber(default).sum()) + 50
    # NERV's window background is darker and redder than the default theme's.
    assert nerv[..., 2].mean() < default[..., 2].mean()


def test_nerv_status_bar_accent_and_its_toggle(theme_run):
    _, out, _ = theme_run
    stripes = _amber(_hazard_box(_image(out / "nerv.png"))).mean()
    assert 0.25 < stripes < 0.75  # stripes: amber and dark in turn
    assert _amber(_hazard_box(_image(out / "default.png"))).sum() == 0
    assert _amber(_hazard_box(_image(out / "nerv_plain.png"))).sum() == 0  # "NERV: Toggle background effects"


@pytest.fixture
def greeter_site(tmp_path):
    module = f"sloppy_greeter_{uuid.uuid4().hex[:8]}"
    site = tmp_path / "site"
    write_distribution(site, plugins={"greeter": module}, modules={module: greeter_source(gated=True)})
    yield site
    if not (site / "gate").exists():
        (site / "gate").write_text("fail", encoding="utf-8")


def test_palette_lists_runs_and_waits_for_a_third_party_plugin(tmp_path, display, greeter_site):
    env = {"PYTHONPATH": os.pathsep.join([str(greeter_site), str(ROOT)]), GATE_ENV: str(greeter_site)}
    result = run_scenario("palette_commands", tmp_path / "out", tmp_path / "config.toml", env)

    loading = result["labels_while_loading"]
    assert "Greet: say hello  (loading…)" in loading  # declared in its metadata, before its import finished
    for title in ("Theme: NERV", "NERV: Toggle background effects", "Command Palette: Open", "View: Diagnostics"):
        assert title in loading  # nerv's, the palette's own and the GUI's commands
    assert result["activity_window_active"]
    assert result["activity_text"] == "Waiting for plugin 'greeter' to load to run “Greet: say hello”…"
    assert result["greeted"] == "hello from greeter"
    assert result["run_message"] == "“Greet: say hello”: greeted"
    assert "Greet: say hello" in result["labels_after"]
    assert not result["diagnostics_shown_before"] and result["diagnostics_shown_after"]
    assert result["message_text"] == "draft"  # the shortcut and the search did not type into the message box

    # The wait is visible: the activity line at the top of the window is drawn over the panels.
    waiting, opened = _image(tmp_path / "out" / "waiting.png"), _image(tmp_path / "out" / "palette_open.png")
    w = waiting.shape[1]
    assert not np.array_equal(waiting[20:60, w // 4 : 3 * w // 4], opened[20:60, w // 4 : 3 * w // 4])


BROKEN_THEME = """raise ImportError("the broken theme lost its colours")
"""


def test_a_failed_theme_plugin_keeps_the_current_theme_and_says_why(tmp_path, display):
    site = write_distribution(
        tmp_path / "site",
        dist="sloppy-broken-theme",
        plugins={"brokentheme": "sloppy_broken_theme"},
        kinds={"brokentheme": "theme"},
        commands={"brokentheme:theme.broken": "Theme: Broken"},
        modules={"sloppy_broken_theme": BROKEN_THEME},
    )
    env = {"PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    result = run_scenario("failed_theme_plugin", tmp_path / "out", tmp_path / "config.toml", env)

    assert "Theme: Broken  (plugin failed)" in result["labels"]  # declared, so listed, and marked
    assert result["run_state"] == "failed"
    assert "plugin 'brokentheme' failed" in result["run_text"]
    assert "the broken theme lost its colours" in result["run_text"]
    assert result["theme_before"] == result["theme_after"] == "default"
    assert "broken" not in result["available"]


def test_a_saved_nerv_theme_follows_the_default_first_frame(tmp_path, display):
    config = tmp_path / "config.toml"
    config.write_text('[ui]\ntheme = "nerv"\n', encoding="utf-8")
    result = run_scenario("nerv_remembered", tmp_path / "out", config)

    assert result["themes_applied"] == ["default", "nerv"]
    assert _amber(_image(tmp_path / "out" / "nerv_from_config.png")).sum() > 5000
