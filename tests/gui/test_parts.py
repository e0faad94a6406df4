"""The GUI's parts that need no window: indicator, toast text, display check, PNG, readiness feed, appearance."""

from __future__ import annotations

import io
import socket
import sys
import threading
import time

import pytest
from PIL import Image

from src.core.catalog import Catalog, PluginInfo
from src.core.config import load_config
from src.core.controller import AppController
from src.core.gui.appearance import Appearance
from src.core.gui.default_theme import DefaultTheme
from src.core.gui.display import NO_DISPLAY, display_problem
from src.core.gui.indicator import Indicator, Phase, completion_message
from src.core.gui.panels.plugins import PluginsPanel, details_parts, details_tooltip, fit_parts
from src.core.gui.panels.providers import by_label
from src.core.gui.readiness import ReadinessFeed
from src.core.gui.screenshot import RawFrame, encode_png
from src.core.gui.toast import Toasts
from src.core.warmup import PluginStatus, State, WarmupStatus
from tests.gui import plugin_site


def _status(states: list[State], *, discovered: bool = True, done: bool = False) -> WarmupStatus:
    plugins = [
        PluginStatus(f"p{i}", "tool", "d", "1", f"m{i}", enabled=s is not State.DISABLED, state=s)
        for i, s in enumerate(states)
    ]
    return WarmupStatus(plugins=plugins, discovered=discovered, done=done, started_ms=100.0, finished_ms=2600.0)


def test_indicator_labels_follow_the_warm_up_in_order():
    indicator = Indicator()
    indicator.update(_status([], discovered=False))
    indicator.update(_status([State.IMPORTING, State.PENDING, State.DISABLED]))
    indicator.update(_status([State.READY, State.IMPORTING, State.DISABLED]))
    indicator.update(_status([State.READY, State.IMPORTING, State.DISABLED]))  # no change, no new entry
    indicator.update(_status([State.READY, State.READY, State.DISABLED], done=True))
    assert indicator.history == ["Warming up…", "Warming up… (0/2)", "Warming up… (1/2)", "All plugins ready"]
    assert indicator.phase is Phase.READY


def test_indicator_counts_failures_in_red_and_names_them():
    indicator = Indicator()
    indicator.update(_status([State.FAILED, State.READY, State.FAILED], done=True))
    assert indicator.label == "2 failed"
    assert indicator.phase is Phase.FAILED and indicator.failed == ["p0", "p2"]


def test_completion_toast_texts():
    assert completion_message(_status([State.READY, State.READY], done=True)) == (
        "All plugins ready — 2 plugins in 2.5 s",
        True,
    )
    text, ok = completion_message(_status([State.READY, State.FAILED], done=True))
    assert not ok and text.startswith("1 of 2 plugins failed: p1")


def test_display_check_without_glfw(display):
    assert display_problem({"DISPLAY": display}) is None
    assert display_problem({}) == NO_DISPLAY
    assert display_problem({"DISPLAY": ":4242"}) == f"{NO_DISPLAY} (cannot connect to DISPLAY=:4242)"
    assert display_problem({"DISPLAY": "not a display"}).startswith(NO_DISPLAY)


@pytest.mark.skipif(sys.platform != "linux", reason="unix sockets")
def test_a_listening_wayland_socket_counts_as_a_display(tmp_path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(tmp_path / "wayland-0"))
    server.listen(1)
    try:
        assert display_problem({"WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": str(tmp_path)}) is None
        assert display_problem({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}) == NO_DISPLAY
    finally:
        server.close()


def test_png_encoding_round_trips_and_flips_gl_rows():
    # Two rows, bottom-up as OpenGL gives them: the bottom row is red, the top row blue.
    raw = bytes([255, 0, 0] * 3 + [0, 0, 255] * 3)
    image = Image.open(io.BytesIO(encode_png(RawFrame(3, 2, raw)))).convert("RGB")
    assert image.size == (3, 2)
    assert image.getpixel((0, 0)) == (0, 0, 255) and image.getpixel((2, 1)) == (255, 0, 0)
    top_down = Image.open(io.BytesIO(encode_png(RawFrame(3, 2, raw, bottom_up=False)))).convert("RGB")
    assert top_down.getpixel((0, 0)) == (255, 0, 0)


