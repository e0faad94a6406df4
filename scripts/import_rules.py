"""What the main thread may import before the first frame, and what counts as heavy.

Shared by the static gate (``audit_main_thread_imports.py``), the runtime gate
(``tests/test_main_thread_purity.py``) and the benchmarks.

The allowlist is: the standard library, ``imgui_bundle``, ``pluggy`` and
``src.core`` (plus the bare ``src`` package that holds it), and exactly the
third-party packages that importing imgui-bundle and pluggy pulls in. That last
set was measured (``measure_third_party_pulled_in``) and is empty for
imgui-bundle 1.93 and pluggy 1.7: they import only themselves and the standard
library. ``tests/test_audit_imports.py`` measures it again on every run, so an
upgrade that starts pulling in, say, numpy fails the suite instead of widening
the allowlist silently.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STDLIB = frozenset(sys.stdlib_module_names)
# Third-party packages the main thread may import before the first frame.
ALLOWED_PACKAGES = ("imgui_bundle", "pluggy")
# What imgui-bundle and pluggy import besides themselves and the stdlib (measured: nothing).
PULLED_IN_BY_ALLOWED: frozenset[str] = frozenset()
# The project's own allowed modules: the lean core and the package that holds it.
ALLOWED_PROJECT_PREFIXES = ("src.core",)
ALLOWED_PROJECT_EXACT = frozenset({"src", "sloppy", "__main__"})
# What the GUI imports from imgui-bundle: measured together with the package itself.
IMGUI_ENTRY_MODULES = ("imgui_bundle", "imgui_bundle.imgui", "imgui_bundle.hello_imgui", "imgui_bundle.immapp")

# Modules whose import costs 50 ms to seconds: never on the main thread, never in a function body.
HEAVY_MODULES = (
    "anthropic",
    "openai",
    "google.genai",
    "fastapi",
    "uvicorn",
    "starlette",
    "numpy",
    "pydantic",
    "requests",
    "httpx",
)


def top_level(module: str) -> str:
    return module.split(".", 1)[0]


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def is_heavy(module: str) -> bool:
    return any(_under(module, heavy) for heavy in HEAVY_MODULES)


def heavy_root(module: str) -> str | None:
    """The entry of ``HEAVY_MODULES`` that ``module`` belongs to, if any."""
    return next((heavy for heavy in HEAVY_MODULES if _under(module, heavy)), None)


def why_not_allowed(module: str) -> str | None:
    """None if the main thread may import ``module`` before the first frame, else the reason."""
    if module in ALLOWED_PROJECT_EXACT or any(_under(module, p) for p in ALLOWED_PROJECT_PREFIXES):
        return None
    top = top_level(module)
    if top in STDLIB:
        return None
    if top in ALLOWED_PACKAGES or top in PULLED_IN_BY_ALLOWED:
        return None
    if top == "src":
        return "project module outside src.core (plugins are imported on the pool)"
    if is_heavy(module):
        return "heavy module"
    return "third-party module not on the allowlist"


_MEASURE = """
import json, sys
before = set(sys.modules)
for name in sys.argv[1:]:
    __import__(name)
new = set(sys.modules) - before
std = sys.stdlib_module_names
print(json.dumps(sorted({m.split('.')[0] for m in new if m.split('.')[0] not in std})))
"""


def measure_third_party_pulled_in(modules: tuple[str, ...] = (*IMGUI_ENTRY_MODULES, "pluggy")) -> set[str]:
    """Top-level non-stdlib packages a fresh interpreter loads when importing ``modules``."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *modules], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return set(json.loads(out))
