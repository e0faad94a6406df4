import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from src.core.config import Config, ConfigNotWritable, load_config
from src.core.toml_write import CannotPatch, dumps, patch


def test_missing_file_gives_defaults_and_is_writable(tmp_path):
    config = load_config(tmp_path / "nope.toml")
    assert config.problems == []
    assert config.writable
    assert config.disabled_plugins() == set()


def test_malformed_toml_is_reported_with_line_and_left_untouched(tmp_path):
    path = tmp_path / "config.toml"
    original = b'[plugins]\ndisabled = ["gemini"\n[ui]\ntheme = "nerv"\n'
    path.write_bytes(original)
    config = load_config(path)
    assert len(config.problems) == 1
    message = config.problems[0]
    assert str(path) in message and "line" in message and "malformed TOML" in message
    assert config.disabled_plugins() == set()  # defaults
    with pytest.raises(ConfigNotWritable, match="left untouched"):
        config.save()
    assert path.read_bytes() == original


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('[plugins]\ndisabled = "gemini"\n', "plugins.disabled must be a list"),
        ("[plugins]\ndisabled = [1, 2]\n", "list of names"),
        ('[plugins]\nwarmup_timeout_s = "soon"\n', "plugins.warmup_timeout_s must be an integer or a number"),
        ("[plugins]\npause_gc = 1\n", "plugins.pause_gc must be a boolean"),
        ("[web]\nport = true\n", "web.port must be an integer"),
        ('plugins = "all"\n', "[plugins] must be a table"),
        ("[personas]\nreviewer = 3\n", "personas.reviewer must be a string"),
        ('[colours]\nred = "#f00"\n', "unknown section [colours]"),
        ('[ui]\nfont = "big"\n', "unknown key ui.font"),
    ],
)
def test_wrong_types_are_reported_and_dropped_keeping_the_rest(tmp_path, text, fragment):
    path = tmp_path / "config.toml"
    path.write_text(text + '\n[provider]\ndefault = "openai"\n')
    config = load_config(path)
    assert any(fragment in p for p in config.problems), config.problems
    assert all(str(path) in p for p in config.problems)
    assert config.get("provider", "default") == "openai"
    assert not config.writable  # never overwrite what the user wrote


def test_unreadable_config_is_reported(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    config = load_config(path)
    assert config.problems and "cannot read" in config.problems[0]
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    assert "cannot read" in load_config(folder).problems[0]


def test_save_is_atomic_and_round_trips(tmp_path):
    path = tmp_path / "sub" / "config.toml"
    config = Config(path=path)
    config.set_plugin_enabled("gemini", False)
    config.set("ui", "theme", "nerv")
    config.data["providers"] = {"openai": {"base_url": "http://127.0.0.1:1/v1", "timeout_s": 5.5}}
    config.data["personas"] = {"pirate": 'Say "arr".\nAlways.'}
    config.save()
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left
    again = load_config(path)
    assert again.problems == []
    assert again.data == config.data
    again.set_plugin_enabled("gemini", True)
    assert again.disabled_plugins() == set()


def test_dumps_output_is_valid_toml_for_awkward_strings():
    data = {"personas": {"odd key": 'tab\there \\ "q" \x01 é'}, "plugins": {"disabled": ["a", "b"]}}
    assert tomllib.loads(dumps(data)) == data


def test_the_readme_config_example_is_valid(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "config.toml"
    path.write_text(example)
    config = load_config(path)
    assert config.problems == []
    assert config.disabled_plugins() == {"minimax"}
    assert config.provider_settings("openai")["base_url"].startswith("http://127.0.0.1")


COMMENTED = """\
# My Sloppy config -- keep these notes!
[plugins]
disabled = ["minimax"]  # minimax: no account yet
warmup_timeout_s = 30

[providers.openai]
base_url = "http://127.0.0.1:9/v1"  # loopback test server
"""


def test_saving_keeps_the_users_comments_and_layout(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    config = load_config(path)
    config.set_plugin_enabled("gemini", False)
    config.set("ui", "theme", "nerv")
    config.save()
    text = path.read_text()
    assert text.startswith("# My Sloppy config -- keep these notes!\n[plugins]\n")
    assert 'disabled = ["gemini", "minimax"]  # minimax: no account yet' in text
    assert 'base_url = "http://127.0.0.1:9/v1"  # loopback test server' in text
    assert text.rstrip().endswith('[ui]\ntheme = "nerv"')
    assert load_config(path).data == config.data
    config.set_plugin_enabled("gemini", True)
    config.set_plugin_enabled("minimax", True)
    config.save()
    assert "disabled = []  # minimax: no account yet" in path.read_text()


def test_saving_keeps_edits_made_to_the_file_meanwhile(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    config = load_config(path)
    path.write_text(COMMENTED + '\n[personas]\nterse = "One paragraph."  # added by hand\n')
    config.set("ui", "theme", "nerv")
    config.save()
    again = load_config(path)
    assert again.personas() == {"terse": "One paragraph."}
    assert again.get("ui", "theme") == "nerv"
    assert "# added by hand" in path.read_text()


def test_a_file_broken_meanwhile_is_not_overwritten(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    config = load_config(path)
    path.write_text("[plugins\n")
    config.set("ui", "theme", "nerv")
    with pytest.raises(ConfigNotWritable, match="edited and is now malformed"):
        config.save()
    assert path.read_text() == "[plugins\n"


def test_a_layout_beyond_line_edits_is_rewritten_in_full(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('plugins = { disabled = ["a"] }\n')
    config = load_config(path)
    config.set_plugin_enabled("b", False)
    config.save()
    assert load_config(path).disabled_plugins() == {"a", "b"}


_names = st.text(alphabet="abcxyz_-", min_size=1, max_size=6)
_values = st.one_of(st.booleans(), st.integers(-5, 5), st.text(max_size=8), st.lists(st.text(max_size=4), max_size=3))
_configs = st.dictionaries(_names, st.dictionaries(_names, _values, max_size=4), max_size=4)


@given(old=_configs, new=_configs)
def test_patching_any_config_into_any_other_reads_back_exactly(old, new):
    text = "# a comment the user wrote\n" + dumps(old)
    try:
        patched = patch(text, old, new)
    except CannotPatch:
        return  # the caller then writes the file anew; never a wrong file
    assert tomllib.loads(patched) == new
    assert patched.startswith("# a comment the user wrote\n")
