import subprocess
import sys

from distbuilder import PluginSpec, good_plugin, make_dist

from src.core.catalog import discover


def test_discovery_reads_metadata_and_imports_no_plugin(tmp_path):
    """In a fresh process: every built-in is listed with its kind, nothing of it is imported."""
    code = """
import sys
from src.core.catalog import discover
catalog = discover()
print(sorted((p.name, p.kind, p.distribution) for p in catalog.plugins.values()))
loaded = [m for m in sys.modules if m.startswith("src.plugins") or m.split(".")[0] in
          ("anthropic", "openai", "google", "fastapi", "uvicorn", "requests", "numpy", "pydantic")]
print(loaded)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    listed, loaded = out.splitlines()
    assert listed == str(
        sorted(
            [
                ("anthropic", "provider", "sloppy"),
                ("deepseek", "provider", "sloppy"),
                ("gemini", "provider", "sloppy"),
                ("hooks_web", "web", "sloppy"),
                ("minimax", "provider", "sloppy"),
                ("nerv", "theme", "sloppy"),
                ("openai", "provider", "sloppy"),
                ("palette", "palette", "sloppy"),
            ]
        )
    )
    assert loaded == "[]"


def test_third_party_plugin_is_found_with_its_kind_and_version(tmp_path, monkeypatch):
    spec = PluginSpec(name="shiny", source="X = 1", kind="theme")
    monkeypatch.syspath_prepend(str(make_dist(tmp_path, "shiny-theme", [spec], version="2.3.4")))
    info = discover().plugins["shiny"]
    assert (info.kind, info.distribution, info.version, info.module) == ("theme", "shiny-theme", "2.3.4", spec.module)
    assert not info.builtin
    assert spec.module not in sys.modules


def test_a_builtin_name_cannot_be_taken_over_by_a_third_party(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(make_dist(tmp_path, "impostor", [good_plugin("openai")])))
    catalog = discover()
    assert catalog.plugins["openai"].distribution == "sloppy"
    [conflict] = catalog.conflicts
    assert conflict.loser.distribution == "impostor"
    assert "sloppy wins" in conflict.reason()
