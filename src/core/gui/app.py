"""The window: runner set-up, the frame loop, and ``run_gui`` (called by the CLI).

The frame loop never waits: readiness arrives through a queue (see
``readiness``), background work goes to the controller's pool, and nothing is
imported on this thread once the window is up. A heavy module the GUI wants
(numpy, for implot) is imported on the pool and looked up when ready.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import importlib
import logging
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from imgui_bundle import hello_imgui, imgui, immapp

from src.core.cli import start_controller
from src.core.gui.appearance import Appearance
from src.core.gui.backdrop import DOCK_SPACE_FLAGS, Backdrop, see_through
from src.core.gui.config_notice import ConfigNotice, toast_text
from src.core.gui.default_theme import DefaultTheme
from src.core.gui.display import display_problem
from src.core.gui.frames import FIRST_VISIBLE_SWAP, FrameClock
from src.core.gui.guard import FrameGuard
from src.core.gui.gui_commands import provider_commands, static_commands, theme_commands
from src.core.gui.indicator import Indicator, completion_message
from src.core.gui.layout import PLACEMENT, DiscussionFit, dockable_windows, docking_splits, layout_path
from src.core.gui.markdown import LazyMarkdown
from src.core.gui.menus import draw_menus
from src.core.gui.panels.context import ContextPanel
from src.core.gui.panels.diagnostics import DiagnosticsPanel
from src.core.gui.panels.discussion import DiscussionPanel
from src.core.gui.panels.message import MessagePanel
from src.core.gui.panels.plugins import PluginsPanel
from src.core.gui.panels.providers import ProvidersPanel
from src.core.gui.plugin_frames import PluginFrames
from src.core.gui.readiness import ReadinessFeed
from src.core.gui.screenshot import encode_png
from src.core.gui.status_bar import draw_indicator
from src.core.gui.toast import Toasts
from src.core.warmup import State, WarmupStatus

log = logging.getLogger(__name__)

SUBSCRIBER_NAME = "sloppy.gui"
WINDOW_SIZE = (1200, 760)
CONFIG_TOAST_SECONDS = 15.0
IDLE_AFTER_S = 1.0
# Frames a second while idle: hello_imgui's 9 while something moves on its own (the warm-up
# spinner, a streaming answer, a toast, a theme's animated background), fewer when all is still
# (each idle frame costs ~20 ms of CPU under a software renderer).
IDLE_FPS_MOVING = 9.0
IDLE_FPS_STILL = 3.0
# Modules the GUI draws with but must not import on its own thread.
WARMED_MODULES = ("numpy",)

Automation = Callable[["SloppyGui"], None]


def run_gui(controller: Any, args: argparse.Namespace, *, automation: Automation | None = None) -> int:
    """Open the window and run until it closes; the exit code.

    ``automation`` (tests) is called once the imgui test engine is ready, to
    register its tests; it turns the test engine on.
    """
    problem = display_problem()
    if problem:
        print(f"sloppy: {problem}", file=sys.stderr)
        return 2
    with controller.profiler.phase("gui.build"):
        gui = SloppyGui(controller)
        controller.appearance = gui.appearance
        controller.gui = gui
    start_controller(controller, args, warm=False)  # the warm-up starts at the first visible frame
    with controller.profiler.phase("gui.subscribe"):
        controller.register_subscriber(gui.feed, SUBSCRIBER_NAME)
        controller.add_contributions("commands", "core", static_commands(gui))
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Runs on the main thread at the next frame callback: close like File > Quit.
        signal.signal(sig, lambda *_: gui.quit())
    try:
        gui.run(automation)
    except Exception as e:
        if gui.clock.swaps:
            raise  # a bug after the window was up: keep the traceback
        log.debug("the window did not open", exc_info=True)
        print(f"sloppy: could not open the window: {e}", file=sys.stderr)
        return 3
    finally:
        gui.closed = True
        gui.feed.stop_waking()
        gui.clock.cancel_shots("the window is closed")
    return 0


class SloppyGui:
    """The running window: ``controller.gui`` and the ``gui`` argument of ``sloppy_gui_frame``."""

    def __init__(self, controller: Any) -> None:
        self.controller = controller
        self.feed = ReadinessFeed(hello_imgui.request_refresh)
        self.indicator = Indicator()
        self.toasts = Toasts()
        self.appearance = Appearance(controller, DefaultTheme())
        self.clock = FrameClock(controller.profiler, on_first_frame=controller.start_warmup)
        self.markdown = LazyMarkdown()
        self.status = WarmupStatus()
        self.panels: dict[str, Any] = {
            "Discussion": DiscussionPanel(self),
            "Message": MessagePanel(self),
            "Context": ContextPanel(self),
            "Providers": ProvidersPanel(self),
            "Plugins": PluginsPanel(self),
            "Diagnostics": DiagnosticsPanel(self),
        }
        self.about_requested = False
        self.discussion_fit = DiscussionFit()
        self.config_notice = ConfigNotice(controller.config)
        self.clear_requested = False  # the confirmation modal opens at the next frame
        self.closed = False
        self.started = time.monotonic()
        self._actions: deque[tuple[Callable[..., Any], tuple]] = deque()
        self._warming: dict[str, cf.Future] = {}
        self._last_warmup_finished_ms: float | None = None  # when the previous warm-up round ended
        self.guard = FrameGuard()
        self.plugin_frames = PluginFrames(
            controller.pm, lambda name, e: self.toasts.show(f"{name} failed to draw: {e}", ok=False)
        )
        self.runner_params = hello_imgui.RunnerParams()
        self.backdrop = Backdrop(self.runner_params)
        self._configure(self.runner_params)

    # -- public, any thread --------------------------------------------------

    def post_gui(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the GUI thread at the start of the next frame."""
        self._actions.append((fn, args))
        hello_imgui.request_refresh()

    def screenshot_png(self, timeout: float = 5.0) -> bytes:
        """A PNG of the next presented frame. Call from any thread but the GUI thread."""
        if threading.current_thread() is self.clock.gui_thread:
            raise RuntimeError("screenshot_png waits for the GUI thread: call it from another thread")
        if self.closed:
            raise RuntimeError("the window is closed")
        future = self.clock.request_shot()
        hello_imgui.request_refresh()
        try:
            frame = future.result(timeout)
        except cf.TimeoutError:
            raise TimeoutError(f"no frame was presented within {timeout:g} s") from None
        return encode_png(frame)

    def frame_times_ms(self) -> list[float]:
        """Recent frame durations (start of frame to end of swap), oldest first."""
        return self.clock.durations_ms()

    def frame_intervals_ms(self) -> list[float]:
        """Recent swap-to-swap intervals, idling included."""
        return self.clock.intervals_ms()

    def warmed_module(self, name: str) -> Any | None:
        """A module imported on the pool for the GUI, or None while it is still loading."""
        future = self._warming.get(name)
        if future is None or not future.done() or future.exception() is not None:
            return None
        return future.result()

    # -- public, GUI thread --------------------------------------------------

    def open_panel(self, label: str) -> None:
        window = self.runner_params.docking_params.dockable_window_of_name(label)
        window.is_visible = True
        window.focus_window_at_next_frame = True

    def quit(self) -> None:
        self.runner_params.app_shall_exit = True

    def request_clear(self) -> None:
        """Ask before clearing the discussion (File > Clear discussion, the chat.clear command)."""
        chat = self.controller.chat
        if chat is None:
            return
        if chat.snapshot().messages:
            self.clear_requested = True
        else:
            chat.clear()  # nothing to lose: no question to ask

    def copy_last_answer(self) -> None:
        chat = self.controller.chat
        answers = [m for m in chat.snapshot().messages if m.role == "assistant"] if chat is not None else []
        if answers:
            imgui.set_clipboard_text(answers[-1].content or "")
            self.toasts.show("Last answer copied", ok=True, seconds=2.0)

    # -- the runner ------------------------------------------------------------

    def run(self, automation: Automation | None = None) -> None:
        params = self.runner_params
        if automation is not None:
            params.use_imgui_test_engine = True
            params.callbacks.register_tests = lambda: automation(self)
        layout_path().parent.mkdir(parents=True, exist_ok=True)
        self.controller.profiler.mark("gui.runner_start")
        immapp.run(params, immapp.AddOnsParams())  # immapp: the file dialog's textures; implot is lazy

    def _configure(self, params: hello_imgui.RunnerParams) -> None:
        params.app_window_params.window_title = "Sloppy"
        params.app_window_params.window_geometry.size = WINDOW_SIZE
        params.app_window_params.restore_previous_geometry = True
        # Benchmark only (scripts/bench_startup.py): render every frame, as while the user types,
        # so that a stall shows as a long frame instead of hiding in an idle wait.
        params.fps_idling.enable_idling = os.environ.get("SLOPPY_BENCH_CONTINUOUS") != "1"
        # Idle 1 s after the last event, not hello_imgui's 3 s: the window's own events at start-up
        # would otherwise keep it rendering at full speed through most of the warm-up, taking CPU
        # from the imports (all plugins ready ~9 % sooner, docs/PERFORMANCE.md).
        params.fps_idling.time_active_after_last_event = IDLE_AFTER_S

        window = params.imgui_window_params
        window.default_imgui_window_type = hello_imgui.DefaultImGuiWindowType.provide_full_screen_dock_space
        window.show_menu_bar = True
        window.show_menu_app = False
        window.show_menu_view = False
        window.show_menu_view_themes = False
        window.remember_theme = False  # the theme is ours: config [ui] theme
        window.show_status_bar = True
        window.show_status_fps = False
        window.remember_status_bar_settings = False

        params.ini_folder_type = hello_imgui.IniFolderType.absolute_path
        params.ini_filename = str(layout_path())
        params.ini_filename_use_app_window_title = False

        draw = {
            label: self.backdrop.panel(label, self.guard.wrap(label, panel.draw, shows_error=True))
            for label, panel in self.panels.items()
        }
        params.docking_params.docking_splits = docking_splits()
        params.docking_params.dockable_windows = see_through(dockable_windows(draw))
        params.docking_params.main_dock_space_node_flags = DOCK_SPACE_FLAGS

        callbacks = params.callbacks
        callbacks.setup_imgui_style = self._apply_theme
        callbacks.post_init = self._post_init
        callbacks.pre_new_frame = self.guard.wrap("frame start", self._pre_new_frame, draws=False)
        callbacks.show_gui = self.guard.wrap("background", self._show_gui)
        callbacks.show_menus = self.guard.wrap("menus", lambda: draw_menus(self))
        callbacks.show_status = self.guard.wrap("status bar", self._show_status)
        callbacks.post_render_dockable_windows = self.guard.wrap("toasts and plugin windows", self._after_panels)
        callbacks.before_swap = self._before_swap
        callbacks.after_swap = self._after_swap
        callbacks.before_exit = self._before_exit

    def _post_init(self) -> None:
        self.controller.profiler.mark("gui.window_ready")
        if self.controller.config.problems:
            config_toast = toast_text(self.controller.config)
            self.toasts.show(config_toast, ok=False, seconds=CONFIG_TOAST_SECONDS, sticky=True)

    # -- the frame loop ----------------------------------------------------------

    def _pre_new_frame(self) -> None:
        self.clock.frame_started()
        self._apply_readiness()
        self._apply_theme()
        while self._actions:
            fn, args = self._actions.popleft()
            try:
                fn(*args)
            except Exception:
                log.exception("GUI action %s failed", getattr(fn, "__name__", fn))
        if not self.markdown.ready and (self.status.done or self._has_answer()):
            self.markdown.prepare()
        self.runner_params.fps_idling.fps_idle = IDLE_FPS_MOVING if self._something_moves() else IDLE_FPS_STILL

    def _something_moves(self) -> bool:
        chat = self.controller.chat
        answering = chat is not None and chat.snapshot().busy
        return not self.status.done or answering or self.toasts.current is not None or self.backdrop.veiled

    def _apply_readiness(self) -> None:
        """Apply what the readiness hooks queued, then read the warm-up snapshot (once a frame)."""
        contributions_changed = False
        for event in self.feed.drain():
            if event.kind == "complete":
                text, ok = completion_message(event.payload, self._last_warmup_finished_ms)
                self._last_warmup_finished_ms = event.payload.finished_ms
                self.toasts.show(text, ok)
            else:
                contributions_changed = True
        self.status = self.controller.warmup_status()
        self.indicator.update(self.status)
        if contributions_changed:
            commands = provider_commands(self.controller.providers()) + theme_commands(self.appearance.available())
            self.controller.add_contributions("commands", "core", commands)

    def _apply_theme(self) -> None:
        theme = self.appearance.theme_to_apply()
        if theme is None:
            return
        try:
            theme.apply()
        except Exception as e:
            log.exception("theme %s failed to apply", getattr(theme, "name", theme))
            self.appearance.last_error = f"theme {getattr(theme, 'name', '?')} failed: {e}"
            self.appearance.applied(self.appearance.requested)  # do not retry every frame
            return
        finally:
            self.backdrop.theme_applied()  # whatever the theme set, windows on top stay opaque
        self.appearance.applied(theme.name)

    def _show_gui(self) -> None:
        try:
            self.backdrop.paint(self.appearance.active_theme(), time.monotonic() - self.started)
        except Exception:
            log.exception("theme background failed")
        self.discussion_fit.update(list(PLACEMENT))
        if imgui.shortcut(imgui.Key.mod_ctrl | imgui.Key.q, imgui.InputFlags_.route_global):
            self.quit()
        self.panels["Context"].poll_dialog()

    def _show_status(self) -> None:
        draw_indicator(self.indicator, lambda: self.open_panel("Plugins"))
        chat = self.controller.chat
        if chat is not None:
            snap = chat.snapshot()
            imgui.same_line()
            imgui.text_disabled("|")
            imgui.same_line()
            imgui.text_disabled(f"{snap.provider or 'no provider'} · {snap.model or '–'}")
            if snap.busy:
                imgui.same_line()
                imgui.text_disabled("· answering…")
        self.config_notice.draw_status()

    def _after_panels(self) -> None:
        self.config_notice.draw_popup()
        self.toasts.draw()
        self.plugin_frames.draw(self, {p.name for p in self.status.plugins if p.state is State.READY})

    def _before_swap(self) -> None:
        io = imgui.get_io()
        scale = io.display_framebuffer_scale
        size = (int(io.display_size.x * scale.x), int(io.display_size.y * scale.y))
        self.clock.before_swap(size)

    def _after_swap(self) -> None:
        self.clock.after_swap()
        if self.clock.swaps == FIRST_VISIBLE_SWAP:
            for name in WARMED_MODULES:
                self._warming[name] = self.controller.submit_io(importlib.import_module, name)

    def _before_exit(self) -> None:
        self.closed = True
        self.panels["Context"].close_dialog()  # its textures must go while the GL context lives
        self.panels["Diagnostics"].close()
        self.clock.cancel_shots("the window is closing")
        self.markdown.shutdown()

    def _has_answer(self) -> bool:
        chat = self.controller.chat
        return chat is not None and any(m.role == "assistant" for m in chat.snapshot().messages)
