"""Helpers for the Hook API tests: HTTP to loopback, the live app in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from src.core.catalog import PluginInfo

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).resolve().parent / "sample_plugins"
# Heavy SDK providers a live test does not need: skipping them keeps the suite lean.
HEAVY = ("anthropic", "gemini", "openai", "deepseek", "minimax")


def plugin_info(name: str, module: str, kind: str = "plugin") -> PluginInfo:
    return PluginInfo(name=name, module=module, kind=kind, distribution="tests", version="0")


HOOKS_WEB = PluginInfo("hooks_web", "src.plugins.hooks_web.plugin", "web", "sloppy", "0.1.0")


class Http:
    """Requests to one loopback server, with a default API key and timeout."""

    def __init__(self, url: str, key: str | None = None) -> None:
        assert url.startswith(("http://127.", "http://[::1]", "http://localhost")), url
        self.url = url
        self.session = requests.Session()
        self.session.trust_env = False  # never a proxy: straight to loopback
        if key:
            self.session.headers["X-API-Key"] = key

    def get(self, path: str, **kw) -> requests.Response:
        return self.session.get(self.url + path, timeout=kw.pop("timeout", 20), **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return self.session.post(self.url + path, timeout=kw.pop("timeout", 20), **kw)


def wait_for_server(
    port_file: Path, proc: subprocess.Popen | None = None, timeout: float = 15, key: str | None = None
) -> str:
    """Wait until the app wrote its port and answers ``/api/status``; its base URL."""
    deadline = time.monotonic() + timeout
    url = None
    last_error = "no port file yet"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode} before its Hook API answered")
        if url is None and port_file.exists():
            text = port_file.read_text().strip()
            if text.isdigit():
                url = f"http://127.0.0.1:{int(text)}"
        if url is not None:
            try:
                headers = {"X-API-Key": key} if key else {}
                if requests.get(url + "/api/status", headers=headers, timeout=2).status_code == 200:
                    return url
            except requests.RequestException as e:
                last_error = str(e)
        time.sleep(0.05)
    raise TimeoutError(f"the Hook API did not answer within {timeout:g} s ({last_error})")


@dataclass
class LiveApp:
    proc: subprocess.Popen
    url: str
    http: Http
    log_path: Path
    home: Path
    extra: dict = field(default_factory=dict)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_app(
    sloppy_cmd: list[str], home: Path, args: list[str], env: dict | None = None, timeout: float = 15
) -> LiveApp:
    """Start the app with the Hook API on a free port and wait until it answers."""
    port_file = home / "hook_port"
    log_path = home / "app.log"
    full_env = {**os.environ, "SLOPPY_HOOK_PORT_FILE": str(port_file), **(env or {})}
    cmd = [*sloppy_cmd, "--enable-test-hooks", "--hook-port", "0", *args]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=home, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        key = (env or {}).get("SLOPPY_API_KEY")
        url = wait_for_server(port_file, proc, timeout=timeout, key=key)
    except (RuntimeError, TimeoutError) as e:
        stop_app(proc)
        raise RuntimeError(f"{e}; the app said:\n{log_path.read_text(errors='replace')}") from None
    return LiveApp(proc=proc, url=url, http=Http(url, key), log_path=log_path, home=home)


def quit_via_api(app: LiveApp, timeout: float = 10) -> None:
    """Run the ``app.quit`` command through the Hook API and wait for the process to end."""
    try:
        app.http.post("/api/commands/app.quit", timeout=5)
        app.proc.wait(timeout)
    except (requests.RequestException, subprocess.TimeoutExpired):
        pass  # stop_app escalates


def stop_app(proc: subprocess.Popen, timeout: float = 10) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return proc.returncode
