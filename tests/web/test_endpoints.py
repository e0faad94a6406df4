"""Every endpoint through a real uvicorn server, the plugin warmed the real way."""

from __future__ import annotations

import concurrent.futures as cf
import sys
import time

import pytest
from webtools import HOOKS_WEB, Http, wait_for_server

from src.core import __version__
from src.plugins.hooks_web import runtime

# Never hang the suite: every test here is bounded.
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def app(web_controller, samples):
    """hooks_web plus a sample plugin with routes and commands, and one that fails."""
    controller = web_controller(
        {
            "hooks_web": HOOKS_WEB,
            "web_sample": samples("web_sample"),
            "leaky_failure": samples("leaky_failure"),
        }
    )
    server = runtime.get(controller)
    assert server is not None, controller.warmup_status().as_dict()
    http = Http(f"http://127.0.0.1:{server.port}")
    http.controller = controller
    return http


def test_status(app):
    body = app.get("/api/status").json()
    assert body["app"] == "sloppy" and body["version"] == __version__
    assert body["mode"] == "headless"
    assert body["uptime_s"] >= 0
    assert body["warmup"]["done"] is True
    assert (body["warmup"]["ready"], body["warmup"]["failed"]) == (2, 1)
    assert body["web"] == {
        "host": "127.0.0.1",
        "port": int(app.url.rsplit(":", 1)[1]),
        "key_required": False,
        "key_header": "X-API-Key",
    }
    assert (body["chat"], body["gui"]) == (False, False)


def test_warmup_status_has_timings_and_reasons(app):
    body = app.get("/api/warmup_status").json()
    assert sorted(body["completed"]) == ["hooks_web", "web_sample"]
    assert body["failed"] == ["leaky_failure"]
    plugins = {p["name"]: p for p in body["plugins"]}
    assert plugins["web_sample"]["import_ms"] >= 0 and plugins["web_sample"]["thread"].startswith("controller-io-")
    assert "RuntimeError: could not log in" in plugins["leaky_failure"]["error"]
    assert {"pending", "importing", "completed", "failed", "disabled"} <= body.keys()


def test_warmup_wait_returns_at_once_when_done(app):
    t0 = time.monotonic()
    body = app.get("/api/warmup_wait?timeout=30").json()
    assert body["timed_out"] is False and body["done"] is True
    assert time.monotonic() - t0 < 2


@pytest.mark.parametrize("query", ["timeout=-1", "timeout=601", "timeout=soon"])
def test_warmup_wait_rejects_bad_timeouts(app, query):
    assert app.get(f"/api/warmup_wait?{query}").status_code == 422


def test_startup_profile(app):
    body = app.get("/api/startup_profile").json()
    names = {phase["name"] for phase in body["phases"]}
    assert {"controller.start", "plugins.discover", "plugin:hooks_web"} <= names


def test_io_pool_status(app):
    body = app.get("/api/io_pool_status").json()
    assert body["size"] == 4
    assert all(name.startswith("controller-io-") for name in body["threads"])
    assert body["completed"] >= 3 and body["busy"] + body["idle"] == len(body["threads"])


def test_plugins_lists_the_catalog_with_states_and_hooks(app):
    rows = {row["name"]: row for row in app.get("/api/plugins").json()["plugins"]}
    assert rows["web_sample"]["state"] == "ready"
    assert {"sloppy_web_routes", "sloppy_register_commands"} <= set(rows["web_sample"]["hooks"])
    assert rows["leaky_failure"]["state"] == "failed" and "could not log in" in rows["leaky_failure"]["error"]
    assert rows["hooks_web"]["kind"] == "web"
    assert {"name", "kind", "distribution", "version", "enabled", "state", "import_ms", "error"} <= rows[
        "hooks_web"
    ].keys()


def test_state_without_a_chat_session_or_appearance(app):
    body = app.get("/api/state").json()
    assert body["provider"] is None and body["theme"] is None
    assert (body["chat_available"], body["appearance_available"]) == (False, False)
    answer = app.post("/api/state", json={"provider": "openai"})
    assert answer.status_code == 503 and "chat session is not available" in answer.json()["detail"]
    answer = app.post("/api/state", json={"theme": "nerv"})
    assert answer.status_code == 503 and "theme selection is not available" in answer.json()["detail"]


