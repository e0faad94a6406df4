"""Run the real controller and chat session in-process, with a config written for the test."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

from src.core.chat import ChatSession
from src.core.config import load_config
from src.core.controller import AppController

NOT_PROVIDERS = ("nerv", "palette", "hooks_web")
BUILTIN_PROVIDERS = ("gemini", "anthropic", "openai", "deepseek", "minimax")


@contextlib.contextmanager
def running_app(
    tmp_path: Path,
    config_text: str = "",
    *,
    project: Path | None = None,
    only: tuple[str, ...] | None = None,
    warmup_timeout: float = 90.0,
) -> Iterator[AppController]:
    """A started controller with ``controller.chat``, warm-up done and the discussion loaded.

    ``only`` names the provider plugins to load (default: all built-in ones);
    themes, palette and the Hook API stay off so these tests depend on providers only.
    """
    config_path = tmp_path / "config.toml"
    config_path.write_text(config_text, encoding="utf-8")
    config = load_config(config_path)
    assert not config.problems, config.problems
    project = project or tmp_path / "project"
    project.mkdir(parents=True, exist_ok=True)
    disabled = set(NOT_PROVIDERS)
    if only is not None:
        disabled |= set(BUILTIN_PROVIDERS) - set(only)
    controller = AppController(
        config, disabled=disabled, options={"project": project, "headless": True}, mode="headless"
    )
    controller.chat = ChatSession(controller, project)
    controller.start()
    try:
        assert controller.wait_for_warmup(warmup_timeout), "warm-up did not finish"
        assert controller.chat.wait_idle(10), "the discussion did not load"
        yield controller
    finally:
        controller.shutdown(timeout=3.0)
        if not controller.loop.is_running():
            controller.loop.close()  # its selector and self-pipe: a long test run must not run out of descriptors


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.01) -> bool:
    """Poll ``predicate`` until true or ``timeout``; its last truth value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
