"""POST /api/commands/<id> for a command a loading plugin declares: it waits, like the palette.

A real third-party distribution (``sloppy-greeter``: a ``.dist-info`` whose
entry points declare the command ``greet.hello``) whose import waits for a
gate file, found by the real discovery; the real Hook API plugin on uvicorn.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import threading
import time

import pytest
from webtools import HEAVY, Http, start_app, stop_app, wait_for_server

from src.core.catalog import discover
from src.plugins.hooks_web.declared import RETRY_AFTER_S
from tests.third_party import gated_greeter_site

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def greeter_site(tmp_path, monkeypatch):
    """The gated greeter distribution on sys.path; its gate is failed at teardown (frees the pool thread)."""
    with gated_greeter_site(tmp_path, monkeypatch) as site:
        yield site


@pytest.fixture
def api(web_controller, greeter_site, tmp_path, monkeypatch):
    """The Hook API over hooks_web and the greeter (still importing); ``api.controller``, ``api.site``."""

    def start(config_text: str = "") -> Http:
        port_file = tmp_path / "port"
        monkeypatch.setenv("SLOPPY_HOOK_PORT_FILE", str(port_file))
        catalog = discover()
        plugins = {name: catalog.plugins[name] for name in ("hooks_web", "greeter")}
        assert [c.id for c in plugins["greeter"].commands] == ["greet.hello"]
        config_path = tmp_path / "config.toml"
        config_path.write_text(config_text, encoding="utf-8")
        controller = web_controller(plugins, wait=False, config_path=config_path)
        http = Http(wait_for_server(port_file, timeout=20))
        http.controller, http.site = controller, greeter_site
        return http

    return start


def _state(controller, name: str) -> str:
    return {p.name: p.state.value for p in controller.warmup_status().plugins}[name]


def test_a_declared_command_waits_for_its_loading_plugin_then_runs(api):
    app = api()
    assert _state(app.controller, "greeter") in ("pending", "importing")
    listed = app.get("/api/commands").json()
    assert {"id": "greet.hello", "title": "Greet: say hello", "plugin": "greeter", "state": "loading"} in listed[
        "declared"
    ]
    with cf.ThreadPoolExecutor(1) as pool:
        run = pool.submit(app.post, "/api/commands/greet.hello")
        time.sleep(0.5)
        assert not run.done(), run.result().text
        # Neither the server's loop nor the writer is blocked while the request waits.
        t0 = time.monotonic()
        assert app.get("/api/status").status_code == 200
        writer = app.controller.call_on_writer(lambda: threading.current_thread().name).result(timeout=2)
        assert writer == "controller-async" and time.monotonic() - t0 < 2
        assert not (app.site / "greeted.txt").exists()
        (app.site / "gate").write_text("open", encoding="utf-8")
        answer = run.result(timeout=20)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"id": "greet.hello", "ok": True, "result": "greeted"}
    assert (app.site / "greeted.txt").read_text(encoding="utf-8") == "hello from greeter"
    listed = app.get("/api/commands").json()
    assert "greet.hello" in {c["id"] for c in listed["commands"]} and listed["declared"] == []


def test_a_declared_command_answers_503_with_retry_after_while_its_plugin_is_still_loading(api):
    app = api()
    t0 = time.monotonic()
    answer = app.post("/api/commands/greet.hello?wait=0.3")
    assert time.monotonic() - t0 < 3
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == str(RETRY_AFTER_S)
    assert answer.headers["content-type"] == "application/json"
    detail = answer.json()["detail"]
    assert "greet.hello" in detail and "plugin 'greeter'" in detail and "still loading after 0.3 s" in detail
    assert not (app.site / "greeted.txt").exists()
    assert _state(app.controller, "greeter") in ("pending", "importing")  # nothing was cancelled


def test_a_declared_command_whose_plugin_fails_while_waiting_answers_409_with_the_reason(api):
    app = api()
    with cf.ThreadPoolExecutor(1) as pool:
        run = pool.submit(app.post, "/api/commands/greet.hello")
        time.sleep(0.3)
        assert not run.done()
        (app.site / "gate").write_text("fail", encoding="utf-8")
        answer = run.result(timeout=20)
    assert answer.status_code == 409
    detail = answer.json()["detail"]
    assert detail.startswith("command 'greet.hello' cannot run: plugin 'greeter' failed:")
    assert "ImportError: greeter could not find its greeting" in detail
    # Asked again once the plugin has failed: the same answer at once.
    t0 = time.monotonic()
    again = app.post("/api/commands/greet.hello")
    assert (again.status_code, again.json()) == (409, answer.json()) and time.monotonic() - t0 < 2
    listed = app.get("/api/commands").json()["declared"]
    assert [(row["id"], row["state"]) for row in listed] == [("greet.hello", "failed")]


def test_a_declared_command_of_a_disabled_plugin_answers_409_disabled(api):
    app = api('[plugins]\ndisabled = ["greeter"]\n')
    assert _state(app.controller, "greeter") == "disabled"
    answer = app.post("/api/commands/greet.hello")
    assert answer.status_code == 409
    assert "plugin 'greeter' is disabled" in answer.json()["detail"]
    assert app.get("/api/commands").json()["declared"] == []


def test_a_plugin_disabled_while_a_command_waits_for_it_answers_409_disabled(api):
    app = api()
    with cf.ThreadPoolExecutor(1) as pool:
        run = pool.submit(app.post, "/api/commands/greet.hello")
        time.sleep(0.3)
        assert not run.done()
        app.controller.set_enabled("greeter", False, save=False).result(5)
        answer = run.result(timeout=10)
    assert answer.status_code == 409
    assert "plugin 'greeter' is disabled" in answer.json()["detail"]
    assert not (app.site / "greeted.txt").exists()


def test_an_unknown_command_is_still_404_while_a_plugin_loads(api):
    app = api()
    t0 = time.monotonic()
    answer = app.post("/api/commands/greet.goodbye")
    assert answer.status_code == 404 and time.monotonic() - t0 < 2
    assert answer.json()["detail"] == "no command 'greet.goodbye'; GET /api/commands lists them"


@pytest.mark.parametrize("query", ["wait=-1", "wait=601", "wait=soon"])
def test_a_bad_wait_is_rejected(api, query):
    app = api()
    assert app.post(f"/api/commands/greet.hello?{query}").status_code == 422


def test_the_real_app_waits_for_a_declared_command_of_a_slow_third_party_plugin(sloppy_cmd, greeter_site, tmp_path):
    """End to end: ``sloppy.py --headless`` finds the distribution on PYTHONPATH; the API waits for its import."""
    args = [*(a for name in HEAVY for a in ("--disable", name)), "--headless"]
    pythonpath = os.pathsep.join(filter(None, [str(greeter_site), os.environ.get("PYTHONPATH")]))
    app = start_app(sloppy_cmd, tmp_path, args, env={"PYTHONPATH": pythonpath})
    try:
        rows = {row["name"]: row for row in app.http.get("/api/plugins").json()["plugins"]}
        assert rows["greeter"]["state"] in ("pending", "importing")
        assert rows["greeter"]["distribution"] == "sloppy-greeter"
        with cf.ThreadPoolExecutor(1) as pool:
            run = pool.submit(app.http.post, "/api/commands/greet.hello")
            time.sleep(0.5)
            assert not run.done()
            assert app.http.get("/api/status").status_code == 200
            (greeter_site / "gate").write_text("open", encoding="utf-8")
            answer = run.result(timeout=20)
        assert (answer.status_code, answer.json()) == (200, {"id": "greet.hello", "ok": True, "result": "greeted"})
        assert (greeter_site / "greeted.txt").read_text(encoding="utf-8") == "hello from greeter"
    finally:
        assert stop_app(app.proc) == 0, app.output()
