"""The chat flow end to end on a real provider (OpenAI's protocol on a loopback server)."""

from __future__ import annotations

import json

import pytest

from src.core.chat import ChatSession
from src.core.config import load_config
from src.core.controller import AppController
from tests.fakes.app import BUILTIN_PROVIDERS, NOT_PROVIDERS, running_app, wait_for
from tests.fakes.server import Reply
from tests.fakes.specs import SPECS

KEY = "test-key-0123456789"
SPEC = SPECS["openai"]


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with SPEC.server(key=KEY) as server:
        yield server


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "main.py").write_text("print('hi')\n", encoding="utf-8")
    return root


def config(fake, **settings) -> str:
    return SPEC.config(fake.url + "/v1", max_retries=0, timeout_s=30.0, **settings)


def test_the_provider_with_a_key_is_chosen_after_warmup(tmp_path, fake, project):
    with running_app(tmp_path, config(fake), project=project, only=("openai", "anthropic")) as app:
        assert wait_for(lambda: app.chat.snapshot().provider == "openai")
        assert app.chat.snapshot().model == "gpt-5-mini"
        assert {"provider.openai", "provider.anthropic"} <= set(app.commands())


def test_the_config_default_provider_and_persona_win(tmp_path, fake, project):
    text = config(fake) + '\n[provider]\ndefault = "anthropic"\npersona = "coder"\n'
    with running_app(tmp_path, text, project=project, only=("openai", "anthropic")) as app:
        snap = app.chat.snapshot()
        assert (snap.provider, snap.persona) == ("anthropic", "coder")


def test_a_discussion_with_context_survives_a_restart(tmp_path, fake, project):
    fake.queue(Reply(chunks=["It ", "prints hi."]))
    with running_app(tmp_path, config(fake), project=project, only=("openai",)) as app:
        app.chat.add_context("main.py")
        app.chat.send("What does main.py do?")
        assert app.chat.wait_idle(10)
        first = app.chat.snapshot()
    assert [m.content for m in first.messages] == ["What does main.py do?", "It prints hi."]
    with running_app(tmp_path, config(fake), project=project, only=("openai",)) as app:
        snap = app.chat.snapshot()
        assert snap.messages == first.messages
        assert snap.context == (("main.py", 12),)
        assert (snap.provider, snap.model) == ("openai", "gpt-5-mini")
        app.chat.send("And then?")
        assert app.chat.wait_idle(10)
        _, sent = SPEC.wire().conversation(fake.requests[-1].body)
        assert sent[:2] == [("user", "What does main.py do?"), ("assistant", "It prints hi.")]
        assert "```python\nprint('hi')\n```" in sent[2][1] and sent[2][1].endswith("And then?")


def test_closing_the_app_mid_answer_keeps_the_partial_answer(tmp_path, fake, project):
    fake.queue(Reply(silent="after_first_chunk"))
    with running_app(tmp_path, config(fake), project=project, only=("openai",)) as app:
        app.chat.send("a long story please")
        assert wait_for(lambda: app.chat.snapshot().messages[-1:] and app.chat.snapshot().messages[-1].content)
    stored = json.loads((project / ".sloppy" / "discussion.json").read_text(encoding="utf-8"))
    answer = stored["messages"][-1]
    assert (answer["state"], answer["content"]) == ("cancelled", "Hello")
    assert "the app closed" in answer["error"]


def test_sending_while_an_answer_streams_is_refused_and_loses_nothing(tmp_path, fake, project):
    fake.queue(Reply(silent="after_first_chunk"))
    with running_app(tmp_path, config(fake), project=project, only=("openai",)) as app:
        app.chat.send("first")
        assert wait_for(lambda: app.chat.snapshot().busy and app.chat.snapshot().messages[-1].content == "Hello")
        app.chat.send("second")
        assert wait_for(lambda: "still streaming" in app.chat.snapshot().notice)
        assert [m.content for m in app.chat.snapshot().messages] == ["first", "Hello"]
        app.chat.cancel()
        assert app.chat.wait_idle(5)
        assert app.chat.snapshot().messages[-1].state == "cancelled"


