import tomllib
from pathlib import Path

import pytest

from src.core.config import Config, ConfigNotWritable, dumps, load_config


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
