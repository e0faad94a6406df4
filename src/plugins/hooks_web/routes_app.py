"""Read-only routes about the app itself: status, warm-up, profile, pool, plugins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from src.plugins.hooks_web import views
from src.plugins.hooks_web.bridge import on_writer, wait_for_warmup
from src.plugins.hooks_web.context import WebContext

MAX_WAIT_S = 600.0


def router(ctx: WebContext) -> APIRouter:
    api = APIRouter(tags=["app"])
    controller = ctx.controller

    @api.get("/api/status", summary="App version, mode, uptime and a warm-up summary")
    async def get_status() -> dict:
        return views.status(controller, ctx.web_summary())

    @api.get("/api/warmup_status", summary="Every plugin's warm-up state, timings and failure reason")
    async def get_warmup_status() -> dict:
        return controller.warmup_status().as_dict()

    @api.get("/api/warmup_wait", summary="Wait (without blocking the server) until the warm-up is done")
    async def get_warmup_wait(
        timeout: Annotated[float, Query(ge=0, le=MAX_WAIT_S, description="seconds to wait at most")] = 30.0,
    ) -> dict:
        done = await wait_for_warmup(controller, timeout, ctx.stopping)
        return {"timed_out": not done, **controller.warmup_status().as_dict()}

    @api.get("/api/startup_profile", summary="Start-up phases and marks, in ms from process start")
    async def get_startup_profile() -> dict:
        return controller.profiler.as_dict()

    @api.get("/api/io_pool_status", summary="The shared pool: size, threads, busy, queued and completed jobs")
    async def get_io_pool_status() -> dict:
        return controller.pool_status()

    @api.get("/api/plugins", summary="The plugin catalog with each plugin's state and the hooks it implements")
    async def get_plugins() -> dict:
        hooks = await on_writer(controller, _hooks_by_plugin, controller)
        warmup = controller.warmup_status()
        return {
            "plugins": [views.plugin_row(p, hooks.get(p.name)) for p in sorted(warmup.plugins, key=lambda p: p.name)],
            "conflicts": warmup.conflicts,
        }

    return api


def _hooks_by_plugin(controller: Any) -> dict[str, list[str]]:  # writer: the plugin manager changes there
    pm = controller.pm
    result: dict[str, list[str]] = {}
    for name, plugin in pm.list_name_plugin():
        callers = pm.get_hookcallers(plugin) or []
        result[str(name)] = sorted(caller.name for caller in callers)
    return result
