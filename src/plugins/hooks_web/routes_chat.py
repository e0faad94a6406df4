"""Routes that drive the chat flow: state (provider, model, theme), discussion, send, cancel.

They go through the same objects the GUI uses (``controller.chat``,
``controller.appearance``), on the writer thread. Where one of them is not
there (not built in this mode, or not yet), the route answers 503 saying so.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from src.core.warmup import State
from src.plugins.hooks_web import views
from src.plugins.hooks_web.bridge import on_writer, wait_until
from src.plugins.hooks_web.context import WebContext

MAX_WAIT_S = 600.0
NAME = Field(default=None, min_length=1, max_length=200)


class StateChange(BaseModel):
    """What to change; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")
    provider: str | None = NAME
    model: str | None = NAME
    persona: str | None = NAME
    theme: str | None = NAME


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(min_length=1, max_length=1_000_000)
    wait: bool = Field(default=False, description="answer only when the reply is complete (or timeout passes)")
    timeout: float = Field(default=120.0, ge=0, le=MAX_WAIT_S, description="seconds to wait when wait is true")


def router(ctx: WebContext) -> APIRouter:
    api = APIRouter(tags=["chat"])
    controller = ctx.controller

    @api.get("/api/state", summary="Current provider, model and theme, and the choices available")
    async def get_state() -> dict:
        return views.app_state(controller)

    @api.post("/api/state", summary="Switch provider, model, persona or theme, as the GUI does")
    async def post_state(change: StateChange) -> dict:
        if all(value is None for value in (change.provider, change.model, change.persona, change.theme)):
            raise HTTPException(422, "nothing to change: give provider, model, persona or theme")
        if change.provider is not None or change.model is not None or change.persona is not None:
            chat = _chat(controller)
            if change.provider is not None:
                _check_name(controller, "provider", change.provider, controller.providers())
                await _apply(controller, chat.set_provider, change.provider, change.model)
            elif change.model is not None:
                await _apply(controller, chat.set_model, change.model)
            if change.persona is not None:
                await _apply(controller, chat.set_persona, change.persona)
        if change.theme is not None:
            appearance = _appearance(controller)
            _check_name(controller, "theme", change.theme, appearance.available())
            await _apply(controller, appearance.request, change.theme)
        return views.app_state(controller)

    @api.get("/api/discussion", summary="The discussion; with since=VERSION, wait until it changes")
    async def get_discussion(
        since: Annotated[int | None, Query(description="return once the version differs from this")] = None,
        timeout: Annotated[float, Query(ge=0, le=MAX_WAIT_S, description="seconds to wait with since")] = 30.0,
    ) -> dict:
        chat = _chat(controller)
        changed = True
        if since is not None:
            changed = await wait_until(lambda: chat.snapshot().version != since, timeout, ctx.stopping)
        return {"timed_out": not changed, **views.discussion(chat.snapshot())}

    @api.post("/api/send", summary="Send a message to the current provider; optionally wait for the reply")
    async def post_send(request: SendRequest) -> dict:
        chat = _chat(controller)
        if not request.message.strip():
            raise HTTPException(422, "the message is empty")
        if chat.snapshot().busy:
            raise HTTPException(409, "a reply is still streaming: wait for it or POST /api/cancel first")
        previous = chat.snapshot()
        await _apply(controller, chat.send, request.message)  # runs the send on the writer, now
        after = chat.snapshot()
        if len(after.messages) == len(previous.messages):  # refused (provider still loading…): nothing was added
            raise HTTPException(409, after.notice or "the message was not sent")
        before = previous.version
        finished = True
        if request.wait:

            def reply_done() -> bool:
                snap = chat.snapshot()
                return not snap.busy and snap.version > before

            finished = await wait_until(reply_done, request.timeout, ctx.stopping)
        snapshot = views.discussion(chat.snapshot())
        last = snapshot["messages"][-1] if snapshot["messages"] else None
        reply = last if request.wait and last is not None and last["role"] == "assistant" else None
        return {
            "accepted": True,
            "timed_out": not finished,
            "busy": snapshot["busy"],
            "version": snapshot["version"],
            "reply": reply,
        }

    @api.post("/api/cancel", summary="Stop the reply being streamed, if any")
    async def post_cancel() -> dict:
        chat = _chat(controller)
        was_busy = bool(chat.snapshot().busy)
        await _apply(controller, chat.cancel)
        snapshot = chat.snapshot()
        return {"cancelled": was_busy, "busy": bool(snapshot.busy), "version": int(snapshot.version)}

    return api


def _chat(controller: Any) -> Any:
    if controller.chat is None:
        raise HTTPException(503, "the chat session is not available in this build of Sloppy yet (controller.chat)")
    return controller.chat


def _appearance(controller: Any) -> Any:
    if controller.appearance is None:
        raise HTTPException(503, "theme selection is not available in this build of Sloppy yet (controller.appearance)")
    return controller.appearance


def _check_name(controller: Any, what: str, name: str, available: dict) -> None:
    """409 when the plugin behind ``name`` is still warming or failed; 422 when nothing offers it."""
    if name in available:
        return
    plugin = next((p for p in controller.warmup_status().plugins if p.name == name), None)
    if plugin is not None and plugin.state is not State.READY:
        reason = f": {plugin.error}" if plugin.error else ""
        raise HTTPException(409, f"{what} {name!r} is not ready: its plugin is {plugin.state.value}{reason}")
    choices = ", ".join(sorted(available)) or "none yet"
    raise HTTPException(422, f"unknown {what} {name!r}; available: {choices}")


async def _apply(controller: Any, fn: Any, *args: Any) -> Any:
    """Run a change on the writer; a ``ValueError`` (a user-facing message) becomes 422."""
    try:
        return await on_writer(controller, fn, *args)
    except ValueError as e:
        raise HTTPException(422, str(e) or f"{type(e).__name__}") from None