@pytest.mark.parametrize(
    "body, fragment",
    [({}, "nothing to change"), ({"colour": "red"}, "colour"), ({"provider": ""}, "provider"), ([1], "")],
)
def test_state_rejects_bad_changes(app, body, fragment):
    answer = app.post("/api/state", json=body)
    assert answer.status_code == 422
    assert fragment in answer.text


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/discussion", None),
        ("post", "/api/send", {"message": "hello"}),
        ("post", "/api/cancel", None),
    ],
)
def test_chat_routes_say_why_without_a_chat_session(app, method, path, body):
    answer = getattr(app, method)(path, json=body)
    assert answer.status_code == 503
    assert "chat session is not available" in answer.json()["detail"]


def test_send_rejects_an_empty_message(app):
    assert app.post("/api/send", json={"message": ""}).status_code == 422
    assert app.post("/api/send", json={}).status_code == 422


def test_commands_list_and_run_on_the_writer(app):
    commands = {c["id"]: c for c in app.get("/api/commands").json()["commands"]}
    assert commands["sample.where"] == {
        "id": "sample.where",
        "title": "Sample: which thread runs me",
        "plugin": "web_sample",
    }
    answer = app.post("/api/commands/sample.where")
    assert answer.status_code == 200
    assert answer.json() == {"id": "sample.where", "ok": True, "result": "controller-async"}


def test_unknown_and_failing_commands(app):
    answer = app.post("/api/commands/no.such.command")
    assert answer.status_code == 404 and "GET /api/commands" in answer.json()["detail"]
    answer = app.post("/api/commands/sample.fail")
    assert answer.status_code == 409
    assert answer.json()["detail"] == "command 'sample.fail' failed: RuntimeError: the sample command broke on purpose"


def test_screenshot_headless_says_there_is_no_window(app):
    answer = app.get("/api/screenshot")
    assert answer.status_code == 409
    assert "no window" in answer.json()["detail"] and "headless" in answer.json()["detail"]


def test_plugin_routes_are_mounted_under_their_name(app):
    answer = app.get("/api/plugins/web_sample/hello")
    assert answer.status_code == 200
    assert answer.json() == {"hello": "world", "mode": "headless"}
    schema = app.get("/openapi.json").json()
    assert "/api/plugins/web_sample/hello" in schema["paths"]


def test_plugin_routes_answer_503_once_their_plugin_is_disabled(app):
    app.controller.set_enabled("web_sample", False, save=False).result(5)
    answer = app.get("/api/plugins/web_sample/hello")
    assert answer.status_code == 503
    assert "disabled" in answer.json()["detail"]
    assert "sample.where" not in {c["id"] for c in app.get("/api/commands").json()["commands"]}


def test_docs_and_schema(app):
    assert "Sloppy Hook API" in app.get("/docs").text
    paths = app.get("/openapi.json").json()["paths"]
    expected = {
        "/api/status",
        "/api/warmup_status",
        "/api/warmup_wait",
        "/api/startup_profile",
        "/api/io_pool_status",
        "/api/plugins",
        "/api/state",
        "/api/discussion",
        "/api/send",
        "/api/cancel",
        "/api/commands",
        "/api/commands/{command_id}",
        "/api/screenshot",
    }
    assert expected <= paths.keys()
    assert set(paths["/api/state"]) == {"get", "post"}


def test_warmup_wait_wakes_when_the_warmup_ends_and_never_blocks_other_requests(
    web_controller, samples, tmp_path, monkeypatch
):
    gate = tmp_path / "gate"
    port_file = tmp_path / "port"
    monkeypatch.setenv("SLOPPY_TEST_GATE", str(gate))
    monkeypatch.setenv("SLOPPY_HOOK_PORT_FILE", str(port_file))
    monkeypatch.delitem(sys.modules, "gated_import", raising=False)
    web_controller({"hooks_web": HOOKS_WEB, "gated_import": samples("gated_import")}, wait=False)
    http = Http(wait_for_server(port_file, timeout=15))
    with cf.ThreadPoolExecutor(1) as pool:
        poll = pool.submit(http.get, "/api/warmup_wait?timeout=30")
        time.sleep(0.3)
        assert not poll.done()
        t0 = time.monotonic()
        assert http.get("/api/status").json()["warmup"]["done"] is False
        short = http.get("/api/warmup_wait?timeout=0.2").json()
        assert time.monotonic() - t0 < 2
        assert short["timed_out"] is True and short["importing"] == ["gated_import"]
        gate.touch()
        body = poll.result(timeout=10).json()
    assert body["timed_out"] is False
    assert "gated_import" in body["completed"]
