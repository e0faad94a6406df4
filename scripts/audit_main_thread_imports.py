#!/usr/bin/env python3
"""Static gate: what the main thread imports before the first frame.

Walks the import graph that ``sloppy.py`` reaches at module top level (the
AST, nothing is imported). Imports inside function bodies do not run at import
time and are not followed, with one exception: a function-body import of a
``src.core`` module (``cli.main`` imports ``src.core.gui.app`` only when a
window opens) is followed as the *GUI-mode* graph, because it runs on the main
thread before the first frame. Every module reached is checked against the
allowlist in ``import_rules.py``.

Two more invariants are checked on every file under ``src/``:

- no heavy module (SDKs, fastapi, uvicorn, numpy, pydantic, requests…) is
  imported anywhere in ``src/core``;
- no heavy module is imported inside a function body anywhere.

Exit status 0 when clean, 1 with one line per violation
(``file:line: module — reason [via chain]``). ``--json`` prints a report.

    .venv/bin/python scripts/audit_main_thread_imports.py
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_rules import ROOT, heavy_root, is_heavy, why_not_allowed

ENTRY = "sloppy.py"
LAZY_FOLLOWED_PREFIX = "src.core"


@dataclass(frozen=True)
class ImportSite:
    """One imported module named by one statement."""

    file: Path
    line: int
    module: str
    in_function: bool


@dataclass
class Violation:
    file: str
    line: int
    module: str
    reason: str
    graph: str  # "startup", "gui", "core", "function-body"
    chain: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        via = f" [via {' -> '.join(self.chain)}]" if self.chain else ""
        return f"{self.file}:{self.line}: {self.module} — {self.reason} ({self.graph} graph){via}"


@dataclass
class Report:
    startup_modules: list[str]
    gui_modules: list[str]
    lazy_roots: list[str]
    missing_lazy_roots: list[str]
    violations: list[Violation]

    def as_dict(self) -> dict:
        return {
            "startup_modules": self.startup_modules,
            "gui_modules": self.gui_modules,
            "lazy_roots": self.lazy_roots,
            "missing_lazy_roots": self.missing_lazy_roots,
            "violations": [asdict(v) for v in self.violations],
        }


class ProjectTree:
    """Maps module names to files under one root, and files to their import sites."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._sites: dict[Path, list[ImportSite]] = {}

    def module_file(self, module: str) -> Path | None:
        base = self.root.joinpath(*module.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file() and ".venv" not in candidate.relative_to(self.root).parts:
                return candidate
        return None

    def module_name(self, file: Path) -> str:
        parts = list(file.relative_to(self.root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def rel(self, file: Path) -> str:
        return str(file.relative_to(self.root))

    def sites(self, file: Path) -> list[ImportSite]:
        if file not in self._sites:
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
            self._sites[file] = list(self._walk(file, tree.body, in_function=False))
        return self._sites[file]

    def _walk(self, file: Path, body: list[ast.stmt], in_function: bool) -> Iterator[ImportSite]:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from self._walk(file, node.body, in_function=True)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield ImportSite(file, node.lineno, alias.name, in_function)
            elif isinstance(node, ast.ImportFrom):
                yield from self._from_import(file, node, in_function)
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                yield from self._walk(file, node.orelse, in_function)  # the TYPE_CHECKING body never runs
            else:
                for child_body in _child_bodies(node):
                    yield from self._walk(file, child_body, in_function)

    def _from_import(self, file: Path, node: ast.ImportFrom, in_function: bool) -> Iterator[ImportSite]:
        if node.module == "__future__":
            return
        base = node.module or ""
        if node.level:
            package = self.module_name(file).split(".")
            if file.name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            base = ".".join([*package, *([node.module] if node.module else [])])
        yield ImportSite(file, node.lineno, base, in_function)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            if alias.name == "*":
                continue
            # A project submodule, or a heavy one named through its light namespace (``from google import genai``).
            if self.module_file(submodule) is not None or (is_heavy(submodule) and not is_heavy(base)):
                yield ImportSite(file, node.lineno, submodule, in_function)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _child_bodies(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    """Statement lists that run when ``node`` runs (class bodies do; function bodies do not)."""
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value
    for handler in getattr(node, "handlers", []) or []:
        yield handler.body
    for case in getattr(node, "cases", []) or []:
        yield case.body


def _packages_of(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def walk_graph(
    tree: ProjectTree, roots: list[tuple[Path, list[str]]]
) -> tuple[dict[Path, list[str]], list[tuple[ImportSite, list[str]]]]:
    """Breadth-first over top-level imports. Returns files reached (with their chain) and every site seen."""
    reached: dict[Path, list[str]] = {}
    seen_sites: list[tuple[ImportSite, list[str]]] = []
    queue = list(roots)
    while queue:
        file, chain = queue.pop(0)
        if file in reached:
            continue
        reached[file] = chain
        for site in tree.sites(file):
            if site.in_function:
                continue
            seen_sites.append((site, chain))
            for module in _packages_of(site.module):
                target = tree.module_file(module)
                if target is not None and target not in reached:
                    queue.append((target, [*chain, module]))
    return reached, seen_sites


def audit(root: Path = ROOT, entry: str = ENTRY) -> Report:
    """Check the start-up and GUI-mode graphs and the two file-wide invariants under ``root``."""
    tree = ProjectTree(root)
    violations: list[Violation] = []
    entry_file = root / entry
    startup, startup_sites = walk_graph(tree, [(entry_file, [entry])])
    violations += _graph_violations(tree, startup_sites, "startup")

    lazy_roots = sorted(
        {
            site.module
            for file in startup
            for site in tree.sites(file)
            if site.in_function and (site.module + ".").startswith(LAZY_FOLLOWED_PREFIX + ".")
        }
    )
    gui_roots: list[tuple[Path, list[str]]] = []
    for module in lazy_roots:
        for package in _packages_of(module):
            target = tree.module_file(package)
            if target is not None and target not in startup:
                gui_roots.append((target, [entry, f"{package} (lazy)"]))
    gui, gui_sites = walk_graph(tree, gui_roots)
    violations += _graph_violations(tree, gui_sites, "gui")

    violations += _file_invariants(tree, root)
    return Report(
        startup_modules=sorted(tree.module_name(f) for f in startup),
        gui_modules=sorted(tree.module_name(f) for f in gui),
        lazy_roots=lazy_roots,
        missing_lazy_roots=[m for m in lazy_roots if tree.module_file(m) is None],
        violations=_unique(violations),
    )


def _graph_violations(tree: ProjectTree, sites: list[tuple[ImportSite, list[str]]], graph: str) -> list[Violation]:
    out = []
    for site, chain in sites:
        reason = why_not_allowed(site.module)
        if reason is not None:
            out.append(Violation(tree.rel(site.file), site.line, site.module, reason, graph, chain))
    return out


def _file_invariants(tree: ProjectTree, root: Path) -> list[Violation]:
    out = []
    src = root / "src"
    files = sorted(src.rglob("*.py")) if src.is_dir() else []
    for file in files:
        in_core = (root / "src" / "core") in file.parents
        for site in tree.sites(file):
            if not is_heavy(site.module):
                continue
            if in_core:
                reason = f"heavy module ({heavy_root(site.module)}) imported in src/core"
                out.append(Violation(tree.rel(file), site.line, site.module, reason, "core"))
            elif site.in_function:
                reason = f"heavy module ({heavy_root(site.module)}) imported inside a function body"
                out.append(Violation(tree.rel(file), site.line, site.module, reason, "function-body"))
    return out


def _unique(violations: list[Violation]) -> list[Violation]:
    seen: set[tuple] = set()
    out = []
    for v in violations:
        key = (v.file, v.line, v.module, v.graph)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project root (default: this repository)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    args = parser.parse_args(argv)
    report = audit(args.root.resolve())
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        for violation in report.violations:
            print(violation)
        for module in report.missing_lazy_roots:
            print(
                f"note: lazy import {module} has no file under {args.root}; its graph was not checked", file=sys.stderr
            )
        print(
            f"audited {len(report.startup_modules)} start-up modules and {len(report.gui_modules)} GUI-mode modules "
            f"(lazy roots: {', '.join(report.lazy_roots) or 'none'}): {len(report.violations)} violation(s)",
            file=sys.stderr,
        )
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
