"""The command line, run as a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from distbuilder import PluginSpec, good_plugin, make_dist
from test_warmup import BUILTINS

from src.core import __version__


def run(cmd, env=None, timeout=60, **kw):
    return subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout, env=env, **kw)


@pytest.fixture
def plugin_env(tmp_path):
    """env(plugins) -> environment with these plugins installed and the built-ins off."""

    def _env(plugins, config_text=""):
        folder = make_dist(tmp_path / "site", "cli-test-plugins", plugins)
        config = tmp_path / "config.toml"
        config.write_text(config_text)
        env = dict(os.environ)
        env["PYTHONPATH"] = str(folder)
        env["SLOPPY_DISABLE_PLUGINS"] = ",".join(BUILTINS)
        env["SLOPPY_CONFIG"] = str(config)
        return env

    return _env


def test_version_and_help(sloppy_cmd):
    assert run([*sloppy_cmd, "--version"]).stdout.strip() == f"sloppy {__version__}"
    help_text = run([*sloppy_cmd, "--help"]).stdout
    for flag in (
        "--headless",
        "--enable-test-hooks",
        "--web-host",
        "--config",
        "--disable",
        "--list-plugins",
        "--startuptime",
        "--version",
    ):
        assert flag in help_text


def test_list_plugins_warms_every_builtin_plugin(sloppy_cmd, tmp_path):
    profile = tmp_path / "startup.txt"
    result = run([*sloppy_cmd, "--list-plugins", "--startuptime", str(profile)], timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    kinds = {
        "gemini": "provider",
        "anthropic": "provider",
        "openai": "provider",
        "deepseek": "provider",
        "minimax": "provider",
        "nerv": "theme",
        "palette": "palette",
        "hooks_web": "web",
    }
    for name, kind in kinds.items():
        assert kind in rows[name].split()
        expected = "disabled" if name == "hooks_web" else "ready"
        assert expected in rows[name].split(), rows[name]
    assert "--enable-test-hooks" in rows["hooks_web"]
    text = profile.read_text()
    assert "controller.start" in text and "plugins.discover" in text and "plugin:anthropic" in text
    assert "all plugins settled at" in text


def test_list_plugins_reports_a_failed_plugin_and_exits_non_zero(sloppy_cmd, plugin_env):
    env = plugin_env([good_plugin("fine"), PluginSpec(name="broken", source="raise OSError('disk on fire')")])
    result = run([*sloppy_cmd, "--list-plugins"], env=env)
    assert result.returncode == 1
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert "ready" in lines["fine"]
    assert "failed" in lines["broken"] and "OSError: disk on fire" in lines["broken"]


HANG = "import time\ntime.sleep(60)\n"


def test_a_hanging_import_is_failed_after_the_timeout_and_the_process_exits(sloppy_cmd, plugin_env):
    env = plugin_env(
        [good_plugin("fine"), PluginSpec(name="stuck", source=HANG)], config_text="[plugins]\nwarmup_timeout_s = 1.5\n"
    )
    t0 = time.monotonic()
    result = run([*sloppy_cmd, "--list-plugins"], env=env, timeout=30)
    assert time.monotonic() - t0 < 15
    assert result.returncode == 1
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert "did not finish within 1.5 s" in lines["stuck"]
    assert "ready" in lines["fine"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_headless_stops_promptly_on_a_signal_even_while_an_import_hangs(sloppy_cmd, plugin_env, isolated_env, sig):
    env = plugin_env([good_plugin("fine"), PluginSpec(name="stuck", source=HANG)])
    proc = subprocess.Popen(
        [*sloppy_cmd, "--headless", "-v"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        log = isolated_env / "state" / "sloppy" / "log" / "sloppy.log"
        deadline = time.monotonic() + 20
        while not (log.exists() and "plugin fine ready" in log.read_text()):  # the good plugin is up
            assert time.monotonic() < deadline, "the good plugin never became ready"
            time.sleep(0.05)
        t0 = time.monotonic()
        proc.send_signal(sig)
        proc.wait(timeout=10)
        assert time.monotonic() - t0 < 5
        assert proc.returncode == 0
        assert "running without a window; stop with Ctrl+C" in proc.stderr.read()
    finally:
        proc.kill()
        proc.communicate()


def test_malformed_config_is_reported_and_untouched(sloppy_cmd, plugin_env, tmp_path):
    env = plugin_env([good_plugin("fine")], config_text='[plugins\ndisabled = ["x"]\n')
    before = (tmp_path / "config.toml").read_bytes()
    result = run([*sloppy_cmd, "--list-plugins"], env=env)
    assert result.returncode == 0
    assert "malformed TOML" in result.stderr and "config.toml" in result.stderr and "line 1" in result.stderr
    assert (tmp_path / "config.toml").read_bytes() == before


def test_unknown_plugin_in_config_is_a_warning(sloppy_cmd, plugin_env):
    env = plugin_env([good_plugin("fine")], config_text='[plugins]\ndisabled = ["ghost"]\n')
    result = run([*sloppy_cmd, "--list-plugins"], env=env)
    assert result.returncode == 0
    assert "config names plugin 'ghost', which is not installed" in result.stderr


def test_typos_in_plugin_names_and_config_paths_are_warnings(sloppy_cmd, plugin_env, tmp_path):
    env = plugin_env([good_plugin("fine"), good_plugin("other")])
    env["SLOPPY_DISABLE_PLUGINS"] += " other"  # spaces separate names too
    missing = tmp_path / "nowhere" / "config.toml"
    result = run([*sloppy_cmd, "--list-plugins", "--disable", "fnie", "--config", str(missing)], env=env)
    assert result.returncode == 0
    assert "--disable names plugin 'fnie', which is not installed" in result.stderr
    assert f"--config {missing} does not exist" in result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert "disabled" in lines["other"] and "ready" in lines["fine"]
    assert not missing.exists()


def test_logs_go_to_the_user_log_dir(sloppy_cmd, plugin_env, isolated_env):
    env = plugin_env([good_plugin("fine")])
    assert run([*sloppy_cmd, "--list-plugins"], env=env).returncode == 0
    log = isolated_env / "state" / "sloppy" / "log" / "sloppy.log"
    assert "plugin fine ready" in log.read_text()
