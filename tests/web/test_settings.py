"""Host, port and API-key rules of the Hook API (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from src.core.cli import DEFAULT_HOOK_PORT
from src.core.config import load_config
from src.plugins.hooks_web.settings import DEFAULT_PORT, WebConfigError, is_loopback, resolve

# Never hang the suite: every test here is bounded.
pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "127.255.0.9", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_hosts_are_recognised(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "example.com", "localhost.evil.com"])
def test_other_hosts_count_as_remote(host):
    assert not is_loopback(host)


def test_defaults_are_loopback_port_8765_without_a_key(tmp_path):
    settings = resolve({}, load_config(tmp_path / "none.toml"))
    assert (settings.host, settings.port, settings.key_required) == ("127.0.0.1", DEFAULT_PORT, False)
    assert DEFAULT_PORT == 8765


def test_remote_host_without_a_key_is_refused_with_what_to_do(tmp_path):
    with pytest.raises(WebConfigError, match="refusing.*0.0.0.0.*SLOPPY_API_KEY"):
        resolve({"web_host": "0.0.0.0", "hook_port": 0}, load_config(tmp_path / "none.toml"))


def test_remote_host_with_sloppy_api_key_requires_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SLOPPY_API_KEY", "k-remote-123456")
    settings = resolve({"web_host": "0.0.0.0", "hook_port": 0}, load_config(tmp_path / "none.toml"))
    assert settings.key_required and settings.api_key == "k-remote-123456"
    assert "k-remote-123456" not in repr(settings)


def test_config_names_the_key_variable(tmp_path, monkeypatch):
    config_path = tmp_path / "config.toml"
    config_path.write_text('[web]\napi_key_env = "MY_HOOK_KEY"\n')
    monkeypatch.setenv("MY_HOOK_KEY", "from-my-var-999")
    monkeypatch.setenv("SLOPPY_API_KEY", "not-this-one-000")
    settings = resolve({"web_host": "10.1.2.3"}, load_config(config_path))
    assert settings.api_key == "from-my-var-999"
    assert settings.key_env == "MY_HOOK_KEY"


def test_config_key_variable_unset_refuses_remote_and_names_it(tmp_path):
    config_path = tmp_path / "config.toml"
    config_path.write_text('[web]\napi_key_env = "MY_HOOK_KEY"\n')
    with pytest.raises(WebConfigError, match="MY_HOOK_KEY"):
        resolve({"web_host": "10.1.2.3"}, load_config(config_path))


def test_a_key_set_on_loopback_is_required_too(tmp_path, monkeypatch):
    monkeypatch.setenv("SLOPPY_API_KEY", "loopback-key-42")
    assert resolve({"web_host": "127.0.0.1"}, load_config(tmp_path / "none.toml")).key_required


def test_the_config_port_applies_unless_the_flag_is_given(tmp_path):
    config_path = tmp_path / "config.toml"
    config_path.write_text("[web]\nport = 9123\n")
    config = load_config(config_path)
    assert resolve({"hook_port": None}, config).port == 9123
    assert resolve({"hook_port": 0}, config).port == 0


def test_the_core_help_names_the_plugins_default_port():
    assert DEFAULT_HOOK_PORT == DEFAULT_PORT


@pytest.mark.parametrize("port", [-1, 65536, "80", True, 3.5])
def test_bad_ports_are_refused(tmp_path, port):
    with pytest.raises(WebConfigError, match="--hook-port"):
        resolve({"hook_port": port}, load_config(tmp_path / "none.toml"))


def test_port_file_defaults_to_the_state_dir(isolated_env):
    assert resolve({}, None).port_file == isolated_env / "state" / "sloppy" / "hook_port"


def test_port_file_follows_sloppy_hook_port_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SLOPPY_HOOK_PORT_FILE", str(tmp_path / "where" / "port"))
    assert resolve({}, None).port_file == Path(tmp_path / "where" / "port")
