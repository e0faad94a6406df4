"""Runtime gate: what the real app imports on its main thread, and where the heavy modules load.

The app runs under ``scripts/import_probe.py`` (a ``sys.addaudithook`` shim that
records every module load with its thread). Before the boundary — the
controller's worker thread starting when headless, the ``first_frame`` mark in
the GUI — every main-thread import must be on the allowlist of
``scripts/import_rules.py``; the heavy modules must load on ``controller-io-*``.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from purity import PurityReport, analyse_events, read_events

PROBE = ROOT / "scripts" / "import_probe.py"
# The SDKs and servers the built-in plugins import; each must load on the pool.
EXPECTED_HEAVY = {"anthropic", "openai", "google.genai", "fastapi", "uvicorn", "requests", "pydantic"}
GUI_APP = ROOT / "src" / "core" / "gui" / "app.py"


def run_probed(tmp_path: Path, args: list[str], env: dict | None = None, timeout: float = 120) -> list[dict]:
    """Start sloppy.py under the probe, wait for the warm-up (its --startuptime file), stop it, return events."""
    events, startuptime = tmp_path / "events.jsonl", tmp_path / "startuptime.txt"
    cmd = [sys.executable, str(PROBE), str(events), str(ROOT / "sloppy.py"), *args, "--startuptime", str(startuptime)]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + timeout
        while not startuptime.exists():
            if proc.poll() is not None:
                pytest.fail(f"the app exited with {proc.returncode} before warming up:\n{proc.stdout.read()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no --startuptime file after {timeout:g} s")
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return read_events(events)


def assert_pure(report: PurityReport) -> None:
    assert report.boundary_found, "the boundary event never happened"
    assert report.main_before_boundary, "no main-thread import recorded: the probe saw nothing"
    assert report.violations == [], f"main thread imported off-allowlist modules: {report.violations}"
    assert report.heavy_on_main == [], f"heavy modules on the main thread: {report.heavy_on_main}"
    missing = EXPECTED_HEAVY - set(report.heavy_threads)
    assert not missing, f"the warm-up never imported {missing}: the probe or the plugins changed"
    assert report.heavy_off_pool == {}, f"heavy modules imported off the pool: {report.heavy_off_pool}"


@pytest.fixture(scope="module")
def headless_events(tmp_path_factory):
    return run_probed(tmp_path_factory.mktemp("headless"), ["--headless", "--enable-test-hooks", "--hook-port", "0"])


def test_headless_main_thread_imports_only_the_allowlist_before_the_controller_is_up(headless_events):
    report = analyse_events(headless_events, boundary="thread:controller-async")
    assert_pure(report)
    assert {"pluggy", "src.core.controller", "src.core.cli"} <= set(report.main_before_boundary)


def test_headless_heavy_modules_load_on_controller_io_threads(headless_events):
    report = analyse_events(headless_events, boundary="thread:controller-async")
    for module in EXPECTED_HEAVY:
        assert report.heavy_threads[module].startswith("controller-io-"), (module, report.heavy_threads[module])


@pytest.mark.skipif(not GUI_APP.exists(), reason="the GUI (src/core/gui/app.py) is not merged yet")
def test_gui_main_thread_imports_only_the_allowlist_before_the_first_frame(tmp_path, display):
    events = run_probed(tmp_path, ["--enable-test-hooks", "--hook-port", "0"])
    report = analyse_events(events, boundary="mark:first_frame")
    assert_pure(report)
    assert any(m.startswith("imgui_bundle") for m in report.main_before_boundary)


def test_the_probe_and_the_verdicts_catch_each_kind_of_violation(tmp_path):
    script = tmp_path / "app.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, threading
            import certifi                      # third-party on the main thread: a violation
            try:
                import no_such_module_anywhere  # attempted, never loaded: not a violation
            except ImportError:
                pass

            def load():
                import requests                 # heavy, but on a thread that is not the pool

            worker = threading.Thread(target=load, name="not-the-pool")
            worker.start()
            worker.join()
            sys.audit("sloppy.mark", "first_frame", 0.0)
            import idna                         # after the boundary: allowed
            """
        ),
        encoding="utf-8",
    )
    events_file = tmp_path / "events.jsonl"
    subprocess.run([sys.executable, str(PROBE), str(events_file), str(script)], check=True, cwd=tmp_path)
    report = analyse_events(read_events(events_file), boundary="mark:first_frame")
    assert report.boundary_found
    assert {module for module, _ in report.violations} == {"certifi", "certifi.core"}
    assert "no_such_module_anywhere" in report.attempted_not_loaded
    assert report.heavy_off_pool == {"requests": "not-the-pool"}
    assert "idna" not in report.main_before_boundary
