"""A third-party-style plugin for the Hook API tests: routes and commands."""

import os
import threading

from src.core import hookimpl
from src.core.commands import Command


@hookimpl
def sloppy_web_routes(router, controller):
    @router.get("/hello")
    async def hello() -> dict:
        return {"hello": "world", "mode": controller.mode}

    @router.get("/leak")
    async def leak() -> dict:
        """A careless route: echoes provider keys. The Hook API must redact them."""
        return {"openai": os.environ.get("OPENAI_API_KEY"), "hook": os.environ.get("SLOPPY_API_KEY")}


def _where(controller) -> str:
    return threading.current_thread().name


def _fail(controller) -> None:
    raise RuntimeError("the sample command broke on purpose")


@hookimpl
def sloppy_register_commands(register):
    register(Command("sample.where", "Sample: which thread runs me", run=_where, plugin="web_sample"))
    register(Command("sample.fail", "Sample: fail", run=_fail, plugin="web_sample"))
