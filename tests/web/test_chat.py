"""The chat flow through the Hook API: the real ChatSession and the real OpenAI provider
on its SDK, against a loopback server speaking OpenAI's wire protocol."""

from __future__ import annotations

import time

import pytest
from webtools import HOOKS_WEB, Http

from src.core.catalog import PluginInfo
from src.core.chat import ChatSession
from src.plugins.hooks_web import runtime
from tests.fakes.openai_wire import OpenAIWire
from tests.fakes.server import FakeProviderServer, Reply

# Never hang the suite: every test here is bounded.
pytestmark = pytest.mark.timeout(120)

KEY = "test-key-web-0123456789"
OPENAI = PluginInfo("openai", "src.plugins.providers.openai", "provider", "sloppy", "0.1.0")


@pytest.fixture
def fake():
    with FakeProviderServer(OpenAIWire(), key=KEY) as server:
        yield server


@pytest.fixture
def app(web_controller, fake, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    config = tmp_path / "config.toml"
    config.write_text(f'[providers.openai]\nbase_url = "{fake.url}/v1"\nmax_retries = 0\ntimeout_s = 5.0\n')
    project = tmp_path / "project"
    project.mkdir()
    controller = web_controller(
        {"hooks_web": HOOKS_WEB, "openai": OPENAI},
        config_path=config,
        project=project,
        before_start=lambda c: setattr(c, "chat", ChatSession(c, project)),
    )
    assert controller.chat.wait_idle(10)
    http = Http(f"http://127.0.0.1:{runtime.get(controller).port}")
    http.controller = controller
    return http


def discussion_until(app, predicate, timeout: float = 10.0) -> dict:
    """Long-poll /api/discussion until ``predicate(body)``; the last body."""
    body = app.get("/api/discussion").json()
    deadline = time.monotonic() + timeout
    while not predicate(body):
        assert time.monotonic() < deadline, body
        body = app.get(f"/api/discussion?since={body['version']}&timeout=5").json()
    return body


def test_state_lists_providers_with_key_status_but_never_the_key(app):
    body = app.get("/api/state").json()
    assert body["chat_available"] is True
    assert body["providers"]["openai"]["key"] == {"present": True, "source": "OPENAI_API_KEY"}
    assert "gpt-5-mini" in body["providers"]["openai"]["models"]
    assert KEY not in app.get("/api/state").text


def test_provider_model_and_persona_switch_like_the_gui(app):
    answer = app.post("/api/state", json={"provider": "openai", "model": "gpt-4.1"})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["provider"], answer.json()["model"]) == ("openai", "gpt-4.1")
    snapshot = app.controller.chat.snapshot()
    assert (snapshot.provider, snapshot.model) == ("openai", "gpt-4.1")
    answer = app.post("/api/state", json={"persona": "reviewer"})
    assert answer.status_code == 200 and answer.json()["persona"] == "reviewer"


def test_unknown_provider_model_or_persona_is_refused_with_the_choices(app):
    answer = app.post("/api/state", json={"provider": "nosuch"})
    assert answer.status_code == 422 and "available: openai" in answer.json()["detail"]
    answer = app.post("/api/state", json={"persona": "nosuch"})
    assert answer.status_code == 422 and "no persona named 'nosuch'" in answer.json()["detail"]
    assert app.post("/api/state", json={"model": "   "}).status_code == 422
    answer = app.post("/api/state", json={"theme": "nerv"})
    assert answer.status_code == 503  # headless: no theme selection


