"""Plugin discovery from entry-point metadata. Imports nothing of a plugin.

A distribution declares each plugin in the ``sloppy.plugins`` group
(``name = "package.module"``) and may say what kind it is in ``sloppy.kinds``
(``name = "provider"``), so the UI can list a plugin before it is imported.
It may also declare the commands a plugin will register, in ``sloppy.commands``
(``"<plugin>:<command id>" = "<title>"``), so the palette can list them,
greyed "loading…", before the plugin is imported (VS Code's contribution points).

Two distributions offering the same name: Sloppy's own distribution wins;
between third parties the one found first on ``sys.path`` (the one Python would
import) wins. The loser is kept in ``Catalog.conflicts`` and reported.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import importlib.metadata as md

PLUGIN_GROUP = "sloppy.plugins"
KIND_GROUP = "sloppy.kinds"
COMMAND_GROUP = "sloppy.commands"
BUILTIN_DIST = "sloppy"


@dataclass(frozen=True)
class DeclaredCommand:
    """A command a plugin promises to register once it is ready."""

    id: str  # "theme.nerv"
    title: str  # "Theme: NERV"


@dataclass(frozen=True)
class PluginInfo:
    name: str
    module: str  # the entry point's value: "pkg.mod" or "pkg.mod:attr"
    kind: str
    distribution: str
    version: str
    commands: tuple[DeclaredCommand, ...] = ()  # declared in ``sloppy.commands``

    @property
    def builtin(self) -> bool:
        return self.distribution == BUILTIN_DIST


@dataclass(frozen=True)
class Conflict:
    name: str
    loser: PluginInfo
    winner: PluginInfo

    def reason(self) -> str:
        return (
            f"plugin name {self.name!r} is offered by {self.winner.distribution} and "
            f"{self.loser.distribution}; {self.winner.distribution} wins"
        )


@dataclass
class Catalog:
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)

    def command_owner(self, command_id: str) -> str | None:
        """The plugin whose metadata declares ``command_id`` (``sloppy.commands``), if any."""
        for info in self.plugins.values():
            if any(declared.id == command_id for declared in info.commands):
                return info.name
        return None


def discover() -> Catalog:
    """Read every ``sloppy.plugins`` entry point on ``sys.path``."""
    catalog = Catalog()
    # importlib.metadata costs ~30 ms to import: loaded here, on the pool, not
    # on the main thread before the first frame.
    metadata = importlib.import_module("importlib.metadata")
    for ep in metadata.entry_points(group=PLUGIN_GROUP):
        info = _info(ep)
        current = catalog.plugins.get(info.name)
        if current is None:
            catalog.plugins[info.name] = info
        elif info.builtin and not current.builtin:
            catalog.plugins[info.name] = info
            catalog.conflicts.append(Conflict(info.name, loser=current, winner=info))
        else:
            catalog.conflicts.append(Conflict(info.name, loser=info, winner=current))
    return catalog


def _info(ep: md.EntryPoint) -> PluginInfo:
    dist = ep.dist
    kind = "plugin"
    name, version = "?", "?"
    commands: tuple[DeclaredCommand, ...] = ()
    if dist is not None:
        name, version = dist.name, dist.version
        kinds = dist.entry_points.select(group=KIND_GROUP, name=ep.name)
        kind = next((k.value.strip() for k in kinds), kind)
        commands = _declared_commands(dist, ep.name)
    return PluginInfo(
        name=ep.name, module=ep.value.strip(), kind=kind, distribution=name, version=version, commands=commands
    )


def _declared_commands(dist: md.Distribution, plugin: str) -> tuple[DeclaredCommand, ...]:
    """The ``sloppy.commands`` entries ``"<plugin>:<id>" = "<title>"`` of one plugin, in file order."""
    prefix = f"{plugin}:"
    found = []
    for ep in dist.entry_points.select(group=COMMAND_GROUP):
        command_id = ep.name[len(prefix) :].strip() if ep.name.startswith(prefix) else ""
        if command_id:
            found.append(DeclaredCommand(id=command_id, title=ep.value.strip() or command_id))
    return tuple(found)
