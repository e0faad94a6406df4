"""ChatSession without a provider: context files, personas, persistence, refusals."""

from __future__ import annotations

import json

import pytest

from src.core.catalog import Catalog, PluginInfo
from src.core.chat import ChatSession
from src.core.chat.context import approx_tokens
from src.core.chat.personas import BUILTIN_PERSONAS
from src.core.chat.session import WARMING_NOTICE
from src.core.config import load_config
from src.core.controller import AppController
from tests.fakes.app import running_app, wait_for
from tests.gui import plugin_site
from tests.gui.fake_openai import FakeOpenAI


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def main():\n    return 1\n", encoding="utf-8")
    (root / "src" / "util.py").write_text("X = 2\n", encoding="utf-8")
    (root / "README.md").write_text("# Demo\n\n```sh\nrun it\n```\n", encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    return root


def settle(chat, version_before: int) -> None:
    assert wait_for(lambda: chat.snapshot().version > version_before)


def test_context_document_has_each_file_under_its_path_in_a_language_fence(tmp_path, project):
    with running_app(tmp_path, project=project, only=()) as app:
        chat = app.chat
        v = chat.snapshot().version
        assert chat.add_context("src/*.py") == ["src/app.py", "src/util.py"]
        assert chat.add_context("README.md") == ["README.md"]
        assert wait_for(lambda: len(chat.snapshot().context) == 3)
        doc = chat.context_document()
        assert "## src/app.py\n\n```python\ndef main():\n    return 1\n```\n" in doc
        assert "## src/util.py\n\n```python\nX = 2\n```\n" in doc
        # README contains a ``` fence: its block uses a longer one so it cannot break out.
        assert "## README.md\n\n````markdown\n# Demo\n\n```sh\nrun it\n```\n````\n" in doc
        assert dict(chat.snapshot().context) == {"src/app.py": 25, "src/util.py": 6, "README.md": 25}
        assert chat.context_size() == (56, approx_tokens(56))
        assert chat.snapshot().version > v


def test_adding_the_same_file_twice_adds_it_once(tmp_path, project):
    with running_app(tmp_path, project=project, only=()) as app:
        assert app.chat.add_context("src/app.py") == ["src/app.py"]
        assert wait_for(lambda: len(app.chat.snapshot().context) == 1)
        assert app.chat.add_context(str(project / "src" / "app.py")) == []
        assert app.chat.add_context("src/*.py") == ["src/util.py"]
        assert wait_for(lambda: [p for p, _ in app.chat.snapshot().context] == ["src/app.py", "src/util.py"])


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "give a file path or a glob"),
        ("nope.py", "no file 'nope.py'"),
        ("src", "is a folder; add the files in it with a glob"),
        ("logo.png", "is not a text file"),
        ("*.png", "matches no readable text file"),
        ("**/*.rs", "no files match"),
    ],
)
def test_bad_context_input_says_why_and_changes_nothing(tmp_path, project, pattern, message):
    with running_app(tmp_path, project=project, only=()) as app:
        before = app.chat.snapshot()
        with pytest.raises(ValueError, match=message):
            app.chat.add_context(pattern)
        assert app.chat.snapshot().context == before.context == ()


def test_removing_a_context_file(tmp_path, project):
    with running_app(tmp_path, project=project, only=()) as app:
        app.chat.add_context("src/*.py")
        assert wait_for(lambda: len(app.chat.snapshot().context) == 2)
        app.chat.remove_context("src/app.py")
        assert wait_for(lambda: [p for p, _ in app.chat.snapshot().context] == ["src/util.py"])
        assert "src/app.py" not in app.chat.context_document()


def test_personas_are_built_in_plus_the_configs_own(tmp_path, project):
    config = '[personas]\npirate = "Answer like a pirate."\ncoder = "My own coder."\n'
    with running_app(tmp_path, config, project=project, only=()) as app:
        personas = app.chat.personas()
        assert set(BUILTIN_PERSONAS) <= set(personas)
        assert personas["pirate"] == "Answer like a pirate."
        assert personas["coder"] == "My own coder."  # the user's entry wins
        app.chat.set_persona("pirate")
        assert wait_for(lambda: app.chat.snapshot().persona == "pirate")
        with pytest.raises(ValueError, match="no persona named 'ghost'; choose one of: coder, default"):
            app.chat.set_persona("ghost")
        assert app.chat.snapshot().persona == "pirate"


def test_sending_with_no_provider_puts_a_clear_error_in_the_discussion(tmp_path, project):
    with running_app(tmp_path, project=project, only=()) as app:
        app.chat.send("hello?")
        assert app.chat.wait_idle(5)
        user, answer = app.chat.snapshot().messages
        assert (user.role, user.content, user.state) == ("user", "hello?", "done")
        assert answer.role == "assistant" and answer.state == "error"
        assert "no provider is ready" in answer.error
        assert not app.chat.snapshot().busy


def test_an_empty_message_is_refused_with_a_notice(tmp_path, project):
    with running_app(tmp_path, project=project, only=()) as app:
        app.chat.send("   ")
        assert app.chat.wait_idle(5)
        snap = app.chat.snapshot()
        assert snap.messages == ()
        assert "the message is empty" in snap.notice


