"""The real window under Xvfb, driven by imgui's test engine (see driver.py and scenarios.py)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from src.core.chat.model import Message
from src.core.chat.store import StoredDiscussion, discussion_path, dumps
from tests.gui import plugin_site
from tests.gui.conftest import HEAVY_BUILTINS, ROOT, count_pixels
from tests.gui.fake_openai import FakeOpenAI

GREEN = (70, 200, 95)
RED = (230, 70, 70)
STATUS_BAR = (0, -30, 40, -1)  # left end of the status bar, where the indicator's dot is


def _warming_counts(history: list[str]) -> list[int]:
    return [int(m.group(1)) for h in history if (m := re.match(r"Warming up… \((\d+)/\d+\)", h))]


def test_indicator_runs_from_warming_to_ready_and_the_toast_is_dismissed(run_app, tmp_path):
    site = plugin_site.install(tmp_path / "site", "sloppytest_slow")
    run = run_app("warmup_to_ready", site=site, env={"SLOPPYTEST_GATE": str(tmp_path / "gate")})
    history = run.result["indicator_history"]
    assert history[-1] == "All plugins ready"
    assert any(h.startswith("Warming up…") for h in history), history
    assert history.index(next(h for h in history if h.startswith("Warming up…"))) < len(history) - 1
    counts = _warming_counts(history)
    assert counts == sorted(counts), history
    assert re.fullmatch(r"All plugins ready — \d+ plugins in \d+\.\d s", run.result["toasts"][0]), run.result
    assert run.result["dismissed"] == 1 and run.result["toast_after_dismiss"] is False
    # Idle, the window draws 9 frames a second while something moves (the spinner), 3 once all is still.
    assert (run.result["idle_fps_warming"], run.result["idle_fps_still"]) == (9.0, 3.0)
    assert "first_frame" in run.result["marks"]
    assert run.result["frame_times"] > 0
    # The green dot is on screen once warm: in the frame from screenshot_png and in the runner's final frame.
    assert count_pixels(run.out / "warm.png", GREEN, STATUS_BAR) >= 12
    assert count_pixels(run.out / "final.png", GREEN, STATUS_BAR) >= 12
    assert count_pixels(run.out / "final.png", RED, STATUS_BAR) == 0
    assert run.returncode == 0


def test_a_broken_distribution_ends_at_the_failed_count_which_opens_plugins(run_app, tmp_path):
    site = plugin_site.install(tmp_path / "site", "sloppytest_slow", "sloppytest_broken")
    run = run_app("failed_plugin", site=site)
    history = run.result["indicator_history"]
    assert history[-1] == "1 failed", history
    assert "All plugins ready" not in history
    assert "1 of" in run.result["toasts"][0] and "sloppytest_broken" in run.result["toasts"][0]
    assert run.result["plugins_visible"] is True
    assert run.result["traceback_shown"] is True
    assert run.result["after_retry"] == "failed"
    assert "no_such_dependency" in run.result["error"]
    assert count_pixels(run.out / "failed.png", RED, STATUS_BAR) >= 12
    assert count_pixels(run.out / "failed.png", GREEN, STATUS_BAR) == 0


def test_plugins_panel_toggle_is_saved_and_warms_again(run_app, tmp_path):
    site = plugin_site.install(tmp_path / "site", "sloppytest_slow")
    run = run_app("plugins_toggle", site=site)
    assert run.result["plugins_visible"] is True
    assert 'disabled = ["sloppytest_slow"]' in run.result["config_after_disable"]
    assert "stays loaded until restart" in run.result["message_after_disable"]
    assert "sloppytest_slow" not in run.result["config_after_enable"]
    # Re-enabling: the "warming up now" note goes once it is ready; the round is timed from its own start.
    assert run.result["message_when_ready"] is None  # not "Enabling …: it is warming up now." any more
    rewarm = re.fullmatch(r"All plugins ready — sloppytest_slow warmed in (\d+\.\d) s", run.result["toasts"][1])
    assert rewarm, run.result["toasts"]
    # Its module is still imported, so the round takes moments: not the time since the app started.
    assert float(rewarm.group(1)) < run.result["seconds_since_start"] - 1.0
    assert run.result["indicator_history"][-1] == "All plugins ready"
    before, after = run.result["reloaded_attempts"]
    assert after == before + 1
    assert 3.0 < run.result["toast_hid_after_s"] < 9.0 and run.result["dismissed"] == 0


def test_layout_file_lives_in_the_user_config_dir_not_the_cwd(run_app, tmp_path, isolated_env):
    run = run_app("warmup_to_ready")
    assert (isolated_env / "config" / "sloppy" / "layout.ini").is_file()
    assert not list(tmp_path.glob("*.ini"))
    assert run.returncode == 0


def test_send_a_message_to_a_loopback_provider_after_switching_provider_and_model(run_app, tmp_path):
    site = plugin_site.install(tmp_path / "site", "sloppytest_fakechat", "sloppytest_slow")
    (tmp_path / "notes.md").write_text("# Notes\nThe secret word is pelican.\n")
    (tmp_path / "extra.txt").write_text("picked in the file dialog\n")
    chunks = ["**Hello**", " from the", " fake.\n\n", "| a | b |\n|---|---|\n| 1 | 2 |\n"]
    with FakeOpenAI(chunks) as fake:
        env = {
            "FAKECHAT_BASE_URL": fake.base_url,
            "FAKECHAT_API_KEY": "test-key",
            "SLOPPYTEST_GATE": str(tmp_path / "gate"),
        }
        run = run_app("chat_send", "--project", str(tmp_path), site=site, env=env)
    if not run.result.get("chat_available"):
        pytest.skip("controller.chat is not built yet (the chat session lands with the providers branch)")
    assert run.result["typed_while"] in ("discovering", "warming")  # the window was usable before plugins were
    assert run.result["context"] == [["notes.md", len("# Notes\nThe secret word is pelican.\n")]]
    assert run.result["file_dialog_open"] is True and run.result["file_dialog_closed"] is True
    assert run.result["context_after_dialog"] == ["extra.txt", "notes.md"]
    assert run.result["switched"] == ["fakechat2", "b-2"]
    user, answer = run.result["messages"][-2:]
    assert user["role"] == "user" and user["content"] == "Hello fake, please answer in markdown"
    assert answer == {
        "role": "assistant",
        "content": "".join(chunks),
        "provider": "fakechat",
        "model": "fake-large",
        "state": "done",
        "error": None,
    }
    assert run.result["input_after_send"] == ""
    assert run.result["markdown_ready"] is True
    sent = fake.requests[-1]
    assert sent["body"]["model"] == "fake-large" and sent["body"]["stream"] is True
    assert sent["body"]["messages"][-1]["content"].endswith("Hello fake, please answer in markdown")
    assert "pelican" in json.dumps(sent["body"]["messages"])  # the context file went with it


def test_closing_the_window_exits_promptly_while_an_import_hangs(run_app, tmp_path):
    site = plugin_site.install(tmp_path / "site", "sloppytest_hangs")
    run = run_app("quit_while_hanging", site=site, timeout=30)
    assert run.result["state_before_quit"] == "importing"
    assert run.result["app_shall_exit"] is True
    # The controller gives plugins 2 s to stop, then the CLI leaves with os._exit.
    assert run.ended_at - run.result["quit_at"] < 4.0
    assert "still importing" in run.stderr


def test_a_panel_that_raises_shows_the_error_and_the_window_carries_on(run_app, tmp_path):
    site = plugin_site.install(tmp_path / "site", "sloppytest_badprovider")
    run = run_app("panel_error", site=site)
    assert run.result["frames_went_on"] is True
    assert "label exploded" in run.result["part_errors"]["Providers"]
    assert run.returncode == 0


def test_quitting_with_the_file_dialog_open_exits_cleanly(run_app):
    run = run_app("quit_with_file_dialog_open")
    assert run.result["file_dialog_open"] is True
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.mark.parametrize("display_value", [None, ":4242"])
def test_no_display_is_a_clear_message_and_a_quick_non_zero_exit(display_value, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    if display_value:
        env["DISPLAY"] = display_value
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "sloppy.py")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode != 0
    assert "no display found: set DISPLAY or use --headless" in proc.stderr
    assert "Traceback" not in proc.stderr and "GLFW" not in proc.stderr
    assert time.monotonic() - started < 10.0  # seconds, not a hang (a loaded 2-core machine)


SUNSET = (102, 31, 15)
DISCUSSION_AREA = (330, 200, 800, 500)


def test_theme_menu_plugin_frames_and_commands(run_app, tmp_path):
    site = plugin_site.install(tmp_path / "site", "sloppytest_theme", "sloppytest_draws", "sloppytest_badframe")
    run = run_app("themes_frames_commands", site=site)
    result = run.result
    assert result["theme_at_start"] == "default"
    # Built-in theme plugins (NERV) are listed too: check the ones this test is about.
    assert {"default": "Default", "sunset": "Sunset (test)"}.items() <= result["available"].items()
    assert 'theme = "sunset"' in result["config"]
    assert "unknown theme 'no-such-theme'" in result["unknown_theme"]
    # The new theme is on screen: the Discussion panel's background is the theme's colour.
    assert count_pixels(run.out / "sunset.png", SUNSET, DISCUSSION_AREA, tolerance=6) > 10_000
    # A plugin draws every frame; one that raises is isolated after its first call.
    assert result["drawn_frames"] > 5 and result["drawn_window"] is True
    assert result["bad_frame_calls"] == 1
    assert "cannot draw" in result["broken_frames"]["sloppytest_badframe"]
    assert any("sloppytest_badframe failed to draw" in t for t in result["toasts"])
    expected = {"chat.clear", "chat.copy_last", "chat.cancel", "view.plugins", "view.diagnostics"}
    expected |= {"plugins.retry_failed", "app.quit", "context.add", "theme.default", "theme.sunset"}
    assert expected <= set(result["commands"])
    assert result["diagnostics_visible"] is True


CONTEXT_EMPTY_AREA = (20, 120, 290, 340)  # below the Context panel's text, above Providers
FLOATING_CONTEXT_EMPTY = (20, 270, 250, 350)  # the Context panel once undocked, below its text
PANELS = {"Discussion", "Message", "Context", "Providers", "Plugins", "Diagnostics"}


def test_docked_panels_are_painted_once_and_a_floating_one_keeps_its_background(run_app, tmp_path):
    site = plugin_site.install(tmp_path / "site", "sloppytest_backdrop")
    run = run_app("backdrop", site=site)
    result = run.result
    # Docked, no panel draws a background: the window is cleared to the panels' colour, opaque.
    shown = PANELS - {"Diagnostics"}  # a tab behind Plugins
    assert {label for label, see_through in result["see_through"].items() if see_through} >= shown
    assert result["diagnostics_see_through"] is True
    assert result["clear"] == result["window_bg"][:3] + [1.0]
    opaque = tuple(round(c * 255) for c in result["window_bg"][:3])
    area = (CONTEXT_EMPTY_AREA[2] - CONTEXT_EMPTY_AREA[0]) * (CONTEXT_EMPTY_AREA[3] - CONTEXT_EMPTY_AREA[1])
    assert count_pixels(run.out / "default.png", opaque, CONTEXT_EMPTY_AREA, tolerance=2) > 0.95 * area
    # Dragged out of the dock, a panel draws its own background again; the docked ones stay see-through.
    assert result["floating_context_docked"] is False
    assert result["see_through_after_undock"] == {label: label != "Context" for label in PANELS}
    # A theme's background effect is veiled once by the panels' colour: blue at 50 % over green on the
    # left half of the window, over the black clear colour on the right.
    assert result["veiled"] is True and result["clear_veiled"] == [0.0, 0.0, 0.0, 1.0]
    # Windows drawn on top of the panels (a floating panel, popups) are opaque all the same: the floating
    # Context panel's empty part is the theme's blue, not blue over green.
    assert result["on_top_alphas"] == [1.0, 1.0]
    assert count_pixels(run.out / "halves.png", (0, 0, 255), FLOATING_CONTEXT_EMPTY, tolerance=3) > 0.9 * 230 * 80
    over_green, over_black = (0, 128, 128), (0, 0, 128)
    assert count_pixels(run.out / "halves.png", over_green, (340, 200, 580, 500), tolerance=3) > 0.95 * 240 * 300
    assert count_pixels(run.out / "halves.png", over_black, (620, 200, 800, 500), tolerance=3) > 0.95 * 180 * 300


def test_the_saved_theme_is_applied_on_the_next_start_once_ready(run_app, tmp_path, isolated_env):
    config = isolated_env / "config" / "sloppy" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[ui]\ntheme = "sunset"\n')
    site = plugin_site.install(tmp_path / "site", "sloppytest_theme")
    run = run_app("theme_remembered", site=site, env={"SLOPPYTEST_THEME_DELAY_S": "3"})
    # The first frame used the default theme (the plugin was not ready yet); then the saved one.
    assert run.result["themes_applied"] == ["default", "sunset"]


def test_cancel_a_streaming_answer_and_see_a_provider_error(run_app, tmp_path):
    site = plugin_site.install(tmp_path / "site", "sloppytest_fakechat")
    with FakeOpenAI([f"part {i}. " for i in range(40)], delay_s=0.25) as fake:
        env = {"FAKECHAT_BASE_URL": fake.base_url, "FAKECHAT_API_KEY": "test-key"}
        run = run_app("chat_cancel_and_error", "--project", str(tmp_path), site=site, env=env)
        deadline = time.monotonic() + 5
        while not fake.disconnects and time.monotonic() < deadline:
            time.sleep(0.05)
    if not run.result.get("chat_available"):
        pytest.skip("controller.chat is not built yet")
    assert run.result["busy_while_streaming"] is True
    cancelled = run.result["cancelled"]
    assert cancelled["state"] == "cancelled"
    assert cancelled["content"].startswith("part 0.") and "part 39." not in cancelled["content"]
    assert fake.disconnects >= 1  # cancelling closed the connection
    failed = run.result["failed"]
    assert failed["state"] == "error"
    assert "key" in failed["error"].lower()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_closes_the_window_like_quit(display, tmp_path, sig):
    profile = tmp_path / "startup.txt"
    env = dict(os.environ, DISPLAY=display, SLOPPY_DISABLE_PLUGINS=HEAVY_BUILTINS)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "sloppy.py"), "--startuptime", str(profile)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not profile.exists():  # written once the window is up and the warm-up done
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the app never finished warming up"
            time.sleep(0.1)
        started = time.monotonic()
        proc.send_signal(sig)
        proc.wait(timeout=10)
        assert time.monotonic() - started < 5
        assert proc.returncode == 0, proc.communicate()
        assert "mark: first_frame" in profile.read_text()
    finally:
        proc.kill()
        proc.communicate()


def test_send_waits_for_a_warming_provider_and_keeps_the_message(run_app, tmp_path, isolated_env):
    config = isolated_env / "config" / "sloppy" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[provider]\ndefault = "slowchat"\n')
    site = plugin_site.install(tmp_path / "site", "sloppytest_slowchat")
    with FakeOpenAI(["ready ", "now"]) as fake:
        env = {"FAKECHAT_BASE_URL": fake.base_url, "FAKECHAT_API_KEY": "k", "SLOPPYTEST_GATE": str(tmp_path / "gate")}
        run = run_app("send_while_provider_warms", "--project", str(tmp_path), site=site, env=env)
    result = run.result
    assert result["loading_hint"] == "provider slowchat loading"
    assert result["text_after_ctrl_enter"] == "Hello while warming" and result["messages_while_warming"] == 0
    assert result["text_right_after_send"] == ""  # handed to the session…
    assert "slowchat" in result["notice"] and "not sent" in result["notice"]  # …which refused it
    assert result["messages_after_refusal"] == 0
    assert result["loading_hint_when_ready"] is None
    assert result["text_after_accepted_send"] == ""
    assert result["answer"] == ["done", "ready now"]


def test_the_discussion_opens_at_the_newest_message_and_follows_unless_scrolled_up(run_app, tmp_path):
    turns = []
    for i in range(15):
        turns.append(Message("user", f"Question {i}?", "openai", "gpt", 1.0e9 + i))
        turns.append(Message("assistant", f"**Answer {i}**\n\nline one\n\nline two", "openai", "gpt", 1.0e9 + i))
    stored = discussion_path(tmp_path)
    stored.parent.mkdir(parents=True)
    stored.write_text(dumps(StoredDiscussion(messages=turns)), encoding="utf-8")
    run = run_app("discussion_follows_the_newest", "--project", str(tmp_path))
    result = run.result
    assert result["loaded"] == 30
    scroll, scroll_max = result["after_load"]
    assert scroll_max > 200 and scroll == scroll_max, result  # the newest message is in view
    scroll, scroll_max = result["after_scrolling_up"]
    assert scroll == 0 and scroll_max > 200 and result["follow_after_scrolling_up"] is False  # not yanked back
    scroll, scroll_max = result["after_send"]
    assert scroll == scroll_max > 200, result  # the user's own message brings the view back to the end


def test_clearing_the_discussion_asks_first(run_app, tmp_path):
    turns = [Message("user" if i % 2 == 0 else "assistant", f"turn {i}", "openai", "gpt", 1.0e9 + i) for i in range(4)]
    stored = discussion_path(tmp_path)
    stored.parent.mkdir(parents=True)
    stored.write_text(dumps(StoredDiscussion(messages=turns)), encoding="utf-8")
    run = run_app("clear_asks_first", "--project", str(tmp_path))
    result = run.result
    assert result["modal_from_menu"] is True
    assert result["after_cancel"] == [4, False]  # Cancel kept every message
    assert result["modal_from_command"] is True and result["messages_while_asking"] == 4
    assert result["after_clear"] == [0, False]


def test_config_problems_are_shown_in_the_window_and_a_toggle_says_it_was_not_saved(run_app, tmp_path, isolated_env):
    config = isolated_env / "config" / "sloppy" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    broken = '[ui]\ntheme = "default"\n\n[plugins\ndisabled = []\n'
    config.write_text(broken)
    site = plugin_site.install(tmp_path / "site", "sloppytest_slow")
    run = run_app("config_problems_shown", site=site, env={"SLOPPYTEST_SLOW_S": "0.1"})
    result = run.result
    assert result["toasts"][0].startswith(f"Config problem: {config}: malformed TOML")
    assert "line 4" in result["toasts"][0] and "read-only until fixed" in result["toasts"][0]
    assert result["toast_after_warm_up"] == result["toasts"][0]  # the warm-up's toast waits behind it
    assert result["toasts"][1].startswith("All plugins ready")
    assert result["popup_shown"] is True and result["popup_after_close"] is False
    message = result["toggle_message"]
    assert message.startswith("sloppytest_slow is disabled") and "for this session" in message
    assert "could not be saved" in message and "fix it by hand" in message
    assert result["state_after_toggle"] == "disabled"
    assert config.read_text() == broken  # left untouched


def test_a_small_window_keeps_the_discussion_column_usable(run_app):
    run = run_app("small_window")
    result = run.result
    assert result["small_viewport"] == [800, 500]
    small = result["small"]
    assert small["Discussion"] >= 800 * 0.34, result  # was ~110 px: the side docks kept their full width
    assert small["Context"] > 100 and small["Plugins"] > 100, result  # the side docks shrank, they did not vanish
    assert result["large_again"]["Discussion"] >= result["large"]["Discussion"] * 0.9, result
    # Grown again, the side docks get their width back (they used to stay narrow).
    for side in ("Context", "Plugins"):
        assert result["large_again"][side] >= result["large"][side] * 0.9, result


def test_the_plugins_table_is_whole_at_the_default_window_size(run_app, tmp_path):
    site = plugin_site.install(tmp_path / "site", "sloppytest_slow", "sloppytest_broken")
    run = run_app("plugins_table_fits", site=site)
    assert run.result["display_size"] == [1200, 760]
    assert run.result["rows"]["sloppytest_broken"] == "failed" and run.result["rows"]["palette"] == "ready"
    left, top, right, bottom = run.result["panel"]
    for ref, item in run.result["items"].items():
        assert item is not None, f"{ref} is not drawn"
        assert item["clipped"] == item["full"], f"{ref} is cut: {item}"
        x1, y1, x2, y2 = item["full"]
        assert left <= x1 < x2 <= right and top <= y1 < y2 <= bottom, (
            f"{ref} {item['full']} is outside {run.result['panel']}"
        )
    padding = run.result["cell_padding"]
    for column, (name, width) in enumerate(run.result["header_widths"].items()):
        x1, _, x2, _ = run.result["items"][f"plugins/$${column}/{name}"]["full"]
        assert x2 - x1 >= width + padding, f"the header {name!r} ({width} px) is cut in a {x2 - x1} px column"
    x1, _, x2, _ = run.result["items"]["plugins/$$1/Plugin"]["full"]
    for text, width in run.result["text_widths"].items():
        assert width + 2 * padding <= x2 - x1, f"{text!r} ({width} px) does not fit the Plugin column ({x2 - x1} px)"
    assert run.result["tooltip_shown"] is True
    assert (run.out / "plugins.png").stat().st_size > 0
