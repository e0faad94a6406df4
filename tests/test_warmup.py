"""The controller's warm-up against real plugin distributions on sys.path."""

from __future__ import annotations

import functools
import os
import sys
import threading
import time

import pytest
from distbuilder import PluginSpec, good_plugin, make_dist

from src.core import import_times
from src.core.catalog import discover
from src.core.config import Config
from src.core.controller import AppController, PluginUnavailable
from src.core.warmup import State

BUILTINS = sorted(name for name, info in discover().plugins.items() if info.builtin)


@pytest.fixture
def start(tmp_path, monkeypatch):
    """start(plugins, **config) -> a started controller seeing only these plugins."""
    controllers = []

    def _start(plugins: list[PluginSpec], dist: str = "test-plugins", config_disabled=(), timeout_s=10.0, **kw):
        folder = make_dist(tmp_path / f"site-{len(controllers)}", dist, plugins)
        monkeypatch.syspath_prepend(str(folder))
        config = Config(path=tmp_path / "config.toml")
        config.data["plugins"] = {"disabled": [*BUILTINS, *config_disabled], "warmup_timeout_s": timeout_s}
        controller = AppController(config, **kw)
        controllers.append(controller)
        controller.start()
        return controller

    yield _start
    for controller in controllers:
        controller.shutdown(timeout=2.0)


def states(controller):
    return {p.name: p.state for p in controller.warmup_status().plugins if p.name not in BUILTINS}


def test_good_plugins_become_ready_with_timings_and_thread(start):
    controller = start([good_plugin("alpha"), good_plugin("beta")])
    assert controller.wait_for_warmup(10)
    status = {p.name: p for p in controller.warmup_status().plugins}
    for name in ("alpha", "beta"):
        assert status[name].state is State.READY
        assert status[name].thread.startswith("controller-io-")
        assert status[name].import_ms is not None and status[name].duration_ms >= status[name].import_ms
        assert status[name].distribution == "test-plugins" and status[name].version == "1.0"
    assert set(controller.commands()) == {"alpha.hello", "beta.hello"}
    assert controller.require("alpha").__name__.startswith("sloppy_test_")
    assert all(status[n].state is State.DISABLED for n in BUILTINS)


BAD_PLUGINS = {
    "import_raises": (
        PluginSpec(name="bad", source="raise RuntimeError('boom at import')"),
        "RuntimeError: boom at import",
    ),
    "missing_module": (PluginSpec(name="bad", source="", entry_value="no_such_module_xyz"), "No module named"),
    "missing_attribute": (PluginSpec(name="bad", source="X = 1", attr="nothing_here"), "nothing_here"),
    "sys_exit": (PluginSpec(name="bad", source="import sys\nsys.exit(3)"), "sys.exit(3)"),
    "bad_signature": (
        PluginSpec(
            name="bad",
            source="from src.core import hookimpl\n@hookimpl\ndef sloppy_register_providers(register, colour):\n    pass\n",
        ),
        "colour",
    ),
    "unknown_hook": (
        PluginSpec(
            name="bad", source="from src.core import hookimpl\n@hookimpl\ndef sloppy_no_such_hook():\n    pass\n"
        ),
        "sloppy_no_such_hook",
    ),
    "setup_raises": (
        PluginSpec(
            name="bad",
            source="from src.core import hookimpl\n@hookimpl\ndef sloppy_plugin_setup(controller):\n    raise ValueError('no key')\n",
        ),
        "sloppy_plugin_setup failed: ValueError: no key",
    ),
    "register_hook_raises": (
        PluginSpec(
            name="bad",
            source="from src.core import hookimpl\n@hookimpl\ndef sloppy_register_themes(register):\n    1 / 0\n",
        ),
        "sloppy_register_themes failed: ZeroDivisionError",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PLUGINS))