def test_clear_while_streaming_stops_the_answer(tmp_path, fake, project):
    fake.queue(Reply(silent="after_first_chunk"))
    with running_app(tmp_path, config(fake), project=project, only=("openai",)) as app:
        app.chat.send("first")
        assert wait_for(lambda: app.chat.snapshot().messages[-1:] and app.chat.snapshot().messages[-1].content)
        app.chat.clear()
        assert app.chat.wait_idle(5)
        assert app.chat.snapshot().messages == ()
        assert not app.chat.snapshot().busy
        assert fake.disconnected.wait(2)


def test_a_failed_turn_is_not_sent_again_as_history(tmp_path, fake, project):
    fake.queue(Reply(), Reply(status=500), Reply())
    with running_app(tmp_path, config(fake), project=project, only=("openai",)) as app:
        for text in ("one", "two", "three"):
            app.chat.send(text)
            assert app.chat.wait_idle(10)
        assert [m.state for m in app.chat.snapshot().messages] == ["done", "done", "done", "error", "done", "done"]
        _, sent = SPEC.wire().conversation(fake.requests[-1].body)
        assert sent == [("user", "one"), ("assistant", "Hello, world!"), ("user", "three")]


def test_a_context_file_that_disappeared_is_left_out_with_a_notice(tmp_path, fake, project):
    (project / "gone.txt").write_text("soon gone\n", encoding="utf-8")
    with running_app(tmp_path, config(fake), project=project, only=("openai",)) as app:
        app.chat.add_context("*.*")
        assert wait_for(lambda: len(app.chat.snapshot().context) == 2)
        (project / "gone.txt").unlink()
        app.chat.send("hi")
        assert app.chat.wait_idle(10)
        assert app.chat.snapshot().messages[-1].state == "done"
        assert "gone.txt does not exist" in app.chat.snapshot().notice
        _, sent = SPEC.wire().conversation(fake.requests[-1].body)
        assert "## main.py" in sent[-1][1] and "gone.txt" not in sent[-1][1]


def test_a_provider_enabled_after_warmup_becomes_the_choice(tmp_path, fake, project):
    with running_app(tmp_path, config(fake), project=project, only=()) as app:
        assert app.chat.snapshot().provider is None
        app.set_enabled("openai", True, save=False).result(5)
        assert wait_for(lambda: app.chat.snapshot().provider == "openai", 30)
        assert app.chat.snapshot().model == "gpt-5-mini"
        assert "provider.openai" in app.commands()
        app.chat.send("hello")
        assert app.chat.wait_idle(10)
        assert app.chat.snapshot().messages[-1].content == "Hello, world!"


def test_wait_idle_refuses_to_block_the_writer(tmp_path, fake, project):
    with (
        running_app(tmp_path, config(fake), project=project, only=()) as app,
        pytest.raises(RuntimeError, match="would block the writer"),
    ):
        app.call_on_writer(app.chat.wait_idle, 1).result(5)


def test_a_stored_provider_that_is_gone_falls_back_with_a_notice(tmp_path, fake, project):
    with running_app(tmp_path, config(fake), project=project, only=("openai", "anthropic")) as app:
        app.chat.set_provider("anthropic")
        app.chat.add_context("main.py")
        assert app.chat.wait_idle(5)
        assert wait_for(lambda: app.chat.snapshot().provider == "anthropic")
    with running_app(tmp_path, config(fake), project=project, only=("openai",)) as app:
        snap = app.chat.snapshot()
        assert snap.provider == "openai"
        assert "plugin 'anthropic' is disabled" in snap.notice and "using openai instead" in snap.notice


def test_changes_made_before_the_discussion_loads_are_saved(tmp_path, fake, project):
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    controller = AppController(load_config(tmp_path / "config.toml"), disabled={*BUILTIN_PROVIDERS, *NOT_PROVIDERS})
    chat = ChatSession(controller, project)
    chat.add_context("main.py")  # the writer has not started: this lands before the stored discussion
    controller.start()
    try:
        assert chat.wait_idle(30)
        assert chat.snapshot().context == (("main.py", 12),)
    finally:
        controller.shutdown(3.0)
        controller.loop.close()
    with running_app(tmp_path, config(fake), project=project, only=()) as app:
        assert app.chat.snapshot().context == (("main.py", 12),)
