#!/usr/bin/env python3
"""Cold import time of each heavy module and each plugin module, each in a fresh process.

    .venv/bin/python scripts/benchmark_imports.py --runs 5
    .venv/bin/python scripts/benchmark_imports.py --json > results/imports.json

Rounds alternate over the modules (one run of each, then the next round), so
load on a shared machine spreads over all of them. Prints a table sorted by
median cost with the files under ``src/`` (and ``sloppy.py``) that import each
module. Says whether the interpreter finds bytecode (``__pycache__``) for the
SDKs: without it every start compiles them from source (see DESIGN.md).
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata as md
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_rules import HEAVY_MODULES, ROOT

BASELINE_MODULES = ("pluggy", "importlib.metadata", "imgui_bundle", "asyncio")
_TIMER = "import time; t = time.perf_counter(); import {m}; print((time.perf_counter() - t) * 1000)"


def plugin_modules() -> dict[str, str]:
    """Plugin name -> module, from the ``sloppy.plugins`` entry points (metadata only)."""
    return {ep.name: ep.value.split(":", 1)[0].strip() for ep in md.entry_points(group="sloppy.plugins")}


def import_ms(module: str) -> float | None:
    """Milliseconds to import ``module`` in a fresh interpreter (after start-up); None if it cannot be imported."""
    out = subprocess.run(
        [sys.executable, "-c", _TIMER.format(m=module)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    return float(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else None


def importers(module: str, root: Path = ROOT) -> list[str]:
    """``file:line`` of every statement under src/ and sloppy.py that imports ``module`` (or a submodule)."""
    hits = []
    files = [root / "sloppy.py", *sorted((root / "src").rglob("*.py"))]
    for file in files:
        try:
            tree = ast.parse(file.read_text(encoding="utf-8"))
        except (OSError, SyntaxError):
            continue
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            if any(n == module or n.startswith(module + ".") for n in names):
                hits.append(f"{file.relative_to(root)}:{node.lineno}")
    return hits


def bytecode_state() -> dict:
    """Whether the SDK packages carry compiled bytecode, and whether Python may write more."""
    checked = {}
    for name in ("anthropic", "openai", "fastapi", "pydantic"):
        spec = importlib.util.find_spec(name)
        folder = Path(spec.origin).parent if spec and spec.origin else None
        checked[name] = bool(folder and any(folder.rglob("__pycache__/*.pyc")))
    return {
        "sdk_bytecode_present": checked,
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
    }


def measure(modules: list[str], runs: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {m: [] for m in modules}
    missing = set()
    for _ in range(runs):
        for module in modules:
            if module in missing:
                continue
            value = import_ms(module)
            if value is None:
                missing.add(module)
            else:
                samples[module].append(value)
    return {m: v for m, v in samples.items() if m not in missing}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per module (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--only", nargs="*", help="measure only these modules")
    args = parser.parse_args(argv)

    plugins = plugin_modules()
    modules = args.only or [*HEAVY_MODULES, *BASELINE_MODULES, *plugins.values()]
    samples = measure(list(dict.fromkeys(modules)), args.runs)
    rows = []
    for module, values in samples.items():
        rows.append(
            {
                "module": module,
                "plugin": next((name for name, mod in plugins.items() if mod == module), None),
                "median_ms": round(statistics.median(values), 1),
                "min_ms": round(min(values), 1),
                "max_ms": round(max(values), 1),
                "runs": [round(v, 1) for v in values],
                "imported_by": importers(module),
            }
        )
    rows.sort(key=lambda r: r["median_ms"], reverse=True)
    not_installed = sorted(set(modules) - set(samples))
    result = {
        "runs": args.runs,
        "python": sys.version.split()[0],
        **bytecode_state(),
        "modules": rows,
        "not_installed": not_installed,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"cold import, median of {args.runs} fresh processes (Python {result['python']})")
    print(f"SDK bytecode present: {result['sdk_bytecode_present']}")
    labels = {r["module"]: r["module"] + (f" [plugin {r['plugin']}]" if r["plugin"] else "") for r in rows}
    width = max(len(label) for label in labels.values())
    print(f"{'MODULE':<{width}}  {'MEDIAN':>8}  {'MIN':>8}  {'MAX':>8}  IMPORTED BY")
    for r in rows:
        print(
            f"{labels[r['module']]:<{width}}  {r['median_ms']:8.1f}  {r['min_ms']:8.1f}  {r['max_ms']:8.1f}  "
            + (", ".join(r["imported_by"]) or ("entry point" if r["plugin"] else "-"))
        )
    if not_installed:
        print(f"not installed: {', '.join(not_installed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
