"""Build real (tiny) plugin distributions on disk: modules plus a .dist-info.

A folder holding ``<module>.py`` files and ``<dist>-<version>.dist-info`` with
``METADATA`` and ``entry_points.txt`` is a real installed distribution once the
folder is on ``sys.path`` (or ``PYTHONPATH`` of a subprocess):
``importlib.metadata`` finds its entry points exactly as it finds pip's.
"""

from __future__ import annotations

import textwrap
import uuid
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class PluginSpec:
    name: str
    source: str  # the plugin module's code
    kind: str = "plugin"
    attr: str = ""  # entry point "module:attr" when set
    module: str = field(default_factory=lambda: f"sloppy_test_{uuid.uuid4().hex[:10]}")
    entry_value: str | None = None  # overrides the computed "module[:attr]"

    @property
    def value(self) -> str:
        if self.entry_value is not None:
            return self.entry_value
        return f"{self.module}:{self.attr}" if self.attr else self.module


def make_dist(folder: Path, dist: str, plugins: list[PluginSpec], version: str = "1.0") -> Path:
    """Write the plugins' modules and one distribution declaring them; return ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for spec in plugins:
        if spec.entry_value is None:
            (folder / f"{spec.module}.py").write_text(textwrap.dedent(spec.source), encoding="utf-8")
    info = folder / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
    lines = ["[sloppy.plugins]", *(f"{p.name} = {p.value}" for p in plugins), "", "[sloppy.kinds]"]
    lines += [f"{p.name} = {p.kind}" for p in plugins]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


GOOD = """
from src.core import hookimpl
from src.core.commands import Command

@hookimpl
def sloppy_register_commands(register):
    register(Command(id="{name}.hello", title="Say hello", run=lambda c: "hello", plugin="{name}"))
"""


def good_plugin(name: str) -> PluginSpec:
    return PluginSpec(name=name, source=GOOD.format(name=name))