def test_a_broken_plugin_fails_alone_with_a_readable_reason(start, case):
    spec, reason = BAD_PLUGINS[case]
    controller = start([good_plugin("good"), spec])
    assert controller.wait_for_warmup(10)
    status = {p.name: p for p in controller.warmup_status().plugins}
    assert status["good"].state is State.READY
    assert status["bad"].state is State.FAILED
    assert reason in status["bad"].error
    assert status["bad"].traceback
    with pytest.raises(PluginUnavailable, match="failed") as err:
        controller.require("bad")
    assert err.value.state == "failed"
    assert controller.pm.get_plugin("bad") is None


def test_a_hook_that_raises_when_announced_fails_only_that_plugin(start):
    raiser = PluginSpec(
        name="loud",
        source="from src.core import hookimpl\n@hookimpl\ndef sloppy_plugin_ready(info):\n    raise KeyError(info.name)\n",
    )
    controller = start([raiser, good_plugin("quiet")])
    assert controller.wait_for_warmup(10)
    deadline = time.monotonic() + 5
    while states(controller)["loud"] is not State.FAILED and time.monotonic() < deadline:
        time.sleep(0.01)
    status = {p.name: p for p in controller.warmup_status().plugins}
    assert status["loud"].state is State.FAILED
    # "quiet" may be announced before or after "loud" registers (then pluggy replays it into "loud").
    assert "KeyError" in status["loud"].error
    assert (
        "sloppy_plugin_ready raised" in status["loud"].error
        or "a hook raised while it heard earlier announcements" in status["loud"].error
    ), status["loud"].error
    assert status["quiet"].state is State.READY


def test_same_name_from_two_distributions_first_on_path_wins(start, tmp_path, monkeypatch):
    loser = make_dist(tmp_path / "other", "zz-other-dist", [good_plugin("twin")])
    monkeypatch.syspath_prepend(str(loser))
    controller = start([good_plugin("twin")], dist="aa-first-dist")  # prepended last: first on sys.path
    assert controller.wait_for_warmup(10)
    status = controller.warmup_status()
    twin = next(p for p in status.plugins if p.name == "twin")
    assert twin.state is State.READY and twin.distribution == "aa-first-dist"
    assert status.conflicts == ["plugin name 'twin' is offered by aa-first-dist and zz-other-dist; aa-first-dist wins"]


@pytest.mark.parametrize("how", ["config", "cli", "env"])
def test_a_disabled_plugin_is_never_imported(start, monkeypatch, how):
    spec = good_plugin("sleepy")
    if how == "env":
        monkeypatch.setenv("SLOPPY_DISABLE_PLUGINS", "other, sleepy")
    controller = start(
        [spec, good_plugin("awake")],
        config_disabled=["sleepy"] if how == "config" else [],
        disabled={"sleepy"} if how == "cli" else set(),
    )
    assert controller.wait_for_warmup(10)
    assert states(controller) == {"sleepy": State.DISABLED, "awake": State.READY}
    assert spec.module not in sys.modules
    with pytest.raises(PluginUnavailable, match="disabled"):
        controller.require("sleepy")


def test_unknown_plugin_lookup_says_so(start):
    controller = start([good_plugin("only")])
    assert controller.wait_for_warmup(10)
    with pytest.raises(PluginUnavailable, match="no plugin named 'ghost' is installed") as err:
        controller.require("ghost")
    assert err.value.state == "unknown"


SLOW = """
import time
from src.core import hookimpl
STARTED = True
time.sleep(0.6)
FINISHED = True

@hookimpl
def sloppy_plugin_setup(controller):
    time.sleep(0.3)
    global SET_UP
    SET_UP = True
"""


def test_lookup_never_returns_a_half_initialised_module(start):
    spec = PluginSpec(name="slow", source=SLOW)
    controller = start([spec])
    seen_in_sys_modules_early = False
    while not controller.is_warmup_done():
        module = sys.modules.get(spec.module)
        try:
            plugin = controller.require("slow")
        except PluginUnavailable as e:
            assert e.state in ("pending", "importing")
            seen_in_sys_modules_early |= module is not None
        else:
            assert plugin.FINISHED and plugin.SET_UP
        time.sleep(0.005)
    assert seen_in_sys_modules_early  # the module sat in sys.modules before it was ready
    plugin = controller.require("slow")
    assert plugin.FINISHED and plugin.SET_UP