def test_send_and_wait_returns_the_streamed_reply(app, fake):
    fake.queue(Reply(chunks=["Hel", "lo, ", "world", "!"]))
    app.post("/api/state", json={"provider": "openai"})
    answer = app.post("/api/send", json={"message": "hello there", "wait": True, "timeout": 20})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["timed_out"] is False and body["busy"] is False
    assert (body["reply"]["content"], body["reply"]["state"], body["reply"]["provider"]) == (
        "Hello, world!",
        "done",
        "openai",
    )
    messages = app.get("/api/discussion").json()["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [("user", "hello there"), ("assistant", "Hello, world!")]
    _, turns = fake.wire.conversation(fake.requests[-1].body)
    assert turns[-1] == ("user", "hello there")


def test_send_without_wait_streams_and_the_discussion_long_poll_follows(app, fake):
    fake.queue(Reply(chunks=["one ", "two ", "three"], delay_s=0.3))
    app.post("/api/state", json={"provider": "openai"})
    body = app.post("/api/send", json={"message": "count"}).json()
    assert body["accepted"] is True and body["reply"] is None
    streaming = discussion_until(app, lambda b: b["busy"] and b["messages"][-1]["content"].startswith("one"))
    assert streaming["messages"][-1]["state"] == "streaming"
    busy = app.post("/api/send", json={"message": "again"})
    assert busy.status_code == 409 and "POST /api/cancel" in busy.json()["detail"]
    done = discussion_until(app, lambda b: not b["busy"])
    assert done["messages"][-1]["content"] == "one two three"


def test_cancel_stops_the_answer_and_keeps_what_arrived(app, fake):
    fake.queue(Reply(chunks=["Hello", " never"], silent="after_first_chunk"))
    app.post("/api/state", json={"provider": "openai"})
    app.post("/api/send", json={"message": "talk"})
    discussion_until(app, lambda b: b["messages"] and b["messages"][-1]["content"] == "Hello")
    answer = app.post("/api/cancel")
    assert answer.status_code == 200 and answer.json()["cancelled"] is True
    done = discussion_until(app, lambda b: not b["busy"])
    assert (done["messages"][-1]["content"], done["messages"][-1]["state"]) == ("Hello", "cancelled")
    assert fake.disconnected.wait(5)
    assert app.post("/api/cancel").json()["cancelled"] is False


def test_provider_errors_come_back_as_the_reply_without_the_key(app, fake):
    fake.queue(Reply(status=401, error_message=f"Incorrect API key provided: {KEY}"))
    app.post("/api/state", json={"provider": "openai"})
    answer = app.post("/api/send", json={"message": "hi", "wait": True, "timeout": 20})
    reply = answer.json()["reply"]
    assert reply["state"] == "error" and reply["error"]
    assert KEY not in answer.text
    assert KEY not in app.get("/api/discussion").text


def test_palette_commands_of_the_chat_run_through_the_api(app, fake):
    fake.queue(Reply(chunks=["ok"]))
    app.post("/api/state", json={"provider": "openai"})
    app.post("/api/send", json={"message": "hi", "wait": True, "timeout": 20})
    commands = {c["id"] for c in app.get("/api/commands").json()["commands"]}
    assert {"chat.clear", "chat.cancel", "provider.openai"} <= commands
    assert app.post("/api/commands/chat.clear").status_code == 200
    assert discussion_until(app, lambda b: b["messages"] == [])["messages"] == []


SLOW_PROVIDER = """
import pathlib, time
gate = pathlib.Path({gate!r})
deadline = time.monotonic() + 30
while not gate.exists() and time.monotonic() < deadline:
    time.sleep(0.02)
"""


def test_send_while_the_provider_is_still_loading_is_refused_and_adds_nothing(web_controller, tmp_path, monkeypatch):
    gate = tmp_path / "gate"
    module = f"sloppy_web_slow_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(SLOW_PROVIDER.format(gate=str(gate)))
    monkeypatch.syspath_prepend(str(tmp_path))
    project = tmp_path / "project"
    project.mkdir()
    controller = web_controller(
        {"hooks_web": HOOKS_WEB, "slowprov": PluginInfo("slowprov", module, "provider", "test", "1")},
        wait=False,
        project=project,
        before_start=lambda c: setattr(c, "chat", ChatSession(c, project)),
    )
    try:
        deadline = time.monotonic() + 20
        while runtime.get(controller) is None:
            assert time.monotonic() < deadline, "the Hook API never came up"
            time.sleep(0.05)
        http = Http(f"http://127.0.0.1:{runtime.get(controller).port}")
        response = http.post("/api/send", json={"message": "hello", "wait": True, "timeout": 1})
        assert response.status_code == 409, response.text
        assert "still loading" in response.json()["detail"]
        assert http.get("/api/discussion").json()["messages"] == []
    finally:
        gate.touch()
