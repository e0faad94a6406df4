"""Hook specifications: the public plugin API of Sloppy.

A plugin is a module (or any object) whose functions are marked with
``src.core.hookimpl`` and named after one of the hooks below. Plugins are
declared as entry points in the ``sloppy.plugins`` group; Sloppy imports each
enabled one on a background ``controller-io-N`` thread, registers it, runs its
:func:`sloppy_plugin_setup`, collects its contributions and only then announces
it ready. Hooks are called with keyword arguments; an implementation may accept
any subset of a hook's arguments.

Threads: unless a hook says otherwise it runs on the controller's *writer*
thread, the single thread that mutates application state. A hook running there
must return quickly; slow work belongs in :func:`sloppy_plugin_setup` or on the
pool (``controller.submit_io``).

Nothing here imports a plugin, and the core never imports a plugin by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT = "sloppy"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -- Lifecycle --------------------------------------------------------------


@hookspec
def sloppy_plugin_setup(controller: Any) -> None:
    """Prepare this plugin for use, on a ``controller-io-N`` pool thread.

    Called once per plugin, for that plugin only, right after it has been
    registered and before it is announced ready. Do the slow one-time work
    here: build SDK clients, precompute tables, start a server and wait until
    it accepts connections.

    :param controller: the running ``AppController``.

    Raising marks the plugin *failed* with the exception as its reason; the
    plugin is then unregistered and the rest of the app carries on.
    """


@hookspec
def sloppy_shutdown(controller: Any) -> None:
    """The application is shutting down.

    Called once on the writer thread, on every ready plugin, before the pool
    stops. Stop servers, close clients and connections. Must return within a
    second or two: shutdown does not wait for a plugin that hangs here longer
    than the controller's shutdown budget.
    """


# -- Contributions ----------------------------------------------------------


@hookspec
def sloppy_register_providers(register: Callable[[Any], None]) -> None:
    """Contribute model providers.

    Called once for this plugin when it becomes ready (after
    :func:`sloppy_plugin_setup`). Call ``register(provider)`` for each
    provider, an object following ``src.core.providers.Provider``: a unique
    ``name``, a ``label``, ``models`` with a ``default_model``, a
    ``key_status()`` and an async ``stream(request)``.
    """


@hookspec
def sloppy_register_themes(register: Callable[[Any], None]) -> None:
    """Contribute themes.

    Called once for this plugin when it becomes ready. Call
    ``register(theme)`` for each theme, an object following
    ``src.core.themes.Theme``: ``name``, ``label``, ``apply()`` (sets the
    imgui style, called on the GUI thread) and optionally
    ``draw_background(draw_list, size, t)`` called every frame while active.
    """


@hookspec
def sloppy_register_commands(register: Callable[[Any], None]) -> None:
    """Contribute commands to the command palette and the Hook API.

    Called once for this plugin when it becomes ready. Call
    ``register(command)`` with ``src.core.commands.Command`` objects. Commands
    that this plugin also declares in its distribution metadata are shown
    ("loading…") before the plugin is imported; registering them here makes
    them runnable.

    Declaring them: one entry point per command in the ``sloppy.commands``
    group, named ``"<plugin>:<command id>"`` with the title as its value::

        [project.entry-points."sloppy.commands"]
        "myplugin:greet.hello" = "Greet: say hello"

    The catalog reads them as metadata (``PluginInfo.commands``) without
    importing the plugin. Running a declared command before its plugin is
    ready waits for the plugin (shown in the palette) instead of failing; a
    declared command the plugin never registers is reported as missing.
    """


@hookspec
def sloppy_web_routes(router: Any, controller: Any) -> None:
    """Add HTTP routes to the Hook API.

    Called by the web plugin, once per ready plugin, with a FastAPI
    ``APIRouter`` mounted under ``/api/plugins/<name>/``. Only called when the
    Hook API is enabled. Handlers must not block the event loop.
    """


@hookspec
def sloppy_gui_frame(gui: Any) -> None:
    """Draw this plugin's part of the window, once per frame.

    Called on the GUI thread, after the panels, for ready plugins only, with
    the running ``src.core.gui`` application object. Use imgui calls to draw
    windows and popups. Keep it cheap: a frame is 16 ms. Never import here.
    """


# -- Readiness ----------------------------------------------------------------


@hookspec(historic=True)
def sloppy_plugin_ready(info: Any) -> None:
    """A plugin finished its warm-up and is ready for use.

    :param info: a snapshot (``src.core.warmup.PluginStatus``) of that
        plugin: name, kind, state ``"ready"``, import time, thread.

    Historic: a plugin registered later is called for every plugin that
    became ready before it, so subscribers never miss an announcement. Called
    on the writer thread: an implementation that drives a user interface
    should only enqueue and let its own loop apply the change.
    """


@hookspec(historic=True)
def sloppy_plugin_failed(info: Any) -> None:
    """A plugin could not be warmed up and is marked failed.

    :param info: a ``PluginStatus`` snapshot whose ``error`` says why (the
        exception, a timeout, a bad hook signature) and whose ``traceback``
        holds the details.

    Historic, and called on the writer thread, like
    :func:`sloppy_plugin_ready`.
    """


@hookspec(historic=True)
def sloppy_warmup_complete(status: Any) -> None:
    """Every enabled plugin is either ready or failed.

    :param status: the final ``WarmupStatus`` snapshot.

    Called once per warm-up (again after a plugin is retried, enabled or
    reloaded and that warm-up settles). Historic, writer thread.
    """
