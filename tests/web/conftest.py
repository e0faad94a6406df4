"""Fixtures for the Hook API: in-process servers and the live app in a subprocess.

- ``web_controller(plugins=...)``: a started ``AppController`` whose catalog
  holds just the named plugins (real modules, warmed the real way).
- ``hook_server(controller, **settings)``: a started :class:`HookServer` on
  127.0.0.1, port 0 unless given; stopped at teardown.
- ``live_gui``: ``sloppy.py --enable-test-hooks --hook-port 0`` as a real
  subprocess (``--headless`` by default; ``@pytest.mark.parametrize("live_gui",
  ["gui"], indirect=True)`` runs the window under Xvfb), reached through
  :func:`wait_for_server`, terminated at teardown.

All traffic goes to loopback addresses only.
"""

from __future__ import annotations

import pytest
from webtools import HEAVY, ROOT, SAMPLES, plugin_info, quit_via_api, start_app, stop_app

from src.core.catalog import Catalog, PluginInfo
from src.core.config import load_config
from src.core.controller import AppController
from src.plugins.hooks_web.server import HookServer
from src.plugins.hooks_web.settings import WebSettings


@pytest.fixture
def samples(monkeypatch):
    """Put tests/web/sample_plugins on sys.path; returns a PluginInfo maker for its modules."""
    monkeypatch.syspath_prepend(str(SAMPLES))
    return lambda module, name=None: plugin_info(name or module, module)


@pytest.fixture
def web_controller(tmp_path):
    """A factory: a started controller over the given plugins; shut down at teardown."""
    made: list[AppController] = []

    def make(
        plugins: dict[str, PluginInfo] | None = None, wait: bool = True, before_start=None, **options
    ) -> AppController:
        config = load_config(options.pop("config_path", tmp_path / "config.toml"))
        catalog = Catalog(plugins=dict(plugins or {}))
        opts = {"web_host": "127.0.0.1", "hook_port": 0, "test_hooks": True, "project": tmp_path, **options}
        controller = AppController(config, discover_fn=lambda: catalog, options=opts)
        made.append(controller)
        if before_start is not None:
            before_start(controller)  # e.g. build controller.chat, as the CLI does
        controller.start()
        if wait:
            assert controller.wait_for_warmup(30), "warm-up did not finish"
        return controller

    yield make
    for controller in made:
        controller.shutdown(timeout=3.0)


@pytest.fixture
def hook_server(tmp_path):
    """A factory: a started HookServer (127.0.0.1, port 0 by default); stopped at teardown."""
    started: list[HookServer] = []

    def start(controller: AppController, **settings) -> HookServer:
        settings.setdefault("port", 0)
        settings.setdefault("port_file", tmp_path / f"hook_port_{len(started)}")
        server = HookServer(controller, WebSettings(**settings))
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def live_gui(request, sloppy_cmd, tmp_path):
    """The real app with ``--enable-test-hooks`` in a subprocess: ``headless`` (default) or ``gui``."""
    mode = getattr(request, "param", "headless")
    args = [a for name in HEAVY for a in ("--disable", name)]
    if mode == "gui":
        if not (ROOT / "src" / "core" / "gui" / "app.py").exists():
            pytest.skip("the GUI (src/core/gui/app.py) has not landed on this branch yet")
        request.getfixturevalue("display")
    else:
        args.append("--headless")
    app = start_app(sloppy_cmd, tmp_path, args)
    app.extra["mode"] = mode
    yield app
    if mode == "gui":  # the window quits through its own command; headless stops on SIGTERM
        quit_via_api(app)
    code = stop_app(app.proc)
    assert code == 0, f"the app exited with {code}:\n{app.output()}"
