"""The static main-thread gate (scripts/audit_main_thread_imports.py) in the suite.

The real repository must pass it; synthetic trees pin down each class of
violation it must catch and each case it must not follow.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import audit_main_thread_imports as gate
import import_rules

SCRIPT = ROOT / "scripts" / "audit_main_thread_imports.py"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """A minimal project: sloppy.py -> src.core.cli, plus the given files."""
    base = {
        "sloppy.py": "import sys\nfrom src.core.cli import main\n",
        "src/__init__.py": "",
        "src/core/__init__.py": "",
        "src/core/cli.py": "import argparse\nimport pluggy\n\ndef main():\n    from src.core.gui.app import run_gui\n",
        "src/core/gui/__init__.py": "",
        "src/core/gui/app.py": "from imgui_bundle import imgui, hello_imgui\n",
        "src/plugins/__init__.py": "",
        "src/plugins/sdk.py": "import anthropic\n",
    }
    for rel, text in {**base, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def found(report: gate.Report) -> set[tuple[str, int, str, str]]:
    return {(v.file, v.line, v.module, v.graph) for v in report.violations}


def test_the_repository_passes_the_static_gate():
    result = subprocess.run([sys.executable, str(SCRIPT)], check=False, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    report = gate.audit(ROOT)
    assert {"sloppy", "src.core.cli", "src.core.controller"} <= set(report.startup_modules)
    assert "src.core.gui.app" in report.lazy_roots


def test_a_clean_tree_has_no_violation(tmp_path):
    report = gate.audit(write_tree(tmp_path, {}))
    assert report.violations == []
    assert report.gui_modules == ["src.core.gui", "src.core.gui.app"]


def test_a_third_party_import_reached_at_top_level_is_named_with_file_and_line(tmp_path):
    write_tree(
        tmp_path, {"src/core/config.py": "import os\nimport yaml\n", "src/core/cli.py": "import src.core.config\n"}
    )
    report = gate.audit(tmp_path)
    assert found(report) == {("src/core/config.py", 2, "yaml", "startup")}
    assert report.violations[0].chain == ["sloppy.py", "src.core.cli", "src.core.config"]


def test_the_cli_exits_non_zero_and_prints_file_line_and_module(tmp_path):
    write_tree(tmp_path, {"src/core/cli.py": "import numpy as np\n"})
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(tmp_path)], check=False, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stdout.startswith("src/core/cli.py:1: numpy — ")


def test_a_core_module_importing_a_plugin_is_a_violation(tmp_path):
    write_tree(tmp_path, {"src/core/cli.py": "from src.plugins import sdk\n"})
    report = gate.audit(tmp_path)
    reasons = {v.module: v.reason for v in report.violations if v.graph == "startup"}
    assert "project module outside src.core" in reasons["src.plugins.sdk"]
    assert "anthropic" in reasons  # reached through the plugin's own top level


def test_imports_in_function_bodies_are_not_followed(tmp_path):
    write_tree(tmp_path, {"src/core/cli.py": "def later():\n    import yaml\n    from src.plugins import sdk\n"})
    assert gate.audit(tmp_path).violations == []


def test_class_bodies_and_try_blocks_run_at_import_time_and_are_followed(tmp_path):
    cli = "try:\n    import yaml\nexcept ImportError:\n    pass\nclass A:\n    import toml\n"
    write_tree(tmp_path, {"src/core/cli.py": cli})
    assert {v.module for v in gate.audit(tmp_path).violations} == {"yaml", "toml"}


def test_type_checking_imports_are_ignored(tmp_path):
    cli = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import yaml\nelse:\n    import toml\n"
    write_tree(tmp_path, {"src/core/cli.py": cli})
    assert {v.module for v in gate.audit(tmp_path).violations} == {"toml"}


def test_the_lazily_imported_gui_is_checked_as_the_gui_mode_graph(tmp_path):
    write_tree(
        tmp_path,
        {"src/core/gui/app.py": "from . import panels\n", "src/core/gui/panels.py": "import os\nimport yaml\n"},
    )
    report = gate.audit(tmp_path)
    assert found(report) == {("src/core/gui/panels.py", 2, "yaml", "gui")}
    assert "src.core.gui.panels" in report.gui_modules


def test_relative_imports_resolve_against_the_package(tmp_path):
    write_tree(
        tmp_path,
        {"src/core/cli.py": "from .util import helper\n", "src/core/util.py": "from ..plugins import sdk\n"},
    )
    assert ("src/core/util.py", 1, "src.plugins.sdk", "startup") in found(gate.audit(tmp_path))


def test_a_heavy_import_anywhere_in_src_core_is_a_violation_even_in_a_function(tmp_path):
    write_tree(tmp_path, {"src/core/unused.py": "def f():\n    import fastapi\n"})
    assert found(gate.audit(tmp_path)) == {("src/core/unused.py", 2, "fastapi", "core")}


def test_a_heavy_import_in_a_plugin_function_body_is_a_violation(tmp_path):
    write_tree(tmp_path, {"src/plugins/sdk.py": "import anthropic\n\ndef client():\n    from google import genai\n"})
    found_ = found(gate.audit(tmp_path))
    assert ("src/plugins/sdk.py", 4, "google.genai", "function-body") in found_
    assert not any(v[2] == "anthropic" for v in found_)  # a plugin's top-level SDK import is the design


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("json", True),
        ("importlib.metadata", True),
        ("imgui_bundle.hello_imgui", True),
        ("pluggy._hooks", True),
        ("src.core.gui.app", True),
        ("src", True),
        ("src.plugins.providers.openai", False),
        ("numpy", False),
        ("google.genai", False),
        ("idna", False),
    ],
)
def test_the_allowlist(module, allowed):
    assert (import_rules.why_not_allowed(module) is None) is allowed


def test_imgui_bundle_and_pluggy_pull_in_exactly_the_measured_third_party_packages():
    measured = import_rules.measure_third_party_pulled_in()
    assert measured - set(import_rules.ALLOWED_PACKAGES) == set(import_rules.PULLED_IN_BY_ALLOWED)
