"""Is there a display to open a window on? Answered without touching GLFW."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

NO_DISPLAY = "no display found: set DISPLAY or use --headless"


def display_problem(env: dict[str, str] | None = None) -> str | None:
    """``None`` when a window can open; otherwise the message to show the user.

    On Linux and the BSDs a window needs an X server (``DISPLAY``) or a
    Wayland compositor (``WAYLAND_DISPLAY``) that accepts connections; the
    check connects to its socket with a short timeout, so a stale ``DISPLAY``
    fails in well under a second instead of as a GLFW traceback.
    """
    env = os.environ if env is None else env
    if sys.platform in ("win32", "darwin"):
        return None
    if _wayland_reachable(env) or _x_reachable(env.get("DISPLAY", "")):
        return None
    display = env.get("DISPLAY")
    if display:
        return f"{NO_DISPLAY} (cannot connect to DISPLAY={display})"
    return NO_DISPLAY


def _x_reachable(display: str) -> bool:
    if not display:
        return False
    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        return _unix_socket_accepts(f"/tmp/.X11-unix/X{number}")
    try:
        with socket.create_connection((host, 6000 + int(number)), timeout=1.0):
            return True
    except OSError:
        return False


def _wayland_reachable(env: dict[str, str]) -> bool:
    name = env.get("WAYLAND_DISPLAY")
    if not name:
        return False
    path = Path(name) if os.path.isabs(name) else Path(env.get("XDG_RUNTIME_DIR", "/nonexistent")) / name
    return _unix_socket_accepts(str(path))


def _unix_socket_accepts(path: str) -> bool:
    if not os.path.exists(path):
        return False
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(1.0)
    try:
        sock.connect(path)
        return True
    except OSError:
        return False
    finally:
        sock.close()
