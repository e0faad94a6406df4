"""Which server runs for which controller.

Kept apart from ``plugin.py`` so that reloading the plugin module (a plugin
author's "reload") does not forget a running server: the new set-up stops the
old one first and takes over its port.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

_lock = threading.Lock()
_servers: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def put(controller: Any, server: Any) -> Any:
    """Record ``server`` for ``controller``; return the one it replaces, if any."""
    with _lock:
        old = _servers.get(controller)
        _servers[controller] = server
        return old


def pop(controller: Any) -> Any:
    with _lock:
        return _servers.pop(controller, None)


def get(controller: Any) -> Any:
    with _lock:
        return _servers.get(controller)
