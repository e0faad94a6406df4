"""Every built-in provider, on its real SDK, against a loopback server speaking its protocol.

The app is the real one: a controller warmed with a config whose base_url
points at the fake, and the chat session driving the provider.
"""

from __future__ import annotations

import contextlib
import socket
import time

import pytest

from tests.fakes.app import running_app, wait_for
from tests.fakes.server import Reply
from tests.fakes.specs import SPECS

KEY = "test-key-0123456789"


@pytest.fixture(params=sorted(SPECS))
def spec(request):
    return SPECS[request.param]


@pytest.fixture
def fake(spec):
    with spec.server(key=KEY) as server:
        yield server


@contextlib.contextmanager
def app_for(spec, fake, tmp_path, monkeypatch, *, key: str | None = KEY, base_url: str | None = None, **settings):
    if key is not None:
        monkeypatch.setenv(spec.key_env, key)
    settings = {"max_retries": 0, "timeout_s": 5.0, "retry_max_wait_s": 0.2, **settings}
    config = spec.config(base_url or fake.url + spec.url_suffix, **settings)
    with running_app(tmp_path, config, only=(spec.name,)) as app:
        assert spec.name in app.providers()
        app.chat.set_provider(spec.name)
        assert wait_for(lambda: app.chat.snapshot().provider == spec.name)
        yield app


def last_content(app) -> str | None:
    messages = app.chat.snapshot().messages
    return messages[-1].content if messages and messages[-1].role == "assistant" else None


def exchange(app, text: str, timeout: float = 10.0):
    app.chat.send(text)
    assert app.chat.wait_idle(timeout), "the answer did not finish"
    return app.chat.snapshot().messages[-1]


def first_exchange_ok(app):
    answer = exchange(app, "first question")
    assert (answer.state, answer.content) == ("done", "Hello, world!")
    return app.chat.snapshot().messages


def assert_kept(app, before):
    """Nothing already in the discussion was lost or changed."""
    assert app.chat.snapshot().messages[: len(before)] == before


