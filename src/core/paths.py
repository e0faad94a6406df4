"""Where Sloppy keeps its files, per platform, without third-party helpers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "sloppy"


def _home() -> Path:
    return Path.home()


def config_dir() -> Path:
    """The user config folder: ``$XDG_CONFIG_HOME/sloppy`` on Linux."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or _home() / "AppData" / "Roaming") / APP
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support" / APP
    return Path(os.environ.get("XDG_CONFIG_HOME") or _home() / ".config") / APP


def state_dir() -> Path:
    """The user state folder (what the app remembers between runs): ``$XDG_STATE_HOME/sloppy`` on Linux."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or _home() / "AppData" / "Local") / APP
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support" / APP / "State"
    return Path(os.environ.get("XDG_STATE_HOME") or _home() / ".local" / "state") / APP


def log_dir() -> Path:
    """The user log folder: ``$XDG_STATE_HOME/sloppy/log`` on Linux."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or _home() / "AppData" / "Local") / APP / "Logs"
    if sys.platform == "darwin":
        return _home() / "Library" / "Logs" / APP
    return Path(os.environ.get("XDG_STATE_HOME") or _home() / ".local" / "state") / APP / "log"


def default_config_path() -> Path:
    """``SLOPPY_CONFIG`` if set, else ``config.toml`` in :func:`config_dir`."""
    env = os.environ.get("SLOPPY_CONFIG")
    return Path(env) if env else config_dir() / "config.toml"


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
