"""Theme selection, core-side: ``controller.appearance``. No imgui import here.

``request(name)`` may be called from any thread (the Hook API, the palette,
the Theme menu). It is remembered in the config's ``[ui] theme`` at once and
applied by the GUI thread as soon as that theme is ready: the built-in
"default" theme lives in the core, so the first frame never waits for a
theme plugin.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_THEME = "default"


class _DefaultName:
    """Headless: the default theme by name only (nothing is drawn, nothing to apply)."""

    name = DEFAULT_THEME
    label = "Default"

    def apply(self) -> None:
        """Nothing to apply without a window."""

    def draw_background(self, draw_list: Any, size: tuple[float, float], t: float) -> None:
        """Nothing to draw without a window."""


class Appearance:
    """Without ``default_theme`` (headless) requests are only remembered; the GUI passes its default theme."""

    def __init__(self, controller: Any, default_theme: Any | None = None) -> None:
        self._controller = controller
        self._headless = default_theme is None
        self._default = default_theme or _DefaultName()
        self._lock = threading.Lock()
        saved = controller.config.get("ui", "theme", DEFAULT_THEME)
        self._requested: str = saved if isinstance(saved, str) and saved else DEFAULT_THEME
        self._current: str | None = None  # nothing applied yet
        self.last_error: str | None = None
        self.history: list[str] = []  # every theme applied, in order

    @property
    def current(self) -> str:
        """The theme on screen now ("default" until another one is applied); headless: the requested one."""
        with self._lock:
            if self._headless:
                return self._requested
            return self._current or DEFAULT_THEME

    @property
    def requested(self) -> str:
        """The theme asked for; equals :attr:`current` once it is applied."""
        with self._lock:
            return self._requested

    def available(self) -> dict[str, str]:
        """Theme name → label: "default" and every ready theme plugin's themes."""
        themes = {DEFAULT_THEME: getattr(self._default, "label", "Default")}
        for name, theme in self._controller.themes().items():
            themes[name] = getattr(theme, "label", name)
        return themes

    def request(self, name: str) -> None:
        """Switch to ``name`` when it is ready; saved to the config now.

        Raises ``ValueError`` for a theme that no plugin offers once the
        warm-up is over (before that it may still arrive).
        """
        name = str(name).strip()
        if not name:
            raise ValueError("theme name is empty")
        if self._controller.is_warmup_done() and name not in self.available():
            known = ", ".join(sorted(self.available()))
            raise ValueError(f"unknown theme {name!r}; available: {known}")
        with self._lock:
            self._requested = name
        self._controller.post(self._save, name)

    def _save(self, name: str) -> None:  # writer
        config = self._controller.config
        config.set("ui", "theme", name)
        try:
            config.save()
        except Exception as e:  # noqa: BLE001 - a read-only or malformed config stays untouched
            self.last_error = f"theme not saved: {e}"
            log.warning("%s", self.last_error)

    def theme_to_apply(self) -> Any | None:
        """For the GUI thread, once per frame: the theme object to apply now, if any."""
        with self._lock:
            requested, current = self._requested, self._current
        if requested == current:
            return None
        if requested == DEFAULT_THEME:
            return self._default
        theme = self._controller.themes().get(requested)
        if theme is None and current is None:
            return self._default  # the first frame: default until the requested one is ready
        return theme

    def applied(self, name: str) -> None:
        """The GUI thread applied ``name``."""
        with self._lock:
            self._current = name
            self.history.append(name)

    def active_theme(self) -> Any:
        """The theme object on screen (for its per-frame background effect)."""
        name = self.current
        if name == DEFAULT_THEME:
            return self._default
        return self._controller.themes().get(name, self._default)
