"""The lean core of Sloppy: hook specs, discovery, config and the controller.

Imports nothing but the standard library and pluggy (and imgui-bundle in
``src.core.gui``). Plugins import from here; the core never imports a plugin.
"""

from src.core.hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl"]