def test_streams_the_answer_with_persona_and_context(spec, fake, tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.md").write_text("remember the milk\n", encoding="utf-8")
    fake.queue(Reply(chunks=["Hel", "lo, ", "world", "!"], delay_s=0.15))
    with app_for(spec, fake, tmp_path, monkeypatch) as app:
        app.chat.set_persona("reviewer")
        app.chat.add_context("notes.md")
        app.chat.send("What is in my notes?")
        # The answer shows up while it streams, not only at the end.
        assert wait_for(lambda: (last_content(app) or "").startswith("Hel"), 5)
        streaming = app.chat.snapshot()
        assert streaming.busy and streaming.messages[-1].state == "streaming"
        assert streaming.messages[-1].content != "Hello, world!"
        assert app.chat.wait_idle(10)
        answer = app.chat.snapshot().messages[-1]
        assert (answer.role, answer.state, answer.content, answer.error) == ("assistant", "done", "Hello, world!", None)
        assert answer.provider == spec.name and answer.model == app.providers()[spec.name].default_model
        system, messages = spec.wire().conversation(fake.requests[-1].body)
        assert system == app.chat.personas()["reviewer"]
        role, content = messages[-1]
        assert role == "user"
        assert "## notes.md\n\n```markdown\nremember the milk\n```" in content
        assert content.endswith("What is in my notes?")


def test_history_goes_back_to_the_model_and_the_chosen_model_is_used(spec, fake, tmp_path, monkeypatch):
    with app_for(spec, fake, tmp_path, monkeypatch) as app:
        first_exchange_ok(app)
        app.chat.set_model("my-custom-model")
        assert wait_for(lambda: app.chat.snapshot().model == "my-custom-model")
        assert exchange(app, "second question").model == "my-custom-model"
        _, messages = spec.wire().conversation(fake.requests[-1].body)
        assert messages == [("user", "first question"), ("assistant", "Hello, world!"), ("user", "second question")]
        assert "my-custom-model" in fake.requests[-1].path + str(fake.requests[-1].body)


def test_cancel_while_the_server_is_silent_keeps_the_partial_answer_and_hangs_up(spec, fake, tmp_path, monkeypatch):
    fake.queue(Reply(silent="after_first_chunk"))
    with app_for(spec, fake, tmp_path, monkeypatch, timeout_s=30.0) as app:
        app.chat.send("tell me a long story")
        assert wait_for(lambda: last_content(app) == "Hello", 5)
        t0 = time.monotonic()
        app.chat.cancel()
        assert wait_for(lambda: not app.chat.snapshot().busy, 2)
        assert time.monotonic() - t0 < 0.5
        answer = app.chat.snapshot().messages[-1]
        assert (answer.state, answer.content) == ("cancelled", "Hello")
        assert "cancelled" in answer.error
        assert fake.disconnected.wait(2), "the connection was not closed"
        # The app stays usable: the next message goes through.
        assert exchange(app, "again").state == "done"


def test_cancel_before_the_first_byte(spec, fake, tmp_path, monkeypatch):
    fake.queue(Reply(silent="before_headers"))
    with app_for(spec, fake, tmp_path, monkeypatch, timeout_s=30.0) as app:
        app.chat.send("hello?")
        assert wait_for(lambda: len(fake.requests) == 1, 5)
        t0 = time.monotonic()
        app.chat.cancel()
        assert wait_for(lambda: not app.chat.snapshot().busy, 2)
        assert time.monotonic() - t0 < 0.5
        answer = app.chat.snapshot().messages[-1]
        assert (answer.state, answer.content) == ("cancelled", "")
        assert fake.disconnected.wait(2), "the connection was not closed"


def test_missing_key_is_a_clear_error_and_nothing_is_sent(spec, fake, tmp_path, monkeypatch):
    with app_for(spec, fake, tmp_path, monkeypatch, key=None) as app:
        assert not app.providers()[spec.name].key_status().present
        answer = exchange(app, "hello")
        assert answer.state == "error"
        assert "no API key" in answer.error and spec.key_env in answer.error
        assert fake.requests == []


def test_wrong_key_says_it_was_rejected_without_showing_it(spec, fake, tmp_path, monkeypatch):
    wrong = "sk-wrong-key-abcdef"
    with app_for(spec, fake, tmp_path, monkeypatch, key=wrong) as app:
        answer = exchange(app, "hello")
        assert answer.state == "error"
        assert "API key was rejected" in answer.error
        assert wrong not in answer.error
        app.chat.wait_idle(2)
    stored = (tmp_path / "project" / ".sloppy" / "discussion.json").read_text(encoding="utf-8")
    assert wrong not in stored and KEY not in stored


def test_rate_limit_is_retried_then_answered(spec, fake, tmp_path, monkeypatch):
    fake.queue(Reply(status=429, retry_after="0"), Reply())
    with app_for(spec, fake, tmp_path, monkeypatch, max_retries=2) as app:
        answer = exchange(app, "hello")
        assert (answer.state, answer.content) == ("done", "Hello, world!")
        assert len(fake.requests) == 2


def test_rate_limit_retries_are_bounded_even_with_a_long_retry_after(spec, fake, tmp_path, monkeypatch):
    fake.queue(Reply(), Reply(status=429, retry_after="60"), Reply(status=429, retry_after="60"))
    with app_for(spec, fake, tmp_path, monkeypatch, max_retries=1, retry_max_wait_s=0.3) as app:
        before = first_exchange_ok(app)
        t0 = time.monotonic()
        answer = exchange(app, "hello again")
        assert time.monotonic() - t0 < 3
        assert answer.state == "error"
        assert "rate limited" in answer.error and "gave up after 2 attempts" in answer.error
        assert len(fake.requests) == 3
        assert_kept(app, before)


def test_server_error(spec, fake, tmp_path, monkeypatch):
    fake.queue(Reply(), Reply(status=500, error_message="the model is on fire"))
    with app_for(spec, fake, tmp_path, monkeypatch) as app:
        before = first_exchange_ok(app)
        answer = exchange(app, "hello")
        assert answer.state == "error"
        assert "server failed (HTTP 500)" in answer.error and "on fire" in answer.error
        assert_kept(app, before)


def test_connection_refused(spec, fake, tmp_path, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    url = f"http://127.0.0.1:{closed_port}{spec.url_suffix}"
    with app_for(spec, fake, tmp_path, monkeypatch, base_url=url, max_retries=1) as app:
        t0 = time.monotonic()
        answer = exchange(app, "hello")
        assert time.monotonic() - t0 < 3
        assert answer.state == "error"
        assert f"cannot connect to http://127.0.0.1:{closed_port}" in answer.error


def test_read_timeout(spec, fake, tmp_path, monkeypatch):
    fake.queue(Reply(), Reply(silent="before_headers"))
    with app_for(spec, fake, tmp_path, monkeypatch, timeout_s=0.5) as app:
        before = first_exchange_ok(app)
        t0 = time.monotonic()
        answer = exchange(app, "hello")
        assert time.monotonic() - t0 < 3
        assert answer.state == "error"
        assert "within 0.5 s (read timeout)" in answer.error
        assert_kept(app, before)


@pytest.mark.parametrize("how", ["dropped", "ended_early"])
def test_a_stream_cut_mid_answer_keeps_the_partial_answer(spec, fake, tmp_path, monkeypatch, how):
    cut = Reply(cut_after=2) if how == "dropped" else Reply(chunks=["Hello", ", "], end_early=True)
    fake.queue(Reply(), cut)
    with app_for(spec, fake, tmp_path, monkeypatch) as app:
        before = first_exchange_ok(app)
        answer = exchange(app, "hello")
        assert (answer.state, answer.content) == ("cut_off", "Hello, ")
        assert "cut off" in answer.error
        assert_kept(app, before)


def test_a_malformed_body(spec, fake, tmp_path, monkeypatch):
    fake.queue(Reply(), Reply(malformed=True))
    with app_for(spec, fake, tmp_path, monkeypatch) as app:
        before = first_exchange_ok(app)
        answer = exchange(app, "hello")
        assert answer.state in ("error", "cut_off")
        assert "does not follow" in answer.error or "cut off" in answer.error
        assert_kept(app, before)


def test_an_error_event_mid_answer_keeps_the_partial_answer(spec, fake, tmp_path, monkeypatch):
    fake.queue(Reply(), Reply(error_event_after=2, error_message="Overloaded, try later"))
    with app_for(spec, fake, tmp_path, monkeypatch) as app:
        before = first_exchange_ok(app)
        answer = exchange(app, "hello")
        assert (answer.state, answer.content) == ("cut_off", "Hello, ")
        assert "cut off" in answer.error and "Overloaded, try later" in answer.error
        assert_kept(app, before)
