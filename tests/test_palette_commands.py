"""The palette's list and its runs, with a real controller, real plugins and a real third-party distribution.

No window here: the listing (:mod:`src.plugins.palette.entries`) and the runner
(:mod:`src.plugins.palette.runner`) are plain Python on the controller's
threads. The window is tested in ``test_palette_window.py``.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

import pytest

from src.core.catalog import discover
from src.core.config import load_config
from src.core.controller import AppController
from src.core.warmup import State
from src.plugins.palette import plugin as palette_plugin
from src.plugins.palette.entries import FAILED, LOADING, READY, PaletteEntry, fuzzy_matches, palette_entries
from src.plugins.palette.runner import DONE, WAITING
from src.plugins.palette.runner import FAILED as RUN_FAILED
from src.plugins.palette.window import _unique_labels
from tests.third_party import close_loop, greeter_source, write_distribution

BUILTIN = set(discover().plugins)


@pytest.fixture
def greeter(tmp_path, monkeypatch):
    """A third-party distribution "sloppy-greeter" (plugin ``greeter``) on sys.path; returns its folder."""

    def make(*, gated: bool = False) -> Path:
        module = f"sloppy_greeter_{uuid.uuid4().hex[:8]}"
        root = tmp_path / "site"
        write_distribution(root, plugins={"greeter": module}, modules={module: greeter_source(gated=gated)})
        monkeypatch.syspath_prepend(str(root))
        monkeypatch.delitem(sys.modules, module, raising=False)
        made.append(root)
        return root

    made: list[Path] = []
    yield make
    for root in made:  # release a gated import still waiting on a pool thread
        gate = root / "gate"
        if not gate.exists():
            gate.write_text("fail", encoding="utf-8")


@pytest.fixture
def start_controller(tmp_path):
    """Start a headless controller with only the named plugins enabled; shut it down after the test."""
    started: list[AppController] = []

    def start(*enabled: str) -> AppController:
        controller = AppController(
            load_config(tmp_path / "config.toml"), disabled=BUILTIN - set(enabled), mode="headless"
        )
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        controller.shutdown(timeout=2.0)
        close_loop(controller)


def _wait_state(controller: AppController, name: str, state: State, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = {p.name: p.state for p in controller.warmup_status().plugins}
        if status.get(name) is state:
            return
        time.sleep(0.01)
    raise AssertionError(f"{name} did not reach {state.value}: {controller.warmup_status().summary()}")


def _entries(controller: AppController) -> dict[str, tuple[str, str, str]]:
    return {e.id: (e.state, e.plugin, e.label) for e in palette_entries(controller)}


def test_lists_commands_of_several_plugins_with_their_owner(start_controller, greeter):
    greeter()
    controller = start_controller("nerv", "palette", "greeter")
    assert controller.wait_for_warmup(20)

    entries = _entries(controller)

    assert entries["theme.nerv"] == (READY, "nerv", "Theme: NERV")
    assert entries["nerv.effects"][:2] == (READY, "nerv")
    assert entries["palette.open"][:2] == (READY, "palette")
    assert entries["greet.hello"] == (READY, "greeter", "Greet: say hello")


def test_declared_commands_show_as_loading_until_the_plugin_is_ready(start_controller, greeter):
    site = greeter(gated=True)
    controller = start_controller("palette", "greeter")
    _wait_state(controller, "greeter", State.IMPORTING)

    assert _entries(controller)["greet.hello"] == (LOADING, "greeter", "Greet: say hello  (loading…)")

    (site / "gate").write_text("open", encoding="utf-8")
    assert controller.wait_for_warmup(20)
    assert _entries(controller)["greet.hello"][0] == READY


def test_running_a_loading_command_waits_for_its_plugin_then_runs(start_controller, greeter):
    site = greeter(gated=True)
    controller = start_controller("palette", "greeter")
    _wait_state(controller, "palette", State.READY)
    _wait_state(controller, "greeter", State.IMPORTING)
    runner = palette_plugin.palette().runner

    future = runner.run("greet.hello", "Greet: say hello")
    deadline = time.monotonic() + 5
    while runner.waiting_for() != {"greeter": 1} and time.monotonic() < deadline:
        time.sleep(0.01)
    waiting = runner.activities()[-1]
    assert waiting.state == WAITING
    assert "Waiting for plugin 'greeter'" in waiting.text()
    assert not future.done()
    assert not (site / "greeted.txt").exists()

    (site / "gate").write_text("open", encoding="utf-8")
    activity = future.result(timeout=20)

    assert activity.state == DONE, activity.message
    assert activity.message == "greeted"
    assert (site / "greeted.txt").read_text(encoding="utf-8") == "hello from greeter"
    assert runner.waiting_for() == {}


def test_a_waiting_run_fails_with_the_reason_when_its_plugin_fails(start_controller, greeter):
    site = greeter(gated=True)
    controller = start_controller("palette", "greeter")
    _wait_state(controller, "palette", State.READY)
    _wait_state(controller, "greeter", State.IMPORTING)
    runner = palette_plugin.palette().runner

    future = runner.run("greet.hello")
    (site / "gate").write_text("fail", encoding="utf-8")
    activity = future.result(timeout=20)

    assert activity.state == RUN_FAILED
    assert "plugin 'greeter' failed" in activity.message
    assert "could not find its greeting" in activity.message
    assert _entries(controller)["greet.hello"][0] == FAILED


def test_a_waiting_run_fails_when_its_plugin_is_disabled_meanwhile(start_controller, greeter):
    greeter(gated=True)
    controller = start_controller("palette", "greeter")
    _wait_state(controller, "palette", State.READY)
    _wait_state(controller, "greeter", State.IMPORTING)
    runner = palette_plugin.palette().runner

    future = runner.run("greet.hello")
    controller.set_enabled("greeter", False, save=False).result(5)
    activity = future.result(timeout=10)

    assert activity.state == RUN_FAILED
    assert "disabled" in activity.message
    assert "greet.hello" not in _entries(controller)


def test_unknown_command_fails_clearly(start_controller):
    controller = start_controller("palette")
    assert controller.wait_for_warmup(20)
    activity = palette_plugin.palette().runner.run("no.such.command").result(5)
    assert activity.state == RUN_FAILED
    assert activity.message == "no command 'no.such.command' is installed"


def test_a_command_that_raises_is_reported_and_the_next_one_still_runs(start_controller):
    controller = start_controller("palette", "nerv")
    assert controller.wait_for_warmup(20)
    runner = palette_plugin.palette().runner

    headless_theme = runner.run("theme.nerv").result(5)
    effects = runner.run("nerv.effects").result(5)

    assert headless_theme.state == RUN_FAILED
    assert "--headless" in headless_theme.message
    assert effects.state == DONE
    assert effects.message == "NERV effects off"
    assert controller.themes()["nerv"].effects_enabled is False


def test_palette_open_needs_the_window(start_controller):
    controller = start_controller("palette")
    assert controller.wait_for_warmup(20)
    activity = palette_plugin.palette().runner.run("palette.open").result(5)
    assert activity.state == RUN_FAILED
    assert "needs the window" in activity.message


def test_equal_titles_stay_distinct_in_the_palette():
    entries = [PaletteEntry("a.one", "Same", "a", READY), PaletteEntry("b.one", "Same", "b", READY)]
    assert set(_unique_labels(entries)) == {"Same  [a.one]", "Same  [b.one]"}


@pytest.mark.parametrize(
    ("pattern", "label", "expected"),
    [
        ("nrv eff", "NERV: Toggle background effects", True),
        ("THEME", "Theme: NERV", True),
        ("say hel", "Greet: say hello  (loading…)", True),
        ("vren", "NERV", False),  # order matters
        ("zzz", "Theme: NERV", False),
        ("", "Theme: NERV", False),
        ("a" * 33, "a" * 40, False),  # imcmd gives up past 32 matched characters
    ],
)
def test_fuzzy_matching_follows_imgui_command_palette(pattern, label, expected):
    assert fuzzy_matches(pattern, label) is expected