@pytest.fixture
def controller(tmp_path, monkeypatch):
    site = plugin_site.install(tmp_path / "site", "sloppytest_theme", "sloppytest_broken")
    monkeypatch.syspath_prepend(str(site))
    catalog = Catalog(
        {
            name: PluginInfo(name, name, kind, name, "1.0")
            for name, kind in (("sloppytest_theme", "theme"), ("sloppytest_broken", "tool"))
        }
    )
    app = AppController(load_config(tmp_path / "config.toml"), discover_fn=lambda: catalog)
    yield app
    app.shutdown(2.0)


def test_the_readiness_feed_only_enqueues_and_wakes(controller):
    woken = threading.Event()
    feed = ReadinessFeed(woken.set)
    controller.start()
    controller.register_subscriber(feed, "gui-test")
    assert controller.wait_for_warmup(20)
    assert woken.wait(5)
    events = []
    deadline = time.monotonic() + 5
    while not any(e.kind == "complete" for e in events) and time.monotonic() < deadline:
        time.sleep(0.02)
        events += feed.drain()
    kinds = sorted((e.kind, getattr(e.payload, "name", "")) for e in events)
    assert kinds == [("complete", ""), ("failed", "sloppytest_broken"), ("ready", "sloppytest_theme")]
    assert feed.drain() == []


def test_appearance_defaults_first_then_applies_and_saves_the_requested_theme(controller):
    appearance = Appearance(controller, DefaultTheme())
    assert appearance.current == "default" and appearance.requested == "default"
    controller.start()
    appearance.request("sunset")  # before the warm-up ends: accepted, applied once ready
    first = appearance.theme_to_apply()
    assert first is not None and first.name in ("default", "sunset")
    appearance.applied(first.name)
    assert controller.wait_for_warmup(20)
    theme = appearance.theme_to_apply() or first
    assert theme.name == "sunset"
    appearance.applied(theme.name)
    assert appearance.current == "sunset" and appearance.theme_to_apply() is None
    assert appearance.available() == {"default": "Default", "sunset": "Sunset (test)"}
    controller.call_on_writer(lambda: None).result(5)  # the save was posted before this
    assert 'theme = "sunset"' in controller.config.path.read_text()
    with pytest.raises(ValueError, match="unknown theme 'nope'"):
        appearance.request("nope")
    assert load_config(controller.config.path).get("ui", "theme") == "sunset"


def test_headless_appearance_remembers_the_request(tmp_path):
    app = AppController(load_config(tmp_path / "config.toml"), discover_fn=Catalog)
    appearance = Appearance(app)
    app.start()
    try:
        assert app.wait_for_warmup(10)
        assert appearance.available() == {"default": "Default"}
        appearance.request("default")
        app.call_on_writer(lambda: None).result(5)
        assert appearance.current == "default" and appearance.theme_to_apply() is not None
        assert 'theme = "default"' in app.config.path.read_text()
        with pytest.raises(ValueError, match="unknown theme"):
            appearance.request("nerv")
    finally:
        app.shutdown(2.0)


class _Labelled:
    def __init__(self, label: str) -> None:
        self._label = label

    @property
    def label(self) -> str:
        if self._label == "boom":
            raise RuntimeError("label exploded")
        return self._label


def test_providers_are_listed_by_label_whatever_order_they_warmed_in():
    warmed = {"openai": _Labelled("OpenAI"), "anthropic": _Labelled("Anthropic"), "gemini": _Labelled("Google Gemini")}
    other_run = dict(reversed(list(warmed.items())))
    expected = ["anthropic", "gemini", "openai"]
    assert [name for name, _ in by_label(warmed)] == expected
    assert [name for name, _ in by_label(other_run)] == expected
    with_broken = {**warmed, "broken": _Labelled("boom"), "deepseek": _Labelled("deepseek")}
    assert [name for name, _ in by_label(with_broken)] == ["anthropic", "broken", "deepseek", "gemini", "openai"]


