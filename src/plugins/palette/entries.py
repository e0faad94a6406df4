"""What the palette lists: ready commands, and commands declared by plugins still loading.

Like VS Code's contribution points: a plugin's distribution may declare its
commands (``sloppy.commands``), so they are listed, marked "loading…", before
the plugin is imported. No imgui here; any thread may call this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from src.core.warmup import State

LOADING = "loading"
READY = "ready"
FAILED = "failed"

_SUFFIX = {LOADING: "  (loading…)", FAILED: "  (plugin failed)"}


@dataclass(frozen=True)
class PaletteEntry:
    id: str
    title: str
    plugin: str  # who contributes it ("core" for the app's own)
    state: str  # READY, LOADING (its plugin is warming up) or FAILED (its plugin failed)

    @property
    def label(self) -> str:
        """The text the palette shows and searches."""
        return self.title + _SUFFIX.get(self.state, "")

    @property
    def runnable(self) -> bool:
        return self.state == READY


def palette_entries(controller: Any) -> list[PaletteEntry]:
    """Every command a user can pick now, sorted by title.

    Ready commands come from ``controller.commands()``; a command a plugin
    declared but has not registered yet is listed when that plugin is still
    warming up (``LOADING``) or has failed (``FAILED``, so that picking it
    says why). Commands of disabled plugins are not listed.
    """
    entries: dict[str, PaletteEntry] = {}
    for command_id, command in controller.commands().items():
        owner = controller.contributor("commands", command_id) or getattr(command, "plugin", "core")
        entries[command_id] = PaletteEntry(command_id, str(command.title), owner, READY)
    catalog = controller.catalog()
    if catalog is not None:
        states = {status.name: status.state for status in controller.warmup_status().plugins}
        for info in catalog.plugins.values():
            state = _declared_state(states.get(info.name))
            if state is None:
                continue
            for declared in info.commands:
                entries.setdefault(declared.id, PaletteEntry(declared.id, declared.title, info.name, state))
    return sorted(entries.values(), key=lambda e: (e.title.casefold(), e.id))


def declared_owner(controller: Any, command_id: str) -> str | None:
    """The plugin whose metadata declares ``command_id``, if any."""
    catalog = controller.catalog()
    return catalog.command_owner(command_id) if catalog is not None else None


def _declared_state(state: State | None) -> str | None:
    if state in (State.PENDING, State.IMPORTING):
        return LOADING
    if state is State.FAILED:
        return FAILED
    return None  # ready (its registered commands are listed instead), disabled, or unknown


MAX_PATTERN_BYTES = 32  # imgui_command_palette records at most 32 matched characters


def fuzzy_matches(pattern: str, label: str) -> bool:
    """Whether imgui_command_palette's fuzzy search lists ``label`` for ``pattern``.

    Its rule: every byte of the pattern appears in the label in order, ASCII
    case ignored, at most :data:`MAX_PATTERN_BYTES` of them.
    """
    needle, haystack = pattern.encode().lower(), label.encode().lower()
    if not needle or len(needle) > MAX_PATTERN_BYTES:
        return False
    position = 0
    for byte in needle:
        position = haystack.find(bytes([byte]), position) + 1
        if position == 0:
            return False
    return True
