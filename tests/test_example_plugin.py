"""The example third-party provider (examples/sloppy-ollama), installed for real, in a fresh app process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.fakes.app import BUILTIN_PROVIDERS, NOT_PROVIDERS
from tests.fakes.ollama_wire import OllamaWire
from tests.fakes.server import FakeProviderServer, Reply

EXAMPLE = ROOT / "examples" / "sloppy-ollama"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A folder the example distribution is installed into (wheel built from its pyproject.toml)."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("the example-plugin test installs with uv; put uv on PATH")
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--python",
            sys.executable,
            "--target",
            str(target),
            str(EXAMPLE),
        ],
        check=True,
        timeout=180,
    )
    assert (target / "sloppy_ollama" / "__init__.py").exists()
    assert list(target.glob("sloppy_ollama-0.1.0.dist-info/entry_points.txt"))
    return target


@pytest.fixture
def fake():
    with FakeProviderServer(OllamaWire()) as server:
        yield server


def run_app(site, tmp_path, config_text: str, *args: str) -> dict:
    config = tmp_path / "config.toml"
    config.write_text(config_text, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.fakes.example_driver", str(config), str(project), *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def only_the_example(disabled_too: tuple[str, ...] = ()) -> str:
    names = [*BUILTIN_PROVIDERS, *NOT_PROVIDERS, *disabled_too]
    return "[plugins]\ndisabled = [" + ", ".join(f'"{n}"' for n in names) + "]\n"


def test_the_installed_example_is_listed_and_streams_from_its_server(site, tmp_path, fake):
    fake.queue(Reply(chunks=["Hello", " from", " Ollama"]), Reply(silent="after_first_chunk"))
    config = only_the_example() + f'\n[providers.ollama]\nbase_url = "{fake.url}"\nmodel = "qwen2.5-coder"\n'
    out = run_app(site, tmp_path, config, "--cancel")
    assert out["warmed"]
    assert out["plugins"]["ollama"] == {"state": "ready", "distribution": "sloppy-ollama"}
    assert out["providers"] == ["ollama"]
    answer = out["answer"]
    assert (answer["state"], answer["content"], answer["provider"], answer["model"]) == (
        "done",
        "Hello from Ollama",
        "ollama",
        "qwen2.5-coder",
    )
    first = fake.requests[0]
    assert first.path == "/api/chat" and first.body["model"] == "qwen2.5-coder"
    system, messages = OllamaWire().conversation(first.body)
    assert system.startswith("You are a senior software engineer") and messages == [("user", "hello")]
    # Cancelling while the server is silent: prompt, partial answer kept, connection closed.
    assert out["cancel_s"] < 0.5
    assert (out["cancelled"]["state"], out["cancelled"]["content"]) == ("cancelled", "Hello")
    assert fake.disconnected.wait(2)


def test_the_example_shows_in_list_plugins(site, tmp_path, sloppy_cmd):
    config = tmp_path / "config.toml"
    config.write_text(only_the_example(), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [*sloppy_cmd, "--list-plugins", "--config", str(config)],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert proc.returncode == 0, proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("ollama"))
    assert row.split()[:6] == ["ollama", "provider", "sloppy-ollama", "0.1.0", "yes", "ready"]


def test_disabling_the_example_means_it_is_never_imported(site, tmp_path, fake):
    out = run_app(site, tmp_path, only_the_example(disabled_too=("ollama",)))
    assert out["plugins"]["ollama"]["state"] == "disabled"
    assert out["providers"] == []
    assert out["imported"] is False
    assert fake.requests == []


@pytest.mark.parametrize(
    ("reply", "state", "content", "message"),
    [
        (Reply(status=404), "error", "", 'ollama: Ollama answered HTTP 404: model "llama3.2" not found'),
        (
            Reply(error_event_after=1, error_message="out of memory"),
            "cut_off",
            "Hello",
            "cut off: Ollama: out of memory",
        ),
        (Reply(cut_after=2), "cut_off", "Hello, ", "the connection closed before it finished"),
        (Reply(malformed=True), "error", "", "a line that is not JSON"),
    ],
)
def test_errors_from_the_example_land_in_the_discussion(site, tmp_path, fake, reply, state, content, message):
    fake.queue(reply)
    config = only_the_example() + f'\n[providers.ollama]\nbase_url = "{fake.url}"\n'
    answer = run_app(site, tmp_path, config)["answer"]
    assert (answer["state"], answer["content"]) == (state, content)
    assert message in answer["error"]
