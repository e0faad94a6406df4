"""Build a tiny real third-party distribution (a ``.dist-info`` plus its module) in a folder.

Put the folder on ``sys.path`` (or ``PYTHONPATH`` of a subprocess) and
``importlib.metadata`` finds it like any installed plugin.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent  # the repository

GREETER_MODULE = '''"""A third-party plugin: one command that writes a file."""

import time
from pathlib import Path

from src.core import hookimpl
from src.core.commands import Command

HERE = Path(__file__).parent
GREETING_FILE = HERE / "greeted.txt"
GATE = HERE / "gate"  # when the distribution is gated, the import waits for this file (a slow plugin)
if {gated!r}:
    deadline = time.monotonic() + 60
    while not GATE.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    if "fail" in (GATE.read_text() if GATE.exists() else "fail"):
        raise ImportError("greeter could not find its greeting")


def _greet(controller):
    GREETING_FILE.write_text("hello from greeter", encoding="utf-8")
    return "greeted"


@hookimpl
def sloppy_register_commands(register):
    register(Command(id="greet.hello", title="Greet: say hello", run=_greet, plugin="greeter"))
'''


def greeter_source(*, gated: bool = False) -> str:
    """The greeter plugin's module. Gated: its import waits for a ``gate`` file (``"fail"`` in it: it raises)."""
    return GREETER_MODULE.replace("{gated!r}", repr(gated))


def write_distribution(
    root: Path,
    *,
    dist: str = "sloppy-greeter",
    version: str = "1.2.0",
    plugins: dict[str, str] | None = None,
    kinds: dict[str, str] | None = None,
    commands: dict[str, str] | None = None,
    modules: dict[str, str] | None = None,
) -> Path:
    """Write ``<dist>-<version>.dist-info`` and the modules under ``root``; return ``root``."""
    plugins = {"greeter": "sloppy_greeter"} if plugins is None else plugins
    kinds = {"greeter": "tool"} if kinds is None else kinds
    commands = {"greeter:greet.hello": "Greet: say hello"} if commands is None else commands
    modules = {"sloppy_greeter": greeter_source()} if modules is None else modules
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
    sections = {"sloppy.plugins": plugins, "sloppy.kinds": kinds, "sloppy.commands": commands}
    text = "".join(
        f"[{group}]\n" + "".join(f"{name} = {value}\n" for name, value in entries.items()) + "\n"
        for group, entries in sections.items()
        if entries
    )
    (info / "entry_points.txt").write_text(text, encoding="utf-8")
    for module, source in modules.items():
        (root / f"{module}.py").write_text(source, encoding="utf-8")
    return root


def close_loop(controller) -> None:
    """Close a shut-down controller's event loop (its selector and self-pipe), so test runs do not leak descriptors."""
    if not controller.loop.is_running() and not controller.loop.is_closed():
        controller.loop.close()


@contextmanager
def gated_greeter_site(tmp_path: Path, monkeypatch: Any) -> Iterator[Path]:
    """The gated greeter distribution on ``sys.path``; its gate is failed on exit (frees the pool thread)."""
    module = f"sloppy_greeter_{uuid.uuid4().hex[:8]}"
    site = tmp_path / "site"
    write_distribution(site, plugins={"greeter": module}, modules={module: greeter_source(gated=True)})
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, module, raising=False)
    yield site
    gate = site / "gate"
    if not gate.exists():
        gate.write_text("fail", encoding="utf-8")
