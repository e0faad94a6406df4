"""The real app in a subprocess, driven through its Hook API (headless; GUI under Xvfb once it lands)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from io import BytesIO

import pytest
from PIL import Image
from webtools import HEAVY, ROOT, start_app, stop_app

# Never hang the suite: every test here is bounded.
pytestmark = pytest.mark.timeout(120)

LEAN = [a for name in HEAVY for a in ("--disable", name)]


def test_headless_app_warms_up_and_answers(live_gui):
    http = live_gui.http
    body = http.get("/api/warmup_wait?timeout=30").json()
    assert body["timed_out"] is False and body["done"] is True
    assert "hooks_web" in body["completed"] and sorted(body["disabled"]) == sorted(HEAVY)
    status = http.get("/api/status").json()
    assert status["mode"] == "headless" and status["web"]["host"] == "127.0.0.1"
    assert status["frames"] is None
    assert http.get("/api/screenshot").status_code == 409
    rows = {r["name"]: r for r in http.get("/api/plugins").json()["plugins"]}
    assert rows["hooks_web"]["state"] == "ready"
    assert rows["openai"]["note"] == "disabled with --disable"
    assert f"Hook API listening on {live_gui.url}" in live_gui.output()


def test_headless_app_stops_on_sigterm_and_frees_its_port(sloppy_cmd, tmp_path):
    app = start_app(sloppy_cmd, tmp_path, [*LEAN, "--headless"])
    port = int(app.url.rsplit(":", 1)[1])
    assert stop_app(app.proc, timeout=10) == 0
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))  # raises if the port were still held
    assert not (tmp_path / "hook_port").exists()


@pytest.mark.parametrize("live_gui", ["gui"], indirect=True)
def test_gui_screenshot_is_a_png_of_the_window(live_gui):
    assert live_gui.http.get("/api/warmup_wait?timeout=30").json()["done"] is True
    status = live_gui.http.get("/api/status").json()
    assert status["mode"] == "gui" and status["gui"] is True
    assert status["frames"]["count"] > 0 and 0 < status["frames"]["p50_ms"] <= status["frames"]["max_ms"]
    answer = live_gui.http.get("/api/screenshot")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    image = Image.open(BytesIO(answer.content))
    assert image.width > 100 and image.height > 100
    assert any(low != high for low, high in image.convert("RGB").getextrema())  # not a blank frame


def test_without_the_flag_fastapi_and_uvicorn_are_never_imported(tmp_path):
    script = (
        "import sys\n"
        "from src.core.cli import main\n"
        "code = main(['--list-plugins', '--project', sys.argv[1]])\n"
        "print('WEB-MODULES:', sorted({m.split('.')[0] for m in sys.modules} & {'fastapi', 'uvicorn'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "WEB-MODULES: []" in done.stdout, done.stdout + done.stderr
    row = next(line for line in done.stdout.splitlines() if line.startswith("hooks_web"))
    assert "disabled" in row and "--enable-test-hooks or --web-host" in row


def list_plugins(sloppy_cmd, tmp_path, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*sloppy_cmd, "--list-plugins", *LEAN, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_busy_port_shows_in_list_plugins_and_nothing_hangs(sloppy_cmd, tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        done = list_plugins(sloppy_cmd, tmp_path, "--enable-test-hooks", "--hook-port", str(port))
    assert done.returncode == 1
    row = next(line for line in done.stdout.splitlines() if line.startswith("hooks_web"))
    assert "failed" in row and f"port {port} on 127.0.0.1 is already in use" in row


def test_remote_host_without_a_key_is_refused(sloppy_cmd, tmp_path):
    done = list_plugins(sloppy_cmd, tmp_path, "--web-host", "0.0.0.0", "--hook-port", "0")
    assert done.returncode == 1
    row = next(line for line in done.stdout.splitlines() if line.startswith("hooks_web"))
    assert "refusing to serve the Hook API on 0.0.0.0 without an API key" in row


def test_remote_host_with_a_key_enforces_it(sloppy_cmd, tmp_path):
    # Bound to every interface, but this test only ever talks to 127.0.0.1.
    key = "live-remote-key-31337"
    app = start_app(sloppy_cmd, tmp_path, [*LEAN, "--headless", "--web-host", "0.0.0.0"], env={"SLOPPY_API_KEY": key})
    try:
        assert app.url.startswith("http://127.0.0.1:")
        status = app.http.get("/api/status").json()
        assert status["web"] == {
            "host": "0.0.0.0",
            "port": status["web"]["port"],
            "key_required": True,
            "key_header": "X-API-Key",
        }
        bare = app.http.session.get(app.url + "/api/status", headers={"X-API-Key": ""}, timeout=10)
        assert bare.status_code == 401
        wrong = app.http.session.get(app.url + "/api/status", headers={"X-API-Key": "nope"}, timeout=10)
        assert wrong.status_code == 403
        assert key not in app.output()
    finally:
        assert stop_app(app.proc) == 0


@pytest.mark.skipif(not (ROOT / "src/core/gui/app.py").exists(), reason="the GUI has not landed on this branch yet")
def test_gui_stays_up_when_the_hook_port_is_busy(sloppy_cmd, tmp_path, display):
    log_path = tmp_path / "app.log"
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [*sloppy_cmd, *LEAN, "--enable-test-hooks", "--hook-port", str(port)],
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 20
            while f"port {port} on 127.0.0.1 is already in use" not in log_path.read_text(errors="replace"):
                assert proc.poll() is None, log_path.read_text(errors="replace")
                assert time.monotonic() < deadline, log_path.read_text(errors="replace")
                time.sleep(0.1)
            time.sleep(1.0)
            assert proc.poll() is None, "the window closed after the Hook API failed"
        finally:
            proc.terminate()
            proc.wait(10)
    assert "plugin hooks_web failed" in log_path.read_text(errors="replace")
