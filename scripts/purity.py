"""Verdicts on an import record written by ``import_probe.py``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from import_rules import heavy_root, why_not_allowed

POOL_PREFIX = "controller-io-"


@dataclass
class PurityReport:
    main_before_boundary: list[str] = field(default_factory=list)
    violations: list[tuple[str, str]] = field(default_factory=list)  # (module, reason), main thread before boundary
    heavy_on_main: list[str] = field(default_factory=list)  # whole run
    heavy_threads: dict[str, str] = field(default_factory=dict)  # heavy root -> thread of its first import
    attempted_not_loaded: list[str] = field(default_factory=list)  # e.g. org.python.core, tried by copy
    boundary_found: bool = False

    @property
    def heavy_off_pool(self) -> dict[str, str]:
        return {m: t for m, t in self.heavy_threads.items() if not t.startswith(POOL_PREFIX)}


def read_events(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def is_boundary(event: dict, boundary: str) -> bool:
    """``mark:NAME`` (a profiler mark) or ``thread:NAME`` (that thread starting)."""
    kind, _, name = boundary.partition(":")
    if kind == "mark":
        return event["event"] == "mark" and event["name"] == name
    if kind == "thread":
        return event["event"] == "thread_start" and event["thread"] == name
    raise ValueError(f"unknown boundary {boundary!r}")


def analyse_events(events: list[dict], boundary: str) -> PurityReport:
    """Main-thread imports before ``boundary`` against the allowlist, and where the heavy modules loaded."""
    report = PurityReport()
    before = True
    attempted: list[str] = []
    loaded_at_boundary: set[str] = set()
    for index, event in enumerate(events):
        if before and is_boundary(event, boundary):
            before, report.boundary_found = False, True
            following = events[index + 1] if index + 1 < len(events) else {}
            loaded_at_boundary = set(following.get("loaded", ()))
        if event["event"] != "import":
            continue
        module = event["module"]
        if event["main"] and before:
            attempted.append(module)
        root = heavy_root(module)
        if root is not None:
            report.heavy_threads.setdefault(root, event["thread"])
            if event["main"]:
                report.heavy_on_main.append(module)
    # Without a boundary every main-thread import counts; attempts that never loaded are dropped.
    final = loaded_at_boundary or _last_loaded(events)
    for module in dict.fromkeys(attempted):
        if final and module not in final:
            report.attempted_not_loaded.append(module)
            continue
        report.main_before_boundary.append(module)
        reason = why_not_allowed(module)
        if reason is not None:
            report.violations.append((module, reason))
    return report


def _last_loaded(events: list[dict]) -> set[str]:
    for event in reversed(events):
        if event["event"] == "modules":
            return set(event["loaded"])
    return set()
