"""Provider settings: base-URL overrides, key variables, key changes, models, warm clients."""

from __future__ import annotations

import socket
import sys
import time

import pytest

from tests.fakes.app import running_app, wait_for
from tests.fakes.server import Reply
from tests.fakes.specs import SPECS

KEY = "test-key-0123456789"


def closed_port_url(suffix: str = "") -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}{suffix}"


def send(app, text: str = "hello"):
    app.chat.send(text)
    assert app.chat.wait_idle(10)
    return app.chat.snapshot().messages[-1]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_env_base_url_overrides_the_config(name, tmp_path, monkeypatch):
    spec = SPECS[name]
    with spec.server(key=KEY) as fake:
        monkeypatch.setenv(spec.key_env, KEY)
        monkeypatch.setenv(f"SLOPPY_{name.upper()}_BASE_URL", fake.url + spec.url_suffix)
        with running_app(tmp_path, spec.config(closed_port_url(spec.url_suffix)), only=(name,)) as app:
            app.chat.set_provider(name)
            assert send(app).content == "Hello, world!"
            assert len(fake.requests) == 1


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_first_message_after_warmup_imports_nothing(name, tmp_path, monkeypatch):
    spec = SPECS[name]
    with spec.server(key=KEY) as fake:
        monkeypatch.setenv(spec.key_env, KEY)
        with running_app(tmp_path, spec.config(fake.url + spec.url_suffix), only=(name,)) as app:
            before = set(sys.modules)
            t0 = time.monotonic()
            app.chat.set_provider(name)  # a lookup
            assert wait_for(lambda: app.chat.snapshot().provider == name)
            assert time.monotonic() - t0 < 0.5
            assert send(app).state == "done"
            assert sorted(set(sys.modules) - before) == []


def test_api_key_env_from_the_config(tmp_path, monkeypatch):
    spec = SPECS["anthropic"]
    with spec.server(key=KEY) as fake:
        monkeypatch.setenv("MY_CLAUDE_KEY", KEY)
        config = spec.config(fake.url, api_key_env="MY_CLAUDE_KEY")
        with running_app(tmp_path, config, only=("anthropic",)) as app:
            status = app.providers()["anthropic"].key_status()
            assert status.present and status.source == "MY_CLAUDE_KEY"
            assert KEY not in status.label()
            app.chat.set_provider("anthropic")
            assert send(app).state == "done"
            assert fake.requests[-1].headers.get("x-api-key") == KEY or (
                fake.requests[-1].headers.get("authorization") == f"Bearer {KEY}"
            )


def test_gemini_falls_back_to_google_api_key(tmp_path, monkeypatch):
    spec = SPECS["gemini"]
    with spec.server(key=KEY) as fake:
        monkeypatch.setenv("GOOGLE_API_KEY", KEY)
        with running_app(tmp_path, spec.config(fake.url), only=("gemini",)) as app:
            assert app.providers()["gemini"].key_status().source == "GOOGLE_API_KEY"
            app.chat.set_provider("gemini")
            assert send(app).state == "done"


def test_a_changed_key_is_picked_up_without_a_restart(tmp_path, monkeypatch):
    spec = SPECS["openai"]
    with spec.server(key=KEY) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-old-key-000")
        with running_app(tmp_path, spec.config(fake.url + "/v1"), only=("openai",)) as app:
            app.chat.set_provider("openai")
            assert "rejected" in send(app).error
            monkeypatch.setenv("OPENAI_API_KEY", KEY)
            assert send(app, "again").state == "done"
            assert fake.requests[-1].headers["authorization"] == f"Bearer {KEY}"
            monkeypatch.delenv("OPENAI_API_KEY")
            answer = send(app, "and again")
            assert answer.state == "error" and "no API key" in answer.error


def test_models_and_default_model_from_the_config(tmp_path, monkeypatch):
    spec = SPECS["deepseek"]
    with spec.server(key=KEY) as fake:
        monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
        config = spec.config(fake.url, model="deepseek-v9") + 'models = ["deepseek-tiny"]\n'
        with running_app(tmp_path, config, only=("deepseek",)) as app:
            provider = app.providers()["deepseek"]
            assert provider.default_model == "deepseek-v9"
            assert provider.models[0] == "deepseek-v9" and "deepseek-tiny" in provider.models
            assert "deepseek-chat" in provider.models
            app.chat.set_provider("deepseek")
            assert send(app).model == "deepseek-v9"
            assert fake.requests[-1].body["model"] == "deepseek-v9"


def test_deepseek_ignores_the_openai_variables(tmp_path, monkeypatch):
    spec = SPECS["deepseek"]
    with spec.server(key=KEY) as fake:
        monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-not-this-one")
        monkeypatch.setenv("OPENAI_BASE_URL", closed_port_url("/v1"))
        with running_app(tmp_path, spec.config(fake.url), only=("deepseek",)) as app:
            app.chat.set_provider("deepseek")
            assert send(app).state == "done"
            assert fake.requests[-1].path == "/chat/completions"
            assert fake.requests[-1].headers["authorization"] == f"Bearer {KEY}"


def test_minimax_business_errors_in_http_200(tmp_path, monkeypatch):
    spec = SPECS["minimax"]
    with spec.server(key=KEY) as fake:
        monkeypatch.setenv("MINIMAX_API_KEY", KEY)
        fake.queue(Reply(status=402), Reply(status=400, error_message="invalid params, unknown model"))
        with running_app(tmp_path, spec.config(fake.url, max_retries=0), only=("minimax",)) as app:
            app.chat.set_provider("minimax")
            assert "insufficient balance (MiniMax code 1008)" in send(app).error
            assert "MiniMax refused the request (code 2013): invalid params, unknown model" in send(app).error


def test_switching_provider_to_one_not_installed_says_so(tmp_path):
    with running_app(tmp_path, only=("openai",)) as app:
        with pytest.raises(ValueError, match="no plugin named 'nope' is installed"):
            app.chat.set_provider("nope")
        with pytest.raises(ValueError, match="plugin 'gemini' is disabled"):
            app.chat.set_provider("gemini")
