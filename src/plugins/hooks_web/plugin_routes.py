"""Other plugins' routes: ``sloppy_web_routes`` mounted under ``/api/plugins/<name>/``.

A plugin's routes are mounted when it becomes ready (a subscriber hears
``sloppy_plugin_ready`` on the writer, then the mount runs on the server's
loop, the only thread that touches the route table). They carry the same
API-key check as every route and answer 503 while their plugin is not ready
(failed or disabled after it was mounted). Mounting again (a reload) replaces
the old routes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException

from src.core import hookimpl
from src.core.controller import PluginUnavailable
from src.plugins.hooks_web.context import WebContext

log = logging.getLogger(__name__)
PREFIX = "/api/plugins"


class PluginRoutes:
    def __init__(self, app: FastAPI, ctx: WebContext) -> None:
        self.app = app
        self.ctx = ctx
        self.loop: asyncio.AbstractEventLoop | None = None  # the server's, once it runs
        self._routes: dict[str, list[Any]] = {}

    def mounted(self) -> list[str]:
        return sorted(self._routes)

    def impls_of(self, name: str) -> list[Any]:
        """``name``'s ``sloppy_web_routes`` implementations (call on the writer)."""
        caller = self.ctx.controller.pm.hook.sloppy_web_routes
        return [impl for impl in caller.get_hookimpls() if impl.plugin_name == name]

    def schedule(self, name: str, impls: list[Any]) -> None:
        """Mount ``name``'s routes on the server's loop (any thread)."""
        if not impls or self.loop is None:
            return
        try:
            self.loop.call_soon_threadsafe(self.mount, name, impls)
        except RuntimeError:  # the server has stopped
            pass

    def mount(self, name: str, impls: list[Any]) -> None:  # server loop
        self.unmount(name)
        router = APIRouter(
            prefix=f"{PREFIX}/{name}", tags=[f"plugin {name}"], dependencies=[Depends(self._ready(name))]
        )
        arguments = {"router": router, "controller": self.ctx.controller}
        try:
            for impl in impls:
                impl.function(*(arguments[arg] for arg in impl.argnames))
        except Exception:  # the controller's guard normally catches this and fails the plugin
            log.exception("Hook API: plugin %s raised in sloppy_web_routes; its routes are not mounted", name)
            return
        before = list(self.app.router.routes)
        self.app.include_router(router)
        self._routes[name] = [route for route in self.app.router.routes if route not in before]
        self.app.openapi_schema = None  # rebuilt with the new routes on the next /openapi.json
        log.info("Hook API: mounted %d route(s) of plugin %s under %s/%s/", len(self._routes[name]), name, PREFIX, name)

    def unmount(self, name: str) -> None:  # server loop
        old = self._routes.pop(name, [])
        if old:
            self.app.router.routes[:] = [route for route in self.app.router.routes if route not in old]
            self.app.openapi_schema = None

    def _ready(self, name: str) -> Any:
        controller = self.ctx.controller

        async def plugin_is_ready() -> None:
            try:
                controller.require(name)
            except PluginUnavailable as e:
                raise HTTPException(503, str(e)) from None

        return plugin_is_ready


class ReadySubscriber:
    """Registered with the controller's plugin manager: mounts each plugin's routes once it is ready."""

    def __init__(self, routes: PluginRoutes) -> None:
        self.routes = routes

    @hookimpl
    def sloppy_plugin_ready(self, info: Any) -> None:  # writer
        self.routes.schedule(info.name, self.routes.impls_of(info.name))
