"""Commands a plugin declares in its metadata, run through the API while that plugin warms up.

A distribution may declare the commands its plugin will register
(``sloppy.commands``, see :mod:`src.core.catalog`). The palette lists them
"(loading…)" and, when one is picked, waits for the plugin; the Hook API does
the same: ``POST /api/commands/<id>`` for a declared command whose plugin is
still pending or importing awaits it (polling snapshots on the server's loop:
neither the loop nor the writer is blocked), bounded by a timeout, and then
runs it. The answers when it cannot run:

- 503 with ``Retry-After`` when the plugin is still loading at the timeout
  (or the server is stopping);
- 409 with the reason when the plugin failed or is disabled, or is ready but
  did not register the command it declared;
- 404 when no plugin registers or declares the command.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException

from src.core.controller import PluginUnavailable
from src.core.warmup import State
from src.plugins.hooks_web.bridge import wait_until
from src.plugins.hooks_web.context import WebContext

RETRY_AFTER_S = 5  # what a 503 tells the client to wait before asking again
_LOADING = (State.PENDING.value, State.IMPORTING.value)


def declared_owner(controller: Any, command_id: str) -> str | None:
    """The plugin whose metadata declares ``command_id``, if the catalog is known."""
    catalog = controller.catalog()
    return catalog.command_owner(command_id) if catalog is not None else None


def plugin_state(controller: Any, name: str) -> tuple[str, str]:
    """``(state, reason)`` of plugin ``name``: "ready", "pending", "importing", "failed", "disabled"…"""
    try:
        controller.require(name)
    except PluginUnavailable as e:
        return e.state, str(e)
    return State.READY.value, ""


def declared_rows(controller: Any) -> list[dict]:
    """Declared commands not registered yet, with their plugin's state (loading or failed), sorted by id."""
    catalog = controller.catalog()
    if catalog is None:
        return []
    ready = controller.commands()
    rows = {}
    for info in catalog.plugins.values():
        state, _ = plugin_state(controller, info.name)
        if state not in (*_LOADING, State.FAILED.value):
            continue
        for declared in info.commands:
            if declared.id not in ready:
                rows.setdefault(declared.id, {"id": declared.id, "title": declared.title, "plugin": info.name})
                rows[declared.id]["state"] = "loading" if state in _LOADING else state
    return [rows[key] for key in sorted(rows)]


async def wait_for_declared(ctx: WebContext, command_id: str, timeout: float) -> Any:
    """The command ``command_id`` once the plugin that declares it is ready; see the module docstring."""
    controller = ctx.controller
    owner = declared_owner(controller, command_id)
    if owner is None:
        raise HTTPException(404, f"no command {command_id!r}; GET /api/commands lists them")

    def settled() -> bool:
        return command_id in controller.commands() or plugin_state(controller, owner)[0] not in _LOADING

    await wait_until(settled, timeout, ctx.stopping)
    command = controller.commands().get(command_id)
    if command is not None:
        return command
    state, reason = plugin_state(controller, owner)
    if state in _LOADING:
        why = "the server is stopping" if ctx.stopping.is_set() else f"it is still loading after {timeout:g} s"
        raise HTTPException(
            503,
            f"command {command_id!r} waits for plugin {owner!r}, and {why} ({state}); try again later",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    if state == State.READY.value:
        raise HTTPException(409, f"plugin {owner!r} is ready but did not register the command {command_id!r}")
    raise HTTPException(409, f"command {command_id!r} cannot run: {reason}")
