"""The FastAPI application of the Hook API: routes, key check, docs, secret filter.

``/docs`` is a plain HTML page built from the schema (``docs_page``): Swagger UI
and ReDoc load their code from a CDN and show nothing offline, so FastAPI's
own ``/docs`` and ``/redoc`` are off.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse

from src.core import __version__
from src.plugins.hooks_web import docs_page, redact, routes_app, routes_chat, routes_control
from src.plugins.hooks_web.context import WebContext
from src.plugins.hooks_web.plugin_routes import PluginRoutes
from src.plugins.hooks_web.security import RequireKey, key_checker

DESCRIPTION = """Drive and inspect a running Sloppy: warm-up, plugins, chat, commands, screenshots.

Every route (these docs and the schema too) requires the `X-API-Key` header when the
server has a key, which it always has on a non-loopback host. No route returns a secret.
"""


def build_app(ctx: WebContext) -> tuple[FastAPI, PluginRoutes]:
    """The app for one server, and the helper that mounts other plugins' routes on it."""
    check_key = Depends(key_checker(ctx.settings))
    app = FastAPI(
        title="Sloppy Hook API",
        version=__version__,
        description=DESCRIPTION,
        dependencies=[check_key],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    for module in (routes_app, routes_chat, routes_control):
        app.include_router(module.router(ctx))

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> dict:
        return app.openapi()

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(docs_page.render(app.openapi(), ctx.settings.key_required))

    def secrets() -> list[str]:
        provider_envs = [
            str(settings.get("api_key_env"))
            for settings in ctx.controller.config.data.get("providers", {}).values()
            if isinstance(settings, dict) and settings.get("api_key_env")
        ]
        return redact.secret_values(extra=[ctx.settings.api_key], env_names=[ctx.settings.key_env, *provider_envs])

    app.add_middleware(RequireKey, settings=ctx.settings)
    app.add_middleware(redact.RedactSecrets, secrets=secrets)  # added last: outermost, sees every response
    return app, PluginRoutes(app, ctx)
