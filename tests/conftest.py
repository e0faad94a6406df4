"""Shared fixtures: an isolated user environment and a virtual display.

GUI tests need a display. When ``DISPLAY`` is unset the session starts its own
Xvfb (``-noreset``, see DESIGN.md). In CI (``CI=true``) a missing Xvfb is an
error, never a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import settings

# Timing deadlines flake on a loaded 2-core machine; hangs are caught by pytest-timeout.
settings.register_profile("sloppy", deadline=None)
settings.load_profile("sloppy")

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "DEEPSEEK_API_KEY",
    "MINIMAX_API_KEY",
    "SLOPPY_API_KEY",
    "SLOPPY_CONFIG",
    "SLOPPY_DISABLE_PLUGINS",
    "SLOPPY_OPENAI_BASE_URL",
    "SLOPPY_ANTHROPIC_BASE_URL",
    "SLOPPY_GEMINI_BASE_URL",
    "SLOPPY_DEEPSEEK_BASE_URL",
    "SLOPPY_MINIMAX_BASE_URL",
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """Every test gets its own config/state dirs and no provider keys or proxies."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    for var in PROVIDER_ENV:
        monkeypatch.delenv(var, raising=False)
    return home


def _start_xvfb() -> tuple[subprocess.Popen, str]:
    for number in range(90, 140):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        display = f":{number}"
        proc = subprocess.Popen(
            ["Xvfb", display, "-noreset", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                return proc, display
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.kill()
    raise RuntimeError("could not start Xvfb on any display :90-:139")


@pytest.fixture(scope="session")
def display():
    """A usable X display (``:N``); starts Xvfb when none is set."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    if shutil.which("Xvfb") is None:
        message = "GUI tests need Xvfb (apt-get install xvfb) or a DISPLAY"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    proc, name = _start_xvfb()
    os.environ["DISPLAY"] = name
    try:
        yield name
    finally:
        os.environ.pop("DISPLAY", None)
        proc.terminate()
        proc.wait(5)


@pytest.fixture
def sloppy_cmd():
    """The command that starts the app with the project's interpreter."""
    return [sys.executable, str(ROOT / "sloppy.py")]


# -- Tests that run imgui inside the test process ------------------------------

IN_OWN_PROCESS = "SLOPPY_TEST_IN_OWN_PROCESS"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "own_process: run this test in a fresh pytest process. For tests that open an imgui window "
        "in-process: the native objects they leave behind must not be finalised later, on another "
        "test's thread, with no imgui context (that crashes the whole run).",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    if item.get_closest_marker("own_process") is None or os.environ.get(IN_OWN_PROCESS):
        return None
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=-rs", item.nodeid],
        cwd=ROOT,
        env={**os.environ, IN_OWN_PROCESS: "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = (proc.stdout + proc.stderr)[-8000:]
    skipped = proc.returncode == 0 and " skipped" in proc.stdout and " passed" not in proc.stdout
    if proc.returncode == 0:
        outcome, longrepr = (
            ("skipped", (str(item.path), item.location[1] or 0, output)) if skipped else ("passed", None)
        )
    else:
        outcome, longrepr = "failed", f"the test failed in its own process (exit {proc.returncode}):\n{output}"
    report = pytest.TestReport(
        nodeid=item.nodeid,
        location=item.location,
        keywords={k: 1 for k in item.keywords},
        outcome=outcome,
        longrepr=longrepr,
        when="call",
        duration=time.monotonic() - started,
    )
    item.ihook.pytest_runtest_logreport(report=report)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True