def test_on_warmup_complete_fires_exactly_once_under_stress(tmp_path, monkeypatch):
    folder = make_dist(tmp_path / "site", "stress-dist", [good_plugin(f"p{i}") for i in range(3)])
    monkeypatch.syspath_prepend(str(folder))
    for iteration in range(200):
        calls = _stress_round(tmp_path, workers=4, per_worker=20)
        assert len(calls) == 80 and set(calls.values()) == {1}, (iteration, calls)


def _stress_round(tmp_path, workers: int, per_worker: int) -> dict[int, int]:
    """Register callbacks from several threads while the warm-up finishes; count the calls."""
    config = Config(path=tmp_path / "config.toml")
    config.data["plugins"] = {"disabled": BUILTINS}
    controller = AppController(config)
    calls: dict[int, int] = {}
    lock = threading.Lock()
    go = threading.Barrier(workers + 1)

    def count(key: int, status) -> None:
        assert status.done
        with lock:
            calls[key] = calls.get(key, 0) + 1

    def register(worker: int) -> None:
        go.wait()
        for j in range(per_worker):
            controller.on_warmup_complete(functools.partial(count, worker * 100 + j))

    threads = [threading.Thread(target=register, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    controller.start()
    go.wait()
    for t in threads:
        t.join()
    assert controller.wait_for_warmup(10)
    deadline = time.monotonic() + 5
    while len(calls) < workers * per_worker and time.monotonic() < deadline:
        time.sleep(0.001)
    controller.shutdown(timeout=2)
    return calls


def test_readiness_is_announced_through_the_historic_hooks(start):
    controller = start([good_plugin("one"), PluginSpec(name="two", source="raise ImportError('nope')")])
    assert controller.wait_for_warmup(10)
    heard = []

    class Late:
        from src.core import hookimpl

        @hookimpl
        def sloppy_plugin_ready(self, info):
            heard.append(("ready", info.name))

        @hookimpl
        def sloppy_plugin_failed(self, info):
            heard.append(("failed", info.name))

        @hookimpl
        def sloppy_warmup_complete(self, status):
            heard.append(("complete", status.done))

    controller.register_subscriber(Late(), "late-listener")
    assert sorted(heard) == [("complete", True), ("failed", "two"), ("ready", "one")]


def test_retry_enable_disable_and_reload(start, tmp_path):
    flaky_flag = tmp_path / "fixed"
    flaky = PluginSpec(
        name="flaky",
        source=f"import pathlib\nif not pathlib.Path({str(flaky_flag)!r}).exists():\n    raise RuntimeError('not yet')\n",
    )
    controller = start([flaky, good_plugin("steady")])
    assert controller.wait_for_warmup(10)
    assert states(controller)["flaky"] is State.FAILED

    flaky_flag.touch()
    controller.retry("flaky")
    _wait_state(controller, "flaky", State.READY)

    controller.set_enabled("steady", False).result(5)
    assert states(controller)["steady"] is State.DISABLED
    assert "steady.hello" not in controller.commands()
    assert "steady" in controller.config.disabled_plugins()
    assert "steady" in (tmp_path / "config.toml").read_text()  # saved

    controller.set_enabled("steady", True).result(5)
    _wait_state(controller, "steady", State.READY)
    assert "steady.hello" in controller.commands()

    controller.reload("steady")
    _wait_state(controller, "steady", State.READY, attempt_above=2)


def _wait_state(controller, name, state, attempt_above=0, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        p = next(p for p in controller.warmup_status().plugins if p.name == name)
        if p.state is state and p.attempt > attempt_above:
            return
        time.sleep(0.01)
    raise AssertionError(f"{name} did not reach {state} (now {p.state}, attempt {p.attempt})")


def test_pool_threads_are_named_and_counted(start):
    controller = start([good_plugin(f"n{i}") for i in range(6)])
    assert controller.wait_for_warmup(10)
    deadline = time.monotonic() + 5
    # discovery, six warm-ups (each ends just after it posts) and the record of their import times
    while controller.pool_status()["completed"] < 8:
        assert time.monotonic() < deadline, controller.pool_status()
        time.sleep(0.01)
    status = controller.pool_status()
    assert status["size"] == 4
    assert status["threads"] and all(t.startswith("controller-io-") for t in status["threads"])
    assert status["busy"] == 0 and status["queued"] == 0


def test_shutdown_releases_the_controllers_file_descriptors(tmp_path):
    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    config = Config(path=tmp_path / "config.toml")
    config.data["plugins"] = {"disabled": BUILTINS}
    warm = AppController(config)  # warm the imports this test is not about
    warm.start()
    assert warm.wait_for_warmup(10) and warm.shutdown(timeout=2)
    before = open_fds()
    for _ in range(20):
        controller = AppController(config)
        controller.start()
        assert controller.wait_for_warmup(10)
        assert controller.shutdown(timeout=2)
    assert open_fds() - before < 10


def test_a_hook_that_raises_while_catching_up_on_announcements_fails_that_plugin(start):
    raiser = PluginSpec(
        name="late",
        source="from src.core import hookimpl\n@hookimpl\ndef sloppy_plugin_ready(info):\n    raise KeyError(info.name)\n",
    )
    controller = start([raiser, good_plugin("early")], config_disabled=["late"])
    assert controller.wait_for_warmup(10)
    controller.set_enabled("late", True, save=False).result(5)  # registers after "early" was announced
    _wait_state(controller, "late", State.FAILED)
    error = next(p.error for p in controller.warmup_status().plugins if p.name == "late")
    assert "a hook raised while it heard earlier announcements: KeyError: 'early'" in error
    assert states(controller)["early"] is State.READY
    assert controller.pm.get_plugin("late") is None


SLOW_IMPORT = """
import os, time
def note(event):
    with open(os.environ["SLOPPY_TEST_IMPORT_LOG"], "a") as log:
        log.write(f"{event} {NAME} {time.monotonic()}\\n")
note("in")
while not os.path.exists(os.environ["SLOPPY_TEST_IMPORT_GATE"]):
    time.sleep(0.01)
time.sleep(0.1)
note("out")
"""


def test_plugin_imports_run_one_at_a_time_and_leave_the_pool_free(start, tmp_path, monkeypatch):
    log, gate = tmp_path / "imports.log", tmp_path / "gate"
    monkeypatch.setenv("SLOPPY_TEST_IMPORT_LOG", str(log))
    monkeypatch.setenv("SLOPPY_TEST_IMPORT_GATE", str(gate))
    names = ["one", "two", "three", "four", "five", "six"]  # more plugins than pool threads
    controller = start([PluginSpec(name=n, source=f"NAME = {n!r}\n" + SLOW_IMPORT) for n in names])
    deadline = time.monotonic() + 10
    while State.IMPORTING not in states(controller).values():
        assert time.monotonic() < deadline, states(controller)
        time.sleep(0.01)
    # One import runs (held at the gate); the others wait their turn without taking a pool thread.
    assert sorted(states(controller).values()).count(State.IMPORTING) == 1
    assert controller.submit_io(lambda: "a click's job").result(timeout=2) == "a click's job"
    gate.touch()
    assert controller.wait_for_warmup(20)
    assert set(states(controller).values()) == {State.READY}
    events = sorted((float(t), kind) for kind, _name, t in (line.split() for line in log.read_text().splitlines()))
    inside = peak = 0
    for _t, kind in events:
        inside += 1 if kind == "in" else -1
        peak = max(peak, inside)
    assert len(events) == 2 * len(names) and peak == 1


def test_a_hanging_import_holds_up_the_others_only_for_its_lease(start, tmp_path, monkeypatch):
    monkeypatch.setattr("src.core.controller.IMPORT_LEASE_S", 0.5)
    gate = tmp_path / "gate"
    hangs = PluginSpec(
        name="hangs",
        source=f"import os, time\nwhile not os.path.exists({str(gate)!r}):\n    time.sleep(0.02)\n",
    )
    started = time.monotonic()
    controller = start([hangs, good_plugin("alpha"), good_plugin("beta")], timeout_s=4.0)
    try:
        deadline = time.monotonic() + 10
        while {states(controller).get(n) for n in ("alpha", "beta")} != {State.READY}:
            assert time.monotonic() < deadline, states(controller)
            time.sleep(0.02)
        assert time.monotonic() - started < 3.0  # well before the hanging import's timeout
        assert controller.wait_for_warmup(10)
        status = {p.name: p for p in controller.warmup_status().plugins}
        assert status["hangs"].started_ms < min(status["alpha"].started_ms, status["beta"].started_ms)
        assert status["hangs"].state is State.FAILED
        assert "did not finish within 4 s" in status["hangs"].error
    finally:
        gate.touch()


def test_the_plugins_quickest_to_import_last_time_are_imported_first(start, tmp_path, monkeypatch):
    log, gate = tmp_path / "imports.log", tmp_path / "gate"
    monkeypatch.setenv("SLOPPY_TEST_IMPORT_LOG", str(log))
    monkeypatch.setenv("SLOPPY_TEST_IMPORT_GATE", str(gate))
    gate.touch()
    record = import_times.default_path()
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text('{"heavy": 2500.0, "medium": 300, "light": 3}', encoding="utf-8")
    names = ["heavy", "new", "medium", "light"]  # discovery order; "new" has no record yet
    controller = start([PluginSpec(name=n, source=f"NAME = {n!r}\n" + SLOW_IMPORT) for n in names])
    assert controller.wait_for_warmup(20)
    order = [name for kind, name, _t in (line.split() for line in log.read_text().splitlines()) if kind == "in"]
    assert order == ["new", "light", "medium", "heavy"]
    # The record is updated on the pool just after the warm-up: the highest time seen, fading a little.
    deadline = time.monotonic() + 5
    while set(import_times.load(record)) != set(names):
        assert time.monotonic() < deadline, record.read_text()
        time.sleep(0.02)
    after = import_times.load(record)
    assert after["heavy"] == 0.9 * 2500.0  # quicker this time: it fades, it is not forgotten
    assert after["medium"] >= 100 and after["light"] >= 100 and after["new"] >= 100  # each import waited 0.1 s


@pytest.mark.parametrize("content", ["{not json", '["a list"]', '{"heavy": "slow", "light": true}', ""])
def test_an_unreadable_import_time_record_means_discovery_order(start, tmp_path, monkeypatch, content):
    log, gate = tmp_path / "imports.log", tmp_path / "gate"
    monkeypatch.setenv("SLOPPY_TEST_IMPORT_LOG", str(log))
    monkeypatch.setenv("SLOPPY_TEST_IMPORT_GATE", str(gate))
    gate.touch()
    record = import_times.default_path()
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(content, encoding="utf-8")
    controller = start([PluginSpec(name=n, source=f"NAME = {n!r}\n" + SLOW_IMPORT) for n in ("heavy", "light")])
    assert controller.wait_for_warmup(20)
    order = [name for kind, name, _t in (line.split() for line in log.read_text().splitlines()) if kind == "in"]
    assert order == ["heavy", "light"]
    assert set(states(controller).values()) == {State.READY}


def test_the_import_time_record_keeps_the_highest_figure_fading():
    record = {"shares_an_sdk": 1000.0, "gone": 5.0}
    after = import_times.updated(record, {"shares_an_sdk": 0.2, "light": 3.0})
    assert after == {"shares_an_sdk": 900.0, "gone": 5.0, "light": 3.0}
    assert import_times.updated(after, {"shares_an_sdk": 1200.0})["shares_an_sdk"] == 1200.0
