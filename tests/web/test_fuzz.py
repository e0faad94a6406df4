"""Fuzz every route from the OpenAPI schema: no server error, every answer in bounded time.

The schema comes from the running server; schemathesis builds a Hypothesis
strategy for each operation (schemathesis' own pytest loader does not run on
pytest 9 yet, so the operations are driven here with ``@given``).
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from webtools import HOOKS_WEB

from src.core.catalog import PluginInfo
from src.core.chat import ChatSession
from src.plugins.hooks_web import runtime
from tests.fakes.openai_wire import OpenAIWire
from tests.fakes.server import FakeProviderServer

REQUEST_TIMEOUT_S = 15
KEY = "fuzz-openai-key-0123456789"
OPENAI = PluginInfo("openai", "src.plugins.providers.openai", "provider", "sloppy", "0.1.0")
EXAMPLES_PER_ROUTE = 20  # per route and mode (valid, then invalid input)


@pytest.fixture
def fake_openai():
    with FakeProviderServer(OpenAIWire(), key=KEY) as server:
        yield server


@pytest.fixture(params=["no chat", "chat"])
def api(request, web_controller, samples, tmp_path, monkeypatch):
    """A server over sample plugins; in the "chat" variant also the chat session and OpenAI on a loopback fake."""
    plugins = {"hooks_web": HOOKS_WEB, "web_sample": samples("web_sample"), "leaky_failure": samples("leaky_failure")}
    options = {}
    if request.param == "chat":
        fake = request.getfixturevalue("fake_openai")
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        config = tmp_path / "config.toml"
        config.write_text(f'[providers.openai]\nbase_url = "{fake.url}/v1"\nmax_retries = 0\ntimeout_s = 5.0\n')
        project = tmp_path / "project"
        project.mkdir()
        plugins["openai"] = OPENAI
        options = {
            "config_path": config,
            "project": project,
            "before_start": lambda c: setattr(c, "chat", ChatSession(c, project)),
        }
    controller = web_controller(plugins, **options)
    url = f"http://127.0.0.1:{runtime.get(controller).port}"
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", timeout=10)
    return url, [result.ok() for result in schema.get_all_operations()]


def assert_no_server_error(response) -> None:
    """No crash: below 500, or a deliberate 503 that says what is unavailable."""
    if response.status_code == 503:
        assert "not available" in response.json()["detail"] or "not ready" in response.json()["detail"]
        return
    assert response.status_code < 500, (
        f"{response.request.method} {response.url}: {response.status_code} {response.text}"
    )


def fuzz_operation(operation, mode: GenerationMode, url: str, seen: dict[str, set[int]]) -> None:
    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):
        t0 = time.monotonic()
        response = case.call(base_url=url, timeout=REQUEST_TIMEOUT_S)
        assert time.monotonic() - t0 < REQUEST_TIMEOUT_S
        assert_no_server_error(response)
        seen.setdefault(operation.label, set()).add(response.status_code)

    fuzz()


@pytest.mark.timeout(600)
def test_no_route_fails_or_hangs_on_any_input(api):
    url, operations = api
    assert len(operations) >= 15
    seen: dict[str, set[int]] = {}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz_operation(operation, mode, url, seen)
    assert len(seen) == len(operations)
    # The fuzzing got past validation into every handler, not only into 422s.
    assert all(codes - {422} for codes in seen.values()), seen