def test_a_later_warm_up_round_is_timed_from_its_own_start_and_names_what_it_warmed():
    plugins = [
        PluginStatus("early", "tool", "d", "1", "m", True, state=State.READY, started_ms=150.0),
        PluginStatus("openai", "provider", "d", "1", "m", True, state=State.READY, started_ms=160_000.0),
    ]
    status = WarmupStatus(plugins=plugins, discovered=True, done=True, started_ms=100.0, finished_ms=166_100.0)
    assert completion_message(status) == ("All plugins ready — 2 plugins in 166.0 s", True)
    assert completion_message(status, previous_finished_ms=2_600.0) == (
        "All plugins ready — openai warmed in 6.1 s",
        True,
    )


def test_a_plugins_details_line_breaks_between_its_parts_to_fit_the_column():
    parts = ["provider", "sloppy 0.1.0", "controller-io-2"]
    assert fit_parts(parts, 100, len) == ["provider · sloppy 0.1.0 · controller-io-2"]
    assert fit_parts(parts, 23, len) == ["provider · sloppy 0.1.0", "controller-io-2"]
    assert fit_parts(parts, 12, len) == ["provider", "sloppy 0.1.0", "controller-io-2"]
    assert fit_parts(parts, 3, len) == parts  # a part wider than the column gets its own line (it wraps there)
    assert fit_parts([], 10, len) == []


def test_a_plugins_tooltip_has_everything_its_row_shortens():
    ready = PluginStatus(
        "openai", "provider", "sloppy", "0.1.0", "src.plugins.providers.openai", True, state=State.READY,
        started_ms=812.4, import_ms=1761.2, duration_ms=1790.0, thread="controller-io-2",
    )  # fmt: skip
    assert details_parts(ready) == ["provider", "sloppy 0.1.0", "controller-io-2"]
    assert details_tooltip(ready).splitlines() == [
        "openai (provider): ready",
        "distribution sloppy 0.1.0",
        "module src.plugins.providers.openai",
        "thread controller-io-2",
        "started at 812 ms, import 1761 ms, import + setup 1790 ms",
    ]
    disabled = PluginStatus("hooks_web", "web", "sloppy", "0.1.0", "m", False, state=State.DISABLED, note="off")
    assert details_parts(disabled) == ["web", "sloppy 0.1.0"]
    assert details_tooltip(disabled).splitlines()[-2:] == ["thread – (not started)", "off"]


def test_the_plugins_panel_drops_its_warming_note_once_that_plugin_settles():
    panel = PluginsPanel(gui=None)
    panel.message, panel._warming_note = "Enabling openai: it is warming up now.", ("openai", 2)

    def status(state: State, attempt: int) -> WarmupStatus:
        plugin = PluginStatus("openai", "provider", "d", "1", "m", True, state=state, attempt=attempt)
        return WarmupStatus(plugins=[plugin], discovered=True)

    panel._settle_note(status(State.DISABLED, 2))  # the frame before the writer took the change
    panel._settle_note(status(State.IMPORTING, 3))
    assert panel.message == "Enabling openai: it is warming up now."
    panel._settle_note(status(State.READY, 3))
    assert panel.message is None and panel._warming_note is None
    panel.message, panel._warming_note = "Reloading openai: …", ("openai", 3)
    panel._settle_note(status(State.FAILED, 4))
    assert panel.message == "openai failed to warm up (see below)."


def test_toasts_wait_behind_a_sticky_warning_until_it_is_dismissed():
    toasts = Toasts()
    toasts.show("Config problem: …", ok=False, seconds=30.0, sticky=True)
    toasts.show("All plugins ready — 2 plugins in 0.5 s")
    assert toasts.current.text == "Config problem: …"
    assert toasts.shown == ["Config problem: …", "All plugins ready — 2 plugins in 0.5 s"]
    toasts.dismiss()
    assert toasts.current.text == "All plugins ready — 2 plugins in 0.5 s" and toasts.dismissed == 1
    toasts.show("Copied to the clipboard")  # an ordinary toast replaces an ordinary one
    assert toasts.current.text == "Copied to the clipboard"
