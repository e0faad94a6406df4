"""Keep the frame going when a part of it raises: log once, let imgui close what was left open."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from imgui_bundle import imgui

log = logging.getLogger(__name__)
ERROR = imgui.ImVec4(0.95, 0.4, 0.4, 1.0)


class FrameGuard:
    """Wraps frame callbacks; ``errors`` holds each part's last error (for tests and Diagnostics)."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def wrap(
        self, part: str, fn: Callable[[], None], *, draws: bool = True, shows_error: bool = False
    ) -> Callable[[], None]:
        """``fn`` guarded; a panel (``shows_error``) shows its error in its place."""

        def guarded() -> None:
            try:
                with imgui_state_kept() if draws else _nothing():
                    fn()
            except Exception as e:
                message = f"{type(e).__name__}: {e}"
                if self.errors.get(part) != message:
                    self.errors[part] = message
                    log.exception("the GUI's %s failed", part)
                if shows_error:
                    imgui.text_colored(ERROR, f"This panel failed: {message}")

        return guarded


@contextmanager
def imgui_state_kept() -> Any:
    """On an exception, close the windows, ID and style stacks opened inside, then re-raise."""
    saved = imgui.internal.ErrorRecoveryState()
    imgui.internal.error_recovery_store_state(saved)
    try:
        yield
    except Exception:
        io = imgui.get_io()
        enable_assert = io.config_error_recovery_enable_assert
        io.config_error_recovery_enable_assert = False
        try:
            imgui.internal.error_recovery_try_to_recover_state(saved)
        finally:
            io.config_error_recovery_enable_assert = enable_assert
        raise


@contextmanager
def _nothing() -> Any:
    yield
