"""Which provider the chat uses when the user has not chosen: the one with a key, whatever warmed first.

Three third-party provider plugins (``alpha``, ``bravo``, ``charlie``, in that
catalog order) in one real distribution; each one's import waits for its own
gate file, so a test decides the order in which they become ready. Each reads
its own key variable and streams through the real OpenAI SDK to a loopback
server, so a send shows which provider (and key) the selection really used.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import pytest

from src.core.catalog import Catalog, discover
from src.core.chat import ChatSession
from src.core.config import load_config
from src.core.controller import AppController
from src.core.warmup import State
from tests.fakes.app import wait_for
from tests.gui.fake_openai import FakeOpenAI
from tests.third_party import close_loop, write_distribution

pytestmark = pytest.mark.timeout(180)

NAMES = ("alpha", "bravo", "charlie")  # the catalog order

PROVIDER_MODULE = '''"""A provider plugin whose import waits for its gate file; key from {env}."""
import os
import time
from pathlib import Path

import openai

from src.core import hookimpl
from src.core.providers import KeyStatus

GATE = Path(__file__).with_name("{name}.gate")
_deadline = time.monotonic() + 60
while not GATE.exists() and time.monotonic() < _deadline:
    time.sleep(0.01)


class GatedProvider:
    name = "{name}"
    label = "{label}"
    models = ["{name}-model"]
    default_model = "{name}-model"

    def key_status(self):
        return KeyStatus(bool(os.environ.get("{env}")), "{env}")

    async def stream(self, request):
        client = openai.AsyncOpenAI(
            base_url=os.environ["PROVTEST_BASE_URL"], api_key=os.environ.get("{env}") or "unset", max_retries=0
        )
        messages = [{{"role": m.role, "content": m.content}} for m in request.messages]
        stream = await client.chat.completions.create(model=request.model, messages=messages, stream=True)
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content


@hookimpl
def sloppy_register_providers(register):
    register(GatedProvider())
'''


def key_env(name: str) -> str:
    return f"PROVTEST_{name.upper()}_KEY"


@pytest.fixture
def site(tmp_path, monkeypatch):
    """The distribution ``sloppy-provtest`` with the three gated provider plugins, on sys.path."""
    root = tmp_path / "site"
    suffix = uuid.uuid4().hex[:8]
    modules = {f"provtest_{name}_{suffix}": name for name in NAMES}
    write_distribution(
        root,
        dist="sloppy-provtest",
        version="1.0",
        plugins={name: module for module, name in modules.items()},
        kinds=dict.fromkeys(NAMES, "provider"),
        commands={},
        modules={
            module: PROVIDER_MODULE.format(name=name, label=name.title(), env=key_env(name))
            for module, name in modules.items()
        },
    )
    monkeypatch.syspath_prepend(str(root))
    for module in modules:
        monkeypatch.delitem(sys.modules, module, raising=False)
    yield root
    for name in NAMES:  # let imports still waiting on pool threads finish
        (root / f"{name}.gate").touch()


@pytest.fixture
def fake(monkeypatch):
    with FakeOpenAI(["fine, ", "thanks"]) as server:
        monkeypatch.setenv("PROVTEST_BASE_URL", server.base_url)
        yield server


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture
def start(tmp_path, site, project):
    """Start a controller (only the three test providers) with a chat session; shut down after the test."""
    started: list[AppController] = []
    catalog = discover()
    assert [p for p in catalog.plugins if p in NAMES] == list(NAMES)
    ours = Catalog({name: catalog.plugins[name] for name in NAMES})

    def run(config_text: str = "") -> AppController:
        config_path = tmp_path / f"config-{len(started)}.toml"
        config_path.write_text(config_text, encoding="utf-8")
        controller = AppController(
            load_config(config_path),
            options={"project": project, "headless": True},
            mode="headless",
            discover_fn=lambda: ours,
        )
        controller.chat = ChatSession(controller, project)
        controller.start()
        started.append(controller)
        assert wait_for(lambda: controller.chat.snapshot().loaded)
        return controller

    yield run
    for name in NAMES:
        (site / f"{name}.gate").touch()
    for controller in started:
        controller.shutdown(timeout=3.0)
        close_loop(controller)


def open_gate(controller: AppController, site: Path, name: str) -> None:
    """Let ``name`` finish importing; return once the writer has announced it ready."""
    (site / f"{name}.gate").touch()

    def states() -> dict:
        return {p.name: p.state for p in controller.warmup_status().plugins}

    assert wait_for(lambda: states().get(name) is State.READY, 30), states()
    controller.call_on_writer(lambda: None).result(5)  # the ready announcement ran in the same writer job


def provider(controller: AppController) -> str | None:
    return controller.chat.snapshot().provider


def restart_gates(site: Path) -> None:
    """Close the gates again and forget the imported modules: the next start imports (and waits) anew."""
    for name in NAMES:
        (site / f"{name}.gate").unlink(missing_ok=True)
    for module in [m for m in sys.modules if m.startswith("provtest_")]:
        del sys.modules[module]


@pytest.mark.parametrize(
    "order, selections",
    [
        (("alpha", "bravo", "charlie"), ["alpha", "bravo", "bravo"]),
        (("charlie", "alpha", "bravo"), ["charlie", "alpha", "bravo"]),
        (("bravo", "charlie", "alpha"), ["bravo", "bravo", "bravo"]),
        (("charlie", "bravo", "alpha"), ["charlie", "bravo", "bravo"]),
    ],
)
def test_the_provider_with_a_key_is_selected_whatever_the_warm_up_order(
    start, site, fake, monkeypatch, order, selections
):
    monkeypatch.setenv(key_env("bravo"), "bravo-key")
    controller = start()
    assert provider(controller) is None
    seen = []
    for name in order:
        open_gate(controller, site, name)
        seen.append(provider(controller))
    assert seen == selections
    assert controller.wait_for_warmup(10)
    controller.call_on_writer(lambda: None).result(5)
    snap = controller.chat.snapshot()
    assert (snap.provider, snap.model) == ("bravo", "bravo-model")
    controller.chat.send("how are you?")
    assert controller.chat.wait_idle(20)
    assert controller.chat.snapshot().messages[-1].content == "fine, thanks"
    assert fake.requests[-1]["auth"] == "Bearer bravo-key"
    assert fake.requests[-1]["body"]["model"] == "bravo-model"


def test_with_several_keys_the_first_in_catalog_order_wins_not_the_first_ready(start, site, fake, monkeypatch):
    monkeypatch.setenv(key_env("alpha"), "alpha-key")
    monkeypatch.setenv(key_env("charlie"), "charlie-key")
    controller = start()
    seen = []
    for name in ("charlie", "bravo", "alpha"):
        open_gate(controller, site, name)
        seen.append(provider(controller))
    assert seen == ["charlie", "charlie", "alpha"]


def test_without_any_key_the_selection_follows_the_catalog_not_the_warm_up(start, site, fake):
    controller = start()
    for name in ("charlie", "bravo", "alpha"):
        open_gate(controller, site, name)
    assert controller.wait_for_warmup(10)
    controller.call_on_writer(lambda: None).result(5)
    assert provider(controller) == "alpha"


def test_a_provider_chosen_in_this_session_is_not_taken_over(start, site, fake, monkeypatch):
    monkeypatch.setenv(key_env("bravo"), "bravo-key")
    controller = start()
    open_gate(controller, site, "charlie")
    controller.chat.set_provider("charlie")
    controller.call_on_writer(lambda: None).result(5)
    for name in ("bravo", "alpha"):
        open_gate(controller, site, name)
    assert controller.wait_for_warmup(10)
    controller.call_on_writer(lambda: None).result(5)
    assert provider(controller) == "charlie"


def test_choosing_a_model_pins_its_provider(start, site, fake, monkeypatch):
    monkeypatch.setenv(key_env("bravo"), "bravo-key")
    controller = start()
    open_gate(controller, site, "alpha")
    assert provider(controller) == "alpha"
    controller.chat.set_model("alpha-model")
    open_gate(controller, site, "bravo")
    assert (provider(controller), controller.chat.snapshot().model) == ("alpha", "alpha-model")


def test_the_configured_default_is_kept_even_without_a_key(start, site, fake, monkeypatch):
    monkeypatch.setenv(key_env("bravo"), "bravo-key")
    controller = start('[provider]\ndefault = "charlie"\n')
    assert provider(controller) == "charlie"
    for name in ("bravo", "alpha", "charlie"):
        open_gate(controller, site, name)
        assert provider(controller) == "charlie"


def test_a_saved_explicit_choice_is_kept_and_an_automatic_one_is_not_saved(start, site, fake, project, monkeypatch):
    stored = project / ".sloppy" / "discussion.json"
    # First run, no keys: the automatic pick (alpha) is used but not saved as a choice.
    first = start()
    for name in NAMES:
        open_gate(first, site, name)
    assert provider(first) == "alpha"
    first.chat.send("first")
    assert first.chat.wait_idle(20)
    assert wait_for(lambda: stored.exists() and len(json.loads(stored.read_text())["messages"]) == 2)
    assert json.loads(stored.read_text())["provider"] is None
    first.shutdown(timeout=3.0)

    # Second run, charlie has a key now: the automatic selection takes it; then the user picks bravo.
    restart_gates(site)
    monkeypatch.setenv(key_env("charlie"), "charlie-key")
    second = start()
    for name in NAMES:
        open_gate(second, site, name)
    assert provider(second) == "charlie"
    second.chat.set_provider("bravo")
    assert wait_for(lambda: json.loads(stored.read_text())["provider"] == "bravo")
    second.shutdown(timeout=3.0)

    # Third run: the saved choice holds although charlie, with its key, becomes ready first.
    restart_gates(site)
    third = start()
    assert provider(third) == "bravo"  # the saved choice, before any provider is ready
    open_gate(third, site, "charlie")
    assert {p.name: p.state for p in third.warmup_status().plugins}["bravo"] is not State.READY
    assert provider(third) == "bravo"
    open_gate(third, site, "bravo")
    open_gate(third, site, "alpha")
    assert provider(third) == "bravo"
    third.chat.send("third")
    assert third.chat.wait_idle(20)
    assert fake.requests[-1]["auth"] == "Bearer unset" and fake.requests[-1]["body"]["model"] == "bravo-model"


def test_a_model_of_another_provider_is_refused_with_the_reason(start, site, fake):
    controller = start()
    for name in ("alpha", "bravo"):
        open_gate(controller, site, name)
    assert provider(controller) == "alpha"
    with pytest.raises(ValueError, match="'bravo-model' is a .* model and the provider is .*: choose"):
        controller.chat.set_model("bravo-model")
    controller.chat.set_model("alpha-model")  # its own
    controller.chat.set_model("my-fine-tune")  # a name no provider lists: a custom model, allowed
    controller.call_on_writer(lambda: None).result(5)
    assert (provider(controller), controller.chat.snapshot().model) == ("alpha", "my-fine-tune")
