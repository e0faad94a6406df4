"""Providers: provider and model pickers, persona, key status (never the key)."""

from __future__ import annotations

import time
from typing import Any

from imgui_bundle import imgui

from src.core.gui.wrap import wrapped
from src.core.warmup import State

MUTED = imgui.ImVec4(0.6, 0.6, 0.65, 1.0)
OK = imgui.ImVec4(0.55, 0.9, 0.6, 1.0)
WARN = imgui.ImVec4(0.95, 0.75, 0.35, 1.0)
ERROR = imgui.ImVec4(0.95, 0.4, 0.4, 1.0)
KEY_STATUS_TTL_S = 1.0
NOT_READY_LABEL = {
    State.PENDING: "loading…",
    State.IMPORTING: "loading…",
    State.FAILED: "failed",
    State.DISABLED: "disabled",
}


class ProvidersPanel:
    def __init__(self, gui: Any) -> None:
        self.gui = gui
        self._keys: dict[str, tuple[float, Any]] = {}

    def _key_status(self, name: str, provider: Any) -> Any:
        now = time.monotonic()
        cached = self._keys.get(name)
        if cached is None or now - cached[0] > KEY_STATUS_TTL_S:
            try:
                status = provider.key_status()
            except Exception as e:  # noqa: BLE001 - a broken provider must not break the frame
                status = f"key status unavailable: {e}"
            cached = self._keys[name] = (now, status)
        return cached[1]

    def draw(self) -> None:
        controller = self.gui.controller
        providers = controller.providers()
        chat = controller.chat
        snap = chat.snapshot() if chat is not None else None
        current = snap.provider if snap is not None else None
        waiting = sorted(
            (p for p in self.gui.status.plugins if p.kind == "provider" and p.state is not State.READY),
            key=lambda p: p.name,
        )
        ordered = by_label(providers)

        preview = providers[current].label if current in providers else (current or "choose a provider")
        if imgui.begin_combo("Provider##provider", preview):
            for name, provider in ordered:
                clicked, _ = imgui.selectable(f"{provider.label}##{name}", name == current)
                if clicked and chat is not None:
                    chat.set_provider(name)
            for plugin in waiting:
                imgui.begin_disabled()
                imgui.selectable(f"{plugin.name} ({NOT_READY_LABEL[plugin.state]})##wait_{plugin.name}", False)
                imgui.end_disabled()
            imgui.end_combo()

        provider = providers.get(current) if current else None
        models = list(getattr(provider, "models", []) or [])
        model = snap.model if snap is not None else None
        imgui.begin_disabled(provider is None)
        if imgui.begin_combo("Model##model", model or "–"):
            for name in models:
                clicked, _ = imgui.selectable(f"{name}##model_{name}", name == model)
                if clicked and chat is not None:
                    chat.set_model(name)
            imgui.end_combo()
        imgui.end_disabled()

        if chat is not None:
            personas = chat.personas()
            if personas and imgui.begin_combo("Persona##persona", snap.persona or "none"):
                for name in personas:
                    clicked, _ = imgui.selectable(f"{name}##persona_{name}", name == snap.persona)
                    if clicked:
                        chat.set_persona(name)
                imgui.end_combo()
        else:
            wrapped("The chat session is not available.", MUTED)

        imgui.separator()
        for name, provider in ordered:
            status = self._key_status(name, provider)
            imgui.text(provider.label)
            imgui.same_line()
            if isinstance(status, str):
                wrapped(status, ERROR)
            else:
                wrapped(status.label(), OK if status.present else WARN)
        for plugin in waiting:
            imgui.text(plugin.name)
            imgui.same_line()
            colour = ERROR if plugin.state is State.FAILED else MUTED
            imgui.text_colored(colour, NOT_READY_LABEL[plugin.state])


def by_label(providers: dict[str, Any]) -> list[tuple[str, Any]]:
    """``(name, provider)`` sorted by label, then name: the same order every run, whatever warmed first."""

    def key(item: tuple[str, Any]) -> tuple[str, str]:
        name, provider = item
        try:
            label = str(provider.label)
        except Exception:  # noqa: BLE001 - a broken label sorts by name; drawing it reports the error
            label = name
        return label.casefold(), name

    return sorted(providers.items(), key=key)
