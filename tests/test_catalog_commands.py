"""Commands declared in distribution metadata (``sloppy.commands``) are read without importing the plugin."""

from __future__ import annotations

import sys

from src.core.catalog import DeclaredCommand, discover
from tests.third_party import write_distribution


def test_builtin_plugins_declare_their_commands():
    catalog = discover()
    nerv = {c.id: c.title for c in catalog.plugins["nerv"].commands}
    palette = {c.id: c.title for c in catalog.plugins["palette"].commands}
    assert nerv["theme.nerv"] == "Theme: NERV"
    assert "palette.open" in palette


def test_third_party_commands_are_read_as_metadata_only(tmp_path, monkeypatch):
    write_distribution(
        tmp_path,
        commands={
            "greeter:greet.hello": "Greet: say hello",
            "greeter:greet.wave": "Greet: wave = friendly",
            "other:not.mine": "Belongs to another plugin",
            "greeter:": "no id: ignored",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    info = discover().plugins["greeter"]

    assert info.distribution == "sloppy-greeter"
    assert info.commands == (
        DeclaredCommand("greet.hello", "Greet: say hello"),
        DeclaredCommand("greet.wave", "Greet: wave = friendly"),
    )
    assert "sloppy_greeter" not in sys.modules


def test_a_plugin_without_declarations_has_no_commands(tmp_path, monkeypatch):
    write_distribution(tmp_path, commands={})
    monkeypatch.syspath_prepend(str(tmp_path))
    assert discover().plugins["greeter"].commands == ()
