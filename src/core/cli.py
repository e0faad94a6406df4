"""Command line: parse arguments, build the controller, run GUI or headless."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from src.core import __version__
from src.core.chat import ChatSession
from src.core.commands import Command
from src.core.config import load_config
from src.core.controller import AppController
from src.core.gui.appearance import Appearance
from src.core.logs import prune_old_logs, setup_logging
from src.core.paths import default_config_path
from src.core.profiler import StartupProfiler
from src.core.report import plugins_table, startuptime_text
from src.core.warmup import State

log = logging.getLogger("sloppy")

DEFAULT_HOOK_PORT = 8765
WEB_OFF = "the Hook API is off: start with --enable-test-hooks or --web-host HOST"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sloppy", description="Sloppy: a desktop AI client for your code and documents.")
    p.add_argument("--version", action="version", version=f"sloppy {__version__}")
    p.add_argument("--headless", action="store_true", help="run without a window (stop with Ctrl+C)")
    p.add_argument(
        "--list-plugins", action="store_true", help="warm every plugin, print a table, exit (1 if one failed)"
    )
    p.add_argument(
        "--config", type=Path, metavar="PATH", help="config file (default: $SLOPPY_CONFIG or the user config dir)"
    )
    p.add_argument(
        "--disable", action="append", default=[], metavar="NAME", help="do not load this plugin (repeatable)"
    )
    p.add_argument(
        "--project",
        type=Path,
        default=None,
        metavar="DIR",
        help="project folder for context and discussions (default: current)",
    )
    p.add_argument(
        "--enable-test-hooks", action="store_true", help="start the Hook API on 127.0.0.1 (tests, automation)"
    )
    p.add_argument("--web-host", metavar="HOST", help="start the Hook API on HOST (needs an API key unless loopback)")
    p.add_argument(
        "--hook-port",
        type=int,
        default=None,
        metavar="PORT",
        help=f"Hook API port (default: [web] port in the config, else {DEFAULT_HOOK_PORT}; 0 picks a free one)",
    )
    p.add_argument("--startuptime", type=Path, metavar="FILE", help="write start-up phases and plugin timings to FILE")
    p.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    return p


def main(argv: list[str] | None = None, profiler: StartupProfiler | None = None) -> int:
    profiler = profiler or StartupProfiler()
    with profiler.phase("cli.parse_args"):
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.project is not None and not args.project.is_dir():
            what = "is not a folder" if args.project.exists() else "does not exist"
            parser.error(f"--project {args.project} {what}")  # exit 2; the folder is not created
    with profiler.phase("logging.setup"):
        setup_logging(args.verbose)
    with profiler.phase("config.load"):
        config = load_config(args.config or default_config_path())
    if args.config and not args.config.exists():
        log.warning("--config %s does not exist; using defaults (it is created when a setting is saved)", args.config)
    for problem in config.problems:
        log.warning("%s", problem)

    web = args.enable_test_hooks or args.web_host is not None
    controller = AppController(
        config,
        profiler=profiler,
        disabled=set(args.disable),
        disabled_kinds=None if web else {"web": WEB_OFF},
        options={
            "web_host": args.web_host or "127.0.0.1",
            "hook_port": args.hook_port,  # None: the config's [web] port, else the Hook API's default
            "test_hooks": args.enable_test_hooks,
            "project": (args.project or Path.cwd()).resolve(),
            "headless": args.headless or args.list_plugins,
        },
        mode="gui" if not (args.headless or args.list_plugins) else "headless",
    )
    controller.chat = ChatSession(controller, controller.options["project"])
    controller.appearance = Appearance(controller)  # the GUI replaces it with one that applies themes
    if os.environ.get("SLOPPY_BENCH_EAGER") == "1":
        controller.import_plugins_now()  # benchmark only (scripts/bench_startup.py): what the warm-up saves
    if args.list_plugins:
        return _finish(controller, args, _list_plugins(controller))
    if args.headless:
        return _finish(controller, args, _run_headless(controller, args))
    from src.core.gui.app import run_gui  # imgui only when there is a window to open

    return _finish(controller, args, run_gui(controller, args))


def start_controller(controller: AppController, args: argparse.Namespace, *, warm: bool = True) -> None:
    """Start the controller (the warm-up too, unless ``warm=False``), log pruning and ``--startuptime``."""
    controller.start(warm=warm)
    controller.submit_io(prune_old_logs)
    if args.startuptime:
        controller.on_warmup_complete(lambda status: _write_startuptime(controller, args.startuptime))


def _write_startuptime(controller: AppController, path: Path) -> None:
    try:
        gui = controller.gui
        frames = getattr(gui, "frame_intervals_ms", getattr(gui, "frame_times_ms", None))
        text = startuptime_text(controller.profiler, controller.warmup_status(), frames() if frames else None)
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        log.error("cannot write --startuptime file %s: %s", path, e)


def _list_plugins(controller: AppController) -> int:
    controller.start()
    if not controller.wait_for_warmup(timeout=controller.config.warmup_timeout_s() + 30):
        print("sloppy: the warm-up did not finish in time", file=sys.stderr)
    status = controller.warmup_status()
    try:
        print(plugins_table(status), flush=True)
    except BrokenPipeError:  # the reader stopped early (| head): not an error; drop the rest quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1 if status.by_state(State.FAILED) else 0


def _run_headless(controller: AppController, args: argparse.Namespace) -> int:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    controller.add_contributions("commands", "core", [Command("app.quit", "Quit Sloppy", lambda _c: stop.set())])
    start_controller(controller, args)
    log.info("running headless; stop with Ctrl+C")
    print("sloppy: running without a window; stop with Ctrl+C", file=sys.stderr, flush=True)
    while not stop.wait(0.5):
        pass
    return 0


def _finish(controller: AppController, args: argparse.Namespace, code: int) -> int:
    if args.startuptime and controller.is_warmup_done():
        _write_startuptime(controller, args.startuptime)
    clean = controller.shutdown(timeout=2.0)
    if not clean:
        # A plugin import still hangs on a pool thread; the interpreter would
        # wait for it at exit. Leave now: everything the user wrote is saved.
        log.warning("a plugin is still importing; exiting without waiting for it")
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