def test_discussion_context_and_persona_survive_a_restart(tmp_path, project):
    with running_app(tmp_path, project=project, only=()) as app:
        app.chat.add_context("src/*.py")
        app.chat.set_persona("reviewer")
        app.chat.send("first question")
        assert app.chat.wait_idle(5)
        assert wait_for(lambda: len(app.chat.snapshot().messages) == 2 and app.chat.snapshot().persona == "reviewer")
        saved = app.chat.snapshot()
    stored = json.loads((project / ".sloppy" / "discussion.json").read_text(encoding="utf-8"))
    assert stored["context"] == ["src/app.py", "src/util.py"]
    (project / "src" / "util.py").write_text("X = 22222\n", encoding="utf-8")  # sizes are re-read
    with running_app(tmp_path, project=project, only=()) as app:
        snap = app.chat.snapshot()
        assert snap.loaded
        assert snap.messages == saved.messages
        assert snap.persona == "reviewer"
        assert dict(snap.context) == {"src/app.py": 25, "src/util.py": 10}
        assert snap.messages[0].context == ("src/app.py", "src/util.py")


def test_an_unreadable_discussion_file_is_set_aside_not_overwritten(tmp_path, project):
    path = project / ".sloppy" / "discussion.json"
    path.parent.mkdir()
    path.write_text('{"messages": [ {"role": "user", "content": "precious', encoding="utf-8")
    with running_app(tmp_path, project=project, only=()) as app:
        snap = app.chat.snapshot()
        assert "is unreadable: not valid JSON" in snap.notice
        assert "moved to discussion.json.unreadable-" in snap.notice
        assert snap.messages == ()
        app.chat.send("new start")
        assert app.chat.wait_idle(5)
    aside = list(path.parent.glob("discussion.json.unreadable-*"))
    assert len(aside) == 1
    assert "precious" in aside[0].read_text(encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["messages"][0]["content"] == "new start"


def test_clear_forgets_messages_but_keeps_context(tmp_path, project):
    with running_app(tmp_path, project=project, only=()) as app:
        app.chat.add_context("README.md")
        app.chat.send("q")
        assert app.chat.wait_idle(5)
        app.chat.clear()
        assert wait_for(lambda: app.chat.snapshot().messages == ())
        assert [p for p, _ in app.chat.snapshot().context] == ["README.md"]
        assert "chat.clear" in app.commands() and "chat.cancel" in app.commands()


def test_an_untouched_project_gets_no_discussion_file(tmp_path, project):
    with running_app(tmp_path, project=project, only=()) as app:
        assert app.chat.snapshot().loaded
    assert not (project / ".sloppy").exists()


def test_a_snapshot_serialises_to_json(tmp_path, project):
    with running_app(tmp_path, project=project, only=()) as app:
        app.chat.add_context("README.md")
        app.chat.send("hi")
        assert app.chat.wait_idle(5)
        data = json.loads(json.dumps(app.chat.snapshot().to_dict()))
        assert data["context"] == [{"path": "README.md", "chars": 25}]
        assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
        assert data["messages"][0]["context"] == ["README.md"]
        assert data["version"] == app.chat.snapshot().version and data["loaded"] is True


def test_a_send_while_the_chosen_provider_warms_is_refused_and_nothing_is_lost(tmp_path, project, monkeypatch):
    site = plugin_site.install(tmp_path / "site", "sloppytest_slowchat")
    monkeypatch.syspath_prepend(str(site))
    gate = tmp_path / "gate"
    with FakeOpenAI(["warm ", "now"]) as fake:
        monkeypatch.setenv("SLOPPYTEST_GATE", str(gate))
        monkeypatch.setenv("FAKECHAT_BASE_URL", fake.base_url)
        monkeypatch.setenv("FAKECHAT_API_KEY", "test-key")
        config_path = tmp_path / "config.toml"
        config_path.write_text('[provider]\ndefault = "slowchat"\n', encoding="utf-8")
        info = PluginInfo("sloppytest_slowchat", "sloppytest_slowchat", "provider", "sloppytest_slowchat", "1.0")
        controller = AppController(
            load_config(config_path),
            options={"project": project, "headless": True},
            mode="headless",
            discover_fn=lambda: Catalog({info.name: info}),
        )
        controller.chat = chat = ChatSession(controller, project)
        controller.start()
        try:
            assert wait_for(lambda: chat.snapshot().loaded)
            chat.send("hello while warming")
            assert wait_for(lambda: WARMING_NOTICE in chat.snapshot().notice)
            snap = chat.snapshot()
            assert snap.messages == () and not snap.busy
            assert snap.notice == f"provider 'slowchat' {WARMING_NOTICE}"
            assert not controller.is_warmup_done() and fake.requests == []

            gate.write_text("open")
            assert controller.wait_for_warmup(60)
            chat.send("hello once ready")
            assert chat.wait_idle(20)
            user, answer = chat.snapshot().messages
            assert (user.content, answer.content, answer.state) == ("hello once ready", "warm now", "done")
            assert chat.snapshot().notice == ""
        finally:
            controller.shutdown(timeout=3.0)
