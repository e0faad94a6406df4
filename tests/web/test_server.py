"""The server's life: start, announce, busy port, stop, restart — real uvicorn on 127.0.0.1."""

from __future__ import annotations

import concurrent.futures as cf
import signal
import socket
import threading
import time

import pytest
import requests
from webtools import HOOKS_WEB, Http

from src.core.config import load_config
from src.core.controller import AppController
from src.core.warmup import State
from src.plugins.hooks_web import runtime
from src.plugins.hooks_web.server import THREAD_NAME, HookServer, HookServerError
from src.plugins.hooks_web.settings import WebSettings

# Never hang the suite: every test here is bounded.
pytestmark = pytest.mark.timeout(120)


def web_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def controller(web_controller):
    return web_controller()


def test_start_returns_only_once_connections_are_accepted(controller, hook_server):
    server = hook_server(controller)
    # No retry loop: the very first request must be answered.
    response = requests.get(f"http://127.0.0.1:{server.port}/api/status", timeout=5)
    assert response.status_code == 200
    assert response.json()["web"]["port"] == server.port
    assert [t.daemon for t in web_threads()] == [True]


def test_port_zero_is_printed_and_written_then_removed(controller, tmp_path, capsys):
    port_file = tmp_path / "state" / "hook_port"
    server = HookServer(controller, WebSettings(port=0, port_file=port_file))
    server.start()
    try:
        assert server.port > 0
        assert port_file.read_text().strip() == str(server.port)
        assert f"http://127.0.0.1:{server.port}" in capsys.readouterr().out
    finally:
        assert server.stop()
    assert not port_file.exists()


def test_busy_port_fails_at_once_with_a_clear_reason(controller):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        server = HookServer(controller, WebSettings(port=port, port_file=None))
        t0 = time.monotonic()
        with pytest.raises(HookServerError, match=rf"port {port} on 127.0.0.1 is already in use.*--hook-port"):
            server.start()
        assert time.monotonic() - t0 < 2
    assert web_threads() == []


def test_stop_frees_the_port_and_joins_the_thread_quickly(controller, hook_server):
    server = hook_server(controller)
    Http(f"http://127.0.0.1:{server.port}").get("/api/status")  # leave a keep-alive connection open
    t0 = time.monotonic()
    assert server.stop()
    assert time.monotonic() - t0 < 2
    assert web_threads() == []
    assert port_is_free(server.port)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{server.port}/api/status", timeout=2)


def test_start_stop_start_on_the_same_port(controller, hook_server):
    first = hook_server(controller)
    port = first.port
    assert Http(f"http://127.0.0.1:{port}").get("/api/status").status_code == 200
    assert first.stop()
    second = hook_server(controller, port=port)
    assert second.port == port
    assert Http(f"http://127.0.0.1:{port}").get("/api/status").status_code == 200
    assert second.stop()
    assert port_is_free(port)


def test_stop_ends_a_long_poll_in_flight(tmp_path, hook_server):
    # A controller that was never started: its warm-up never finishes.
    controller = AppController(load_config(tmp_path / "c.toml"), options={})
    server = hook_server(controller)
    http = Http(f"http://127.0.0.1:{server.port}")
    with cf.ThreadPoolExecutor(1) as pool:
        poll = pool.submit(http.get, "/api/warmup_wait?timeout=60")
        time.sleep(0.3)
        assert not poll.done()
        t0 = time.monotonic()
        assert server.stop()
        assert time.monotonic() - t0 < 2
        answer = poll.result(timeout=5)
    assert answer.status_code == 200
    assert answer.json()["timed_out"] is True


def test_the_plugin_serves_after_setup_and_stops_at_shutdown(web_controller, tmp_path, monkeypatch):
    port_file = tmp_path / "announced_port"
    monkeypatch.setenv("SLOPPY_HOOK_PORT_FILE", str(port_file))
    controller = web_controller({"hooks_web": HOOKS_WEB})
    status = {p.name: p for p in controller.warmup_status().plugins}["hooks_web"]
    assert status.state is State.READY, status.error
    port = int(port_file.read_text())
    body = Http(f"http://127.0.0.1:{port}").get("/api/plugins").json()
    assert {"name": "hooks_web", "state": "ready"}.items() <= body["plugins"][0].items()
    assert {"sloppy_plugin_setup", "sloppy_shutdown"} <= set(body["plugins"][0]["hooks"])
    assert controller.shutdown(timeout=3.0)
    assert web_threads() == []
    assert port_is_free(port)
    assert not port_file.exists()
    assert runtime.get(controller) is None


def test_the_plugin_fails_with_the_reason_when_its_port_is_busy(web_controller):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        controller = web_controller({"hooks_web": HOOKS_WEB}, hook_port=port)
        status = {p.name: p for p in controller.warmup_status().plugins}["hooks_web"]
    assert status.state is State.FAILED
    assert f"port {port} on 127.0.0.1 is already in use" in status.error
    assert web_threads() == []


def test_the_plugin_refuses_a_remote_host_without_a_key_and_binds_nothing(web_controller):
    controller = web_controller({"hooks_web": HOOKS_WEB}, web_host="0.0.0.0")
    status = {p.name: p for p in controller.warmup_status().plugins}["hooks_web"]
    assert status.state is State.FAILED
    assert "refusing to serve the Hook API on 0.0.0.0 without an API key" in status.error
    assert web_threads() == []


def test_uvicorn_installs_no_signal_handlers(controller, hook_server):
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = hook_server(controller)
    assert server.running
    assert {sig: signal.getsignal(sig) for sig in before} == before


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_disabling_the_plugin_stops_its_server_and_enabling_starts_it_again(web_controller, tmp_path, monkeypatch):
    port_file = tmp_path / "announced_port"
    monkeypatch.setenv("SLOPPY_HOOK_PORT_FILE", str(port_file))
    controller = web_controller({"hooks_web": HOOKS_WEB})
    port = int(port_file.read_text())
    controller.set_enabled("hooks_web", False, save=False).result(5)
    assert wait_for(lambda: web_threads() == [], timeout=5)
    assert port_is_free(port)
    assert not port_file.exists()
    controller.set_enabled("hooks_web", True, save=False).result(5)
    assert controller.wait_for_warmup(15)
    again = int(port_file.read_text())
    assert Http(f"http://127.0.0.1:{again}").get("/api/status").status_code == 200
    assert len(web_threads()) == 1


def test_reloading_the_plugin_takes_over_its_own_port(web_controller):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = web_controller({"hooks_web": HOOKS_WEB}, hook_port=port)
    first = runtime.get(controller)
    controller.reload("hooks_web")
    assert wait_for(lambda: runtime.get(controller) not in (None, first), timeout=15)
    assert controller.wait_for_warmup(15)
    states = {p.name: p for p in controller.warmup_status().plugins}
    assert states["hooks_web"].state is State.READY, states["hooks_web"].error
    assert Http(f"http://127.0.0.1:{port}").get("/api/status").status_code == 200
    assert len(web_threads()) == 1
