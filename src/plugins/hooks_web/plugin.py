"""The Hook API plugin: a FastAPI app served by uvicorn on its own thread.

Enabled by ``--enable-test-hooks`` (on 127.0.0.1) or ``--web-host HOST``;
otherwise the CLI disables every plugin of kind ``web`` and this module, and so
FastAPI and uvicorn, are never imported. See ``settings.py`` for the host, port
(default 8765, 0 for any free port, written to the port file) and API-key rules,
and ``/docs`` on a running server for the routes.
"""

from __future__ import annotations

from typing import Any

from src.core import hookimpl
from src.core.warmup import State
from src.plugins.hooks_web import runtime
from src.plugins.hooks_web.plugin_routes import ReadySubscriber
from src.plugins.hooks_web.server import HookServer
from src.plugins.hooks_web.settings import resolve


@hookimpl
def sloppy_plugin_setup(controller: Any) -> None:
    """Start the server (pool thread); returns once it accepts connections, raises with the reason if not."""
    previous = runtime.pop(controller)
    if previous is not None:  # a reload: free the port first
        _stop(controller, previous)
    settings = resolve(controller.options, controller.config)
    server = HookServer(controller, settings, still_wanted=lambda: _still_ready(controller))
    server.start()
    # Mounts each plugin's routes when it is ready; plugins ready before now are
    # replayed to it on registration (sloppy_plugin_ready is historic).
    server.subscriber_name = f"hooks_web.routes.{id(server)}"
    try:
        controller.register_subscriber(ReadySubscriber(server.plugin_routes), server.subscriber_name)
    except BaseException:
        server.stop()
        raise
    runtime.put(controller, server)


@hookimpl
def sloppy_shutdown(controller: Any) -> None:
    """Stop the server (writer thread): frees the port, joins the thread within ~1.5 s."""
    server = runtime.pop(controller)
    if server is not None:
        _stop(controller, server)


def _still_ready(controller: Any) -> bool:
    """Is this plugin importing/setting up or ready? False once it is disabled or failed at run time."""
    return any(
        p.module.split(":", 1)[0] == __name__ and p.state in (State.IMPORTING, State.READY)
        for p in controller.warmup_status().plugins
    )


def _stop(controller: Any, server: HookServer) -> None:
    name = server.subscriber_name
    if name and controller.pm.get_plugin(name) is not None:
        if controller.on_writer():
            controller.pm.unregister(name=name)
        else:
            controller.post(controller.pm.unregister, None, name)
    server.stop()
