"""Where the Hook API listens and whether it asks for a key. Standard library only.

- Host: ``--web-host HOST``, or 127.0.0.1 with ``--enable-test-hooks``
  (``controller.options["web_host"]``).
- Port: ``--hook-port PORT`` (``controller.options["hook_port"]``), else
  ``[web] port`` in the config, else :data:`DEFAULT_PORT`; 0 picks a free port. The port actually bound is printed
  to stdout and written to a port file: ``$SLOPPY_HOOK_PORT_FILE`` when set,
  else ``$XDG_STATE_HOME/sloppy/hook_port``.
- API key: read from the environment variable named by ``[web] api_key_env``
  in the config (default ``SLOPPY_API_KEY``). A host other than loopback
  refuses to start without one. When a key is set it is required on every
  endpoint, loopback included, in the ``X-API-Key`` header.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from src.core.paths import config_dir

DEFAULT_PORT = 8765
DEFAULT_KEY_ENV = "SLOPPY_API_KEY"
PORT_FILE_ENV = "SLOPPY_HOOK_PORT_FILE"
API_KEY_HEADER = "X-API-Key"


class WebConfigError(ValueError):
    """The Hook API cannot start as configured; the message says what to do."""


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    api_key: str | None = None  # required in X-API-Key when set
    key_env: str = DEFAULT_KEY_ENV  # where the key came from (a name, never the value)
    port_file: Path | None = None

    @property
    def key_required(self) -> bool:
        return self.api_key is not None

    def __repr__(self) -> str:  # never print the key
        key = "set" if self.api_key else "unset"
        return f"WebSettings(host={self.host!r}, port={self.port}, api_key={key}, port_file={self.port_file})"


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and any loopback address (127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere, so treat it as remote


def state_dir() -> Path:
    """``$XDG_STATE_HOME/sloppy`` on Linux; the config folder elsewhere."""
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        return Path(base) / "sloppy"
    return config_dir()


def default_port_file() -> Path:
    env = os.environ.get(PORT_FILE_ENV)
    return Path(env) if env else state_dir() / "hook_port"


def resolve(options: dict[str, Any], config: Any) -> WebSettings:
    """Settings from the controller's options and config; raises :class:`WebConfigError`."""
    host = str(options.get("web_host") or "127.0.0.1").strip()
    if not host:
        raise WebConfigError("--web-host is empty; give an address such as 127.0.0.1")
    port = options.get("hook_port")
    if port is None and config is not None:
        port = config.get("web", "port", None)
    if port is None:
        port = DEFAULT_PORT
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise WebConfigError(f"--hook-port must be a number from 0 to 65535, not {port!r}")
    key_env = config.get("web", "api_key_env", None) if config is not None else None
    key_env = str(key_env or DEFAULT_KEY_ENV)
    api_key = os.environ.get(key_env) or None
    if not is_loopback(host) and api_key is None:
        raise WebConfigError(
            f"refusing to serve the Hook API on {host} without an API key: set {key_env} "
            "(or name another variable in [web] api_key_env), or use a loopback host such as 127.0.0.1"
        )
    return WebSettings(host=host, port=port, api_key=api_key, key_env=key_env, port_file=default_port_file())
