"""The GUI's own commands (palette, Hook API): chat, providers, models, themes, views, quit.

``Command.run(controller)`` runs on the writer thread. Whatever touches imgui
(the clipboard, panels, quitting) is handed to the GUI thread with
``gui.post_gui``.
"""

from __future__ import annotations

from typing import Any

from src.core.commands import Command


def static_commands(gui: Any) -> list[Command]:
    """Commands that exist from the first frame."""

    def chat_call(method: str) -> Any:
        def run(controller: Any) -> None:
            if controller.chat is None:
                raise RuntimeError("the chat session is not available")
            getattr(controller.chat, method)()

        return run

    return [
        Command("chat.clear", "Chat: clear the discussion…", lambda c: gui.post_gui(gui.request_clear)),
        Command("chat.cancel", "Chat: cancel the answer", chat_call("cancel")),
        Command("chat.copy_last", "Chat: copy the last answer", lambda c: gui.post_gui(gui.copy_last_answer)),
        Command("view.plugins", "View: Plugins", lambda c: gui.post_gui(gui.open_panel, "Plugins")),
        Command("view.diagnostics", "View: Diagnostics", lambda c: gui.post_gui(gui.open_panel, "Diagnostics")),
        Command("plugins.retry_failed", "Plugins: retry the failed ones", _retry_failed),
        Command("app.quit", "Quit", lambda c: gui.post_gui(gui.quit)),
        Command("context.add", "Context: add files…", lambda c: gui.post_gui(gui.panels["Context"].open_dialog)),
        Command("theme.default", "Theme: Default", lambda c: c.appearance.request("default")),
    ]


def provider_commands(providers: dict[str, Any]) -> list[Command]:
    """``provider.<name>`` and ``model.<name>`` for the providers ready now."""
    commands: list[Command] = []
    seen_models: set[str] = set()
    for name, provider in providers.items():
        commands.append(Command(f"provider.{name}", f"Provider: {_label(provider, name)}", _set_provider(name)))
        for model in _models(provider):
            if model not in seen_models:
                seen_models.add(model)
                commands.append(Command(f"model.{model}", f"Model: {model}", _set_model(model, name)))
    return commands


def theme_commands(themes: dict[str, str]) -> list[Command]:
    return [Command(f"theme.{name}", f"Theme: {label}", _set_theme(name)) for name, label in themes.items()]


def _retry_failed(controller: Any) -> None:
    for plugin in controller.warmup_status().plugins:
        if plugin.state.value == "failed":
            controller.retry(plugin.name)


def _set_provider(name: str) -> Any:
    def run(controller: Any) -> None:
        if controller.chat is None:
            raise RuntimeError("the chat session is not available")
        controller.chat.set_provider(name)

    return run


def _set_model(model: str, offered_by: str) -> Any:
    def run(controller: Any) -> None:
        chat = controller.chat
        if chat is None:
            raise RuntimeError("the chat session is not available")
        current = controller.providers().get(chat.snapshot().provider)
        if current is not None and model in (getattr(current, "models", []) or []):
            chat.set_model(model)
        else:
            chat.set_provider(offered_by, model)

    return run


def _set_theme(name: str) -> Any:
    return lambda controller: controller.appearance.request(name)


def _label(obj: Any, fallback: str) -> str:
    """A contribution's label; its name when the plugin's object cannot say."""
    try:
        return str(obj.label)
    except Exception:  # noqa: BLE001 - a third-party object; the name will do
        return fallback


def _models(provider: Any) -> list[str]:
    try:
        return [str(m) for m in provider.models or []]
    except Exception:  # noqa: BLE001
        return []
