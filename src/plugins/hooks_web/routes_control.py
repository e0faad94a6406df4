"""Palette commands and the window's screenshot."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response

from src.plugins.hooks_web.bridge import on_pool, on_writer
from src.plugins.hooks_web.context import WebContext
from src.plugins.hooks_web.declared import declared_rows, wait_for_declared

COMMAND_TIMEOUT_S = 10.0
PLUGIN_WAIT_S = 30.0  # how long a declared command waits for its plugin by default
MAX_PLUGIN_WAIT_S = 600.0
SCREENSHOT_TIMEOUT_S = 5.0
_JSON_SIMPLE = (str, int, float, bool, type(None))


def router(ctx: WebContext) -> APIRouter:
    api = APIRouter(tags=["control"])
    controller = ctx.controller

    @api.get(
        "/api/commands",
        summary="The commands the palette offers (ready plugins and the core), and those declared by loading plugins",
    )
    async def get_commands() -> dict:
        commands = controller.commands()
        return {
            "commands": [_command_row(cmd) for _, cmd in sorted(commands.items())],
            "declared": declared_rows(controller),
        }

    @api.post(
        "/api/commands/{command_id}",
        summary="Run a palette command, as if picked in the palette (waits for a loading plugin that declares it)",
        responses={
            404: {"description": "no plugin registers or declares this command"},
            409: {"description": "the command failed, or its plugin failed or is disabled"},
            503: {"description": "its plugin is still loading after `wait` seconds (see Retry-After)"},
        },
    )
    async def post_command(
        command_id: Annotated[str, Path(min_length=1, max_length=200)],
        wait: Annotated[
            float,
            Query(ge=0, le=MAX_PLUGIN_WAIT_S, description="seconds to wait at most for a loading plugin"),
        ] = PLUGIN_WAIT_S,
    ) -> dict:
        command = controller.commands().get(command_id)
        if command is None:
            command = await wait_for_declared(ctx, command_id, wait)
        try:
            result = await on_writer(controller, command.run, controller, timeout=COMMAND_TIMEOUT_S)
        except HTTPException:
            raise
        except Exception as e:  # noqa: BLE001 - the command's failure is the answer, not a server error
            raise HTTPException(409, f"command {command_id!r} failed: {type(e).__name__}: {e}") from None
        return {"id": command_id, "ok": True, "result": result if isinstance(result, _JSON_SIMPLE) else None}

    @api.get(
        "/api/screenshot",
        summary="A PNG of the window's current frame (GUI mode only)",
        responses={200: {"content": {"image/png": {}}}, 409: {"description": "no window: running headless"}},
        response_class=Response,
    )
    async def get_screenshot() -> Response:
        gui = controller.gui
        if gui is None:
            raise HTTPException(
                409, f"no window to capture: Sloppy runs {controller.mode} (start it without --headless)"
            )
        try:
            png = await on_pool(controller, gui.screenshot_png, SCREENSHOT_TIMEOUT_S, timeout=SCREENSHOT_TIMEOUT_S + 1)
        except HTTPException:
            raise
        except Exception as e:  # noqa: BLE001 - say why, do not crash the request
            raise HTTPException(503, f"could not capture the window: {type(e).__name__}: {e}") from None
        return Response(content=bytes(png), media_type="image/png")

    return api


def _command_row(command: Any) -> dict:
    if hasattr(command, "as_dict"):
        return command.as_dict()
    return {"id": str(command.id), "title": str(getattr(command, "title", command.id)), "plugin": "?"}
