"""The key is checked on every route; no response ever carries a secret."""

from __future__ import annotations

import pytest
import requests
from webtools import HOOKS_WEB, Http

from src.plugins.hooks_web import runtime

# Never hang the suite: every test here is bounded.
pytestmark = pytest.mark.timeout(120)

HOOK_KEY = "hook-key-7f3a9c2e51"
SECRETS = {
    "SLOPPY_API_KEY": HOOK_KEY,
    "OPENAI_API_KEY": "sk-openai-secret-1234567890",
    "ANTHROPIC_API_KEY": "sk-ant-secret-0987654321",
    "GEMINI_API_KEY": "AIza-gemini-secret-5555",
    "DEEPSEEK_API_KEY": "sk-deepseek-secret-4444",
    "MINIMAX_API_KEY": "minimax-secret-3333",
    "SOME_SERVICE_TOKEN": "tok-secret-2222",
    "CUSTOM_PROVIDER_VAR": "custom-provider-secret-1111",  # named by [providers.custom] api_key_env
}


@pytest.fixture
def keyed(web_controller, samples, tmp_path, monkeypatch):
    """The plugin with a key set, a leaky plugin route, and a failure whose message holds a key."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    config = tmp_path / "config.toml"
    config.write_text('[providers.custom]\napi_key_env = "CUSTOM_PROVIDER_VAR"\n')
    controller = web_controller(
        {
            "hooks_web": HOOKS_WEB,
            "web_sample": samples("web_sample"),
            "leaky_failure": samples("leaky_failure"),
        },
        config_path=config,
    )
    server = runtime.get(controller)
    assert server is not None and server.settings.key_required
    url = f"http://127.0.0.1:{server.port}"
    return Http(url, HOOK_KEY), Http(url), controller


def every_route(http: Http) -> list[tuple[str, str]]:
    """(method, path) of every route in the schema, plus the docs; path parameters filled in."""
    paths = http.get("/openapi.json").json()["paths"]
    routes = [(m, p.replace("{command_id}", "sample.where")) for p, ops in paths.items() for m in ops]
    assert len(routes) >= 15
    return [*routes, ("get", "/openapi.json"), ("get", "/docs")]


def test_every_route_wants_the_key(keyed):
    with_key, without_key, _ = keyed
    routes = every_route(with_key)
    assert ("get", "/api/plugins/web_sample/hello") in routes
    wrong = Http(with_key.url, "not-the-key")
    for method, path in routes:
        missing = getattr(without_key, method)(path)
        assert missing.status_code == 401, (method, path, missing.text)
        assert missing.headers.get("www-authenticate") == "APIKey"
        assert getattr(wrong, method)(path).status_code == 403, (method, path)
        assert getattr(with_key, method)(path).status_code not in (401, 403), (method, path)


def test_a_loopback_server_without_a_key_is_open(web_controller):
    controller = web_controller({"hooks_web": HOOKS_WEB})
    server = runtime.get(controller)
    assert not server.settings.key_required
    assert Http(f"http://127.0.0.1:{server.port}").get("/api/status").status_code == 200


def test_no_response_carries_a_secret(keyed):
    with_key, without_key, controller = keyed
    # The raw failure reason does hold a key: the filter is what keeps it out.
    raw = next(p.error for p in controller.warmup_status().plugins if p.name == "leaky_failure")
    assert SECRETS["OPENAI_API_KEY"] in raw
    wrong = Http(with_key.url, SECRETS["OPENAI_API_KEY"])
    responses: list[requests.Response] = []
    for method, path in every_route(with_key):
        for http in (with_key, without_key, wrong):
            responses.append(getattr(http, method)(path))
    for value in SECRETS.values():  # bodies that echo their input back in a validation error
        responses.append(with_key.post("/api/state", json={"colour": value}))
        responses.append(with_key.post("/api/send", json={"message": value, "x": value}))
        responses.append(with_key.get(f"/api/warmup_wait?timeout={value}"))
        responses.append(with_key.post(f"/api/commands/{value}"))
    leak = with_key.get("/api/plugins/web_sample/leak")
    assert leak.json() == {"openai": "[redacted]", "hook": "[redacted]"}
    responses.append(leak)
    for response in responses:
        blob = response.content + repr(dict(response.headers)).encode()
        for name, value in SECRETS.items():
            assert value.encode() not in blob, f"{name} leaked by {response.request.method} {response.url}"
    failed = [r for r in responses if r.url.endswith("/api/warmup_status") and r.status_code == 200]
    assert failed and "[redacted]" in failed[0].text


def test_without_the_key_nothing_is_revealed_not_even_404_or_parse_errors(keyed):
    with_key, without_key, _ = keyed
    assert with_key.get("/api/no/such/route").status_code == 404
    assert without_key.get("/api/no/such/route").status_code == 401
    broken = {"data": b"{not json", "headers": {"content-type": "application/json"}}
    assert with_key.post("/api/send", **broken).status_code == 422
    assert without_key.post("/api/send", **broken).status_code == 401
    assert Http(with_key.url, "wrong-key").post("/api/send", **broken).status_code == 403
