"""AppController: the pool, the writer, the warm-up and the plugin lookup.

Threads:

- ``controller-io-N`` (4): the one shared pool for background work: discovery,
  plugin imports and set-up, file I/O. ``submit_io(fn)``.
- ``controller-async``: an asyncio event loop. It runs provider calls and is
  the *single writer*: plugin registration and every change to application
  state happen there; other threads ``post()`` to it.

The controller never imports a plugin by name: it imports what the entry points
name, on the pool, and hands the module to the writer.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import gc
import importlib
import itertools
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pluggy

from src.core import hookspecs, import_times
from src.core.catalog import Catalog, PluginInfo, discover
from src.core.config import Config, env_disabled_plugins
from src.core.import_queue import ImportQueue
from src.core.profiler import StartupProfiler
from src.core.warmup import PluginStatus, State, WarmupStatus

log = logging.getLogger(__name__)

POOL_SIZE = 4
# After this long an import no longer keeps the next one waiting (src/core/import_queue.py).
IMPORT_LEASE_S = 3.0
WARMING_GRACE_S = 0.3  # how long shutdown waits for warm-up jobs (a hanging import is not waited for)
# Hooks the core calls on every plugin at once: an exception raised in one
# plugin's implementation fails that plugin and must not stop the others.
_GUARDED_HOOKS = frozenset(
    {"sloppy_plugin_ready", "sloppy_plugin_failed", "sloppy_warmup_complete", "sloppy_shutdown", "sloppy_web_routes"}
)
# Contribution kind -> the hook that collects it and the attribute that keys it.
CONTRIBUTIONS = {
    "providers": ("sloppy_register_providers", "name"),
    "themes": ("sloppy_register_themes", "name"),
    "commands": ("sloppy_register_commands", "id"),
}


class PluginUnavailable(LookupError):
    """Raised by :meth:`AppController.require` for a plugin that is not ready."""

    def __init__(self, name: str, state: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.state = state


class HookRaised(RuntimeError):
    """A plugin's hook implementation raised while the core called it."""


class AppController:
    def __init__(
        self,
        config: Config,
        *,
        profiler: StartupProfiler | None = None,
        disabled: set[str] | None = None,
        disabled_kinds: dict[str, str] | None = None,
        options: dict[str, Any] | None = None,
        discover_fn: Callable[[], Catalog] = discover,
        mode: str = "headless",
    ) -> None:
        self.config = config
        self.profiler = profiler or StartupProfiler()
        self.mode = mode
        self.started_at = time.time()
        self._cli_disabled = set(disabled or ())
        # kind -> why plugins of that kind stay off (e.g. the Hook API without its flag)
        self._disabled_kinds = dict(disabled_kinds or {})
        # command-line options plugins may read (web host and port, project folder…)
        self.options: dict[str, Any] = dict(options or {})
        # Set by the CLI once built: the chat session (src.core.chat), the
        # theme selection, and the GUI application (None when headless).
        self.chat: Any = None
        self.appearance: Any = None
        self.gui: Any = None
        self._discover = discover_fn
        self._import_times_path = import_times.default_path()
        self._last_import_ms: dict[str, float] = {}  # from the last run: the quick ones are imported first
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)

        self._lock = threading.RLock()
        self._statuses: dict[str, PluginStatus] = {}
        self._catalog: Catalog | None = None
        self._modules: dict[str, Any] = {}  # ready plugins only
        self._contrib: dict[str, dict[str, tuple[str, Any]]] = {k: {} for k in CONTRIBUTIONS}
        self._warmup_started_ms: float | None = None
        self._warmup_finished_ms: float | None = None
        self._done = threading.Event()
        self._done_callbacks: list[Callable[[WarmupStatus], None]] = []
        self._gc_paused = False
        self._stopping = False
        # One plugin import at a time (why: src/core/import_queue.py); writer thread.
        self._imports = ImportQueue(self._start_import, self._import_wanted, self._call_later, IMPORT_LEASE_S)

        self._thread_ids = itertools.count(1)
        # "warming": pool jobs importing a plugin; shutdown need not wait for them.
        self._pool_stats = {"submitted": 0, "completed": 0, "busy": 0, "warming": 0}
        self._pool = cf.ThreadPoolExecutor(max_workers=POOL_SIZE, initializer=self._name_pool_thread)
        self.loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(target=self._run_loop, name="controller-async", daemon=True)

    # -- threads ------------------------------------------------------------

    def _name_pool_thread(self) -> None:
        threading.current_thread().name = f"controller-io-{next(self._thread_ids)}"

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            # Stopped by shutdown(): let short tasks (clients closing) finish,
            # cancel the rest (streams close their connections on cancel),
            # then release the loop's file descriptors.
            tasks = asyncio.all_tasks(self.loop)
            if tasks:
                _, pending = self.loop.run_until_complete(asyncio.wait(tasks, timeout=0.3))
                for task in pending:
                    task.cancel()
                if pending:
                    self.loop.run_until_complete(asyncio.wait(pending, timeout=0.5))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def submit_io(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        """Run ``fn(*args)`` on the shared pool."""
        with self._lock:
            self._pool_stats["submitted"] += 1

        def job() -> Any:
            with self._lock:
                self._pool_stats["busy"] += 1
            try:
                return fn(*args)
            finally:
                with self._lock:
                    self._pool_stats["busy"] -= 1
                    self._pool_stats["completed"] += 1

        return self._pool.submit(job)

    def pool_status(self) -> dict:
        with self._lock:
            stats = dict(self._pool_stats)
        threads = sorted(t.name for t in threading.enumerate() if t.name.startswith("controller-io-"))
        return {
            "size": POOL_SIZE,
            "threads": threads,
            "busy": stats["busy"],
            "idle": max(0, len(threads) - stats["busy"]),
            "queued": max(0, stats["submitted"] - stats["completed"] - stats["busy"]),
            "submitted": stats["submitted"],
            "completed": stats["completed"],
        }

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the writer thread, soon; do not wait."""
        if self.on_writer():
            fn(*args)
            return
        try:
            self.loop.call_soon_threadsafe(self._run_posted, fn, args, None)
        except RuntimeError:  # the loop is closed: the app is shutting down
            log.debug("dropped a job posted after shutdown: %r", fn)

    def call_on_writer(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        """Run ``fn(*args)`` on the writer thread; a future of its result."""
        future: cf.Future = cf.Future()
        if self.on_writer():
            self._run_posted(fn, args, future)
            return future
        try:
            self.loop.call_soon_threadsafe(self._run_posted, fn, args, future)
        except RuntimeError as e:  # the loop is closed: the app is shutting down
            future.set_exception(RuntimeError(f"the controller is shut down: {e}"))
        return future

    @staticmethod
    def _run_posted(fn: Callable[..., Any], args: tuple, future: cf.Future | None) -> None:
        try:
            result = fn(*args)
        except BaseException as e:
            if future is None:
                log.exception("error in a job posted to the writer")
            else:
                future.set_exception(e)
        else:
            if future is not None:
                future.set_result(result)

    def on_writer(self) -> bool:
        return threading.current_thread() is self._loop_thread

    def run_async(self, coro: Any) -> cf.Future:
        """Schedule a coroutine on the asyncio worker; a concurrent future of its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    # -- start and warm-up --------------------------------------------------

    def start(self, *, warm: bool = True) -> None:
        """Start the worker thread and (unless ``warm=False``) the warm-up; returns at once."""
        with self.profiler.phase("controller.start"):
            self._loop_thread.start()
        if warm:
            self.start_warmup()

    def start_warmup(self) -> None:
        """Discover and warm the plugins on the pool (once; later calls do nothing).

        The GUI calls it at its first visible frame: imports started earlier
        compete with the window's creation for the two cores and the GIL.
        """
        with self._lock:
            if self._warmup_started_ms is not None:
                return
            self._warmup_started_ms = self.profiler.now_ms()
        self.submit_io(self._discover_and_warm)

    def import_plugins_now(self) -> None:
        """Benchmark only (``SLOPPY_BENCH_EAGER=1``): import every enabled plugin on this thread, now.

        This is the naive start-up the warm-up replaces; ``scripts/bench_startup.py``
        measures what the architecture buys against it. The warm-up still runs
        later and finds the modules loaded.
        """
        with self.profiler.phase("plugins.import_eagerly"):
            for info in self._discover().plugins.values():
                if self._disabled_reason(info) is None:
                    try:
                        _load(info.module)
                    except BaseException:  # noqa: BLE001 - the warm-up reports it
                        log.warning("eager import of %s failed", info.name)

    def register_subscriber(self, plugin: object, name: str) -> None:
        """Register a core-side object (e.g. the GUI) for hooks, through the writer."""
        self.call_on_writer(self.pm.register, plugin, name).result()

    def _discover_and_warm(self) -> None:
        with self.profiler.phase("plugins.discover"):
            try:
                catalog = self._discover()
            except Exception:
                log.exception("plugin discovery failed; starting without plugins")
                catalog = Catalog()
        self.post(self._begin_warmup, catalog, import_times.load(self._import_times_path))

    def _disabled_reason(self, info: PluginInfo) -> str | None:
        if info.name in self._cli_disabled:
            return "disabled with --disable"
        if info.name in env_disabled_plugins():
            return "disabled by SLOPPY_DISABLE_PLUGINS"
        if info.name in self.config.disabled_plugins():
            return f"disabled in {self.config.path}"
        return self._disabled_kinds.get(info.kind)

    def _begin_warmup(self, catalog: Catalog, last_import_ms: dict[str, float]) -> None:  # writer
        installed = set(catalog.plugins)
        for source, names in (
            ("config", self.config.disabled_plugins()),
            ("--disable", self._cli_disabled),
            ("SLOPPY_DISABLE_PLUGINS", env_disabled_plugins()),
        ):
            for name in sorted(names - installed):
                log.warning("%s names plugin %r, which is not installed; ignored", source, name)
        with self._lock:
            self._catalog = catalog
            for info in catalog.plugins.values():
                reason = self._disabled_reason(info)
                enabled = reason is None
                self._statuses[info.name] = PluginStatus(
                    name=info.name,
                    kind=info.kind,
                    distribution=info.distribution,
                    version=info.version,
                    module=info.module,
                    enabled=enabled,
                    state=State.PENDING if enabled else State.DISABLED,
                    note=reason,
                )
        for conflict in catalog.conflicts:
            log.warning("%s", conflict.reason())
        self._last_import_ms = last_import_ms
        # Quickest first (by last run's import time; a new plugin counts as quick), else discovery order.
        for info in sorted(catalog.plugins.values(), key=lambda info: last_import_ms.get(info.name, 0.0)):
            if self._statuses[info.name].enabled:
                self._schedule_warm(info)
        self._check_done()

    def _schedule_warm(self, info: PluginInfo) -> None:  # writer
        with self._lock:
            status = self._statuses[info.name]
            status.attempt += 1
            status.state, status.error, status.traceback = State.PENDING, None, None
            attempt = status.attempt
            self._done.clear()
            self._warmup_finished_ms = None
        if self.config.pause_gc() and not self._gc_paused:
            # Full collections while the SDKs build their models hold the GIL
            # for 100+ ms and stall frames; collect once the imports are done.
            self._gc_paused = True
            gc.disable()
        self._imports.add((info.name, attempt), info)

    def _start_import(self, key: tuple[str, int], info: PluginInfo) -> None:  # writer
        self.submit_io(self._warm, info, key[1])

    def _import_wanted(self, key: tuple[str, int]) -> bool:  # writer
        with self._lock:
            status = self._current(*key)
            return status is not None and status.state is State.PENDING and not self._stopping

    def _call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> None:  # writer
        self.loop.call_later(delay, fn, *args)

    def _warm(self, info: PluginInfo, attempt: int) -> None:  # pool
        with self._lock:
            self._pool_stats["warming"] += 1
        try:
            self._warm_plugin(info, attempt)
        finally:
            with self._lock:
                self._pool_stats["warming"] -= 1

    def _warm_plugin(self, info: PluginInfo, attempt: int) -> None:  # pool
        name = info.name
        stage = "import"
        self.post(self._set_importing, name, attempt, threading.current_thread().name, self.profiler.now_ms())
        t0 = time.perf_counter()
        try:
            try:
                plugin = _load(info.module)
            finally:
                self.post(self._imports.finished, (name, attempt))
            import_ms = (time.perf_counter() - t0) * 1000
            stage = "registration"
            self._wait_for_writer(self.call_on_writer(self._register, name, plugin, attempt))
            stage = "sloppy_plugin_setup"
            _call_own(self.pm, plugin, "sloppy_plugin_setup", controller=self)
            contributions = {}
            for kind, (hook, key) in CONTRIBUTIONS.items():
                stage = hook
                contributions[kind] = _collect(self.pm, plugin, hook, key)
        except BaseException as e:  # noqa: BLE001 - SystemExit and KeyboardInterrupt in an import too
            self.post(self._fail, name, attempt, f"{stage} failed: {_describe(e)}", traceback.format_exc())
            return
        duration = (time.perf_counter() - t0) * 1000
        self.post(self._set_ready, name, attempt, plugin, contributions, import_ms, duration)

    def _wait_for_writer(self, future: cf.Future) -> Any:  # pool
        """The writer's answer; gives up when the app shuts down meanwhile."""
        while True:
            try:
                return future.result(timeout=0.2)
            except cf.TimeoutError:
                if self._stopping:
                    raise RuntimeError("the app is shutting down") from None

    def _current(self, name: str, attempt: int) -> PluginStatus | None:
        status = self._statuses.get(name)
        return status if status is not None and status.attempt == attempt else None

    def _set_importing(self, name: str, attempt: int, thread: str, started_ms: float) -> None:  # writer
        with self._lock:
            status = self._current(name, attempt)
            if status is None or status.state is not State.PENDING:
                return
            status.state, status.thread, status.started_ms = State.IMPORTING, thread, round(started_ms, 3)
        # The clock starts with the import itself, not while the plugin waited for its turn.
        self.loop.call_later(self.config.warmup_timeout_s(), self._check_timeout, name, attempt)

    def _register(self, name: str, plugin: Any, attempt: int) -> None:  # writer
        status = self._current(name, attempt)
        if status is None or status.state is not State.IMPORTING or self._stopping:
            raise RuntimeError("warm-up superseded (timed out, disabled or shutting down)")
        if self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)
        try:
            self.pm.register(plugin, name=name)
            _check_known_hooks(self.pm, plugin)
        except BaseException as e:
            if self.pm.get_plugin(name) is not None:
                self.pm.unregister(name=name)
            if isinstance(e, pluggy.PluginValidationError):
                raise
            # pluggy replays the historic hooks (plugin ready/failed…) into a
            # new plugin while registering it: one of its implementations raised.
            raise HookRaised(f"a hook raised while it heard earlier announcements: {_describe(e)}") from e
        self._guard_hooks(name, plugin)

    def _guard_hooks(self, name: str, plugin: Any) -> None:
        for caller in self.pm.get_hookcallers(plugin) or []:
            if caller.name not in _GUARDED_HOOKS:
                continue
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and not (impl.hookwrapper or impl.wrapper):
                    impl.function = self._guarded(name, caller.name, impl.function)

    def _guarded(self, name: str, hook: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as e:  # noqa: BLE001 - isolate the plugin
                log.error("plugin %r raised in %s: %s", name, hook, _describe(e))
                with self._lock:
                    attempt = self._statuses[name].attempt if name in self._statuses else 0
                self.post(self._fail, name, attempt, f"{hook} raised: {_describe(e)}", traceback.format_exc())
                return None

        return guarded

    def _set_ready(
        self, name: str, attempt: int, plugin: Any, contributions: dict, import_ms: float, duration: float
    ) -> None:  # writer
        with self._lock:
            status = self._current(name, attempt)
            if status is None or status.state is not State.IMPORTING:
                return
            status.state = State.READY
            status.import_ms = round(import_ms, 3)
            status.duration_ms = round(duration, 3)
            self._modules[name] = plugin
            for kind, items in contributions.items():
                merged = {k: v for k, v in self._contrib[kind].items() if v[0] != name}
                merged.update({key: (name, obj) for key, obj in items.items()})
                self._contrib[kind] = merged
            snapshot = replace(status)
        self.profiler.add(f"plugin:{name}", snapshot.started_ms or 0.0, duration)
        log.info("plugin %s ready in %.0f ms (%s)", name, duration, snapshot.thread)
        self._announce("sloppy_plugin_ready", info=snapshot)
        self._check_done()

    def _fail(self, name: str, attempt: int, error: str, tb: str | None) -> None:  # writer
        with self._lock:
            status = self._current(name, attempt)
            if status is None or status.state in (State.FAILED, State.DISABLED):
                return
            status.state, status.error, status.traceback = State.FAILED, error, tb
            self._drop(name)
            snapshot = replace(status)
        log.error("plugin %s failed: %s", name, error)
        self._announce("sloppy_plugin_failed", info=snapshot)
        self._check_done()

    def _drop(self, name: str) -> None:  # writer, under the lock
        self._modules.pop(name, None)
        for kind in self._contrib:
            self._contrib[kind] = {k: v for k, v in self._contrib[kind].items() if v[0] != name}
        if self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)

    def _check_timeout(self, name: str, attempt: int) -> None:  # writer
        with self._lock:
            status = self._current(name, attempt)
            hung = status is not None and not status.state.settled
        if hung:
            seconds = self.config.warmup_timeout_s()
            self._fail(name, attempt, f"import did not finish within {seconds:g} s (warmup_timeout_s)", None)

    def _announce(self, hook: str, **kwargs: Any) -> None:  # writer
        try:
            getattr(self.pm.hook, hook).call_historic(kwargs=kwargs)
        except Exception:
            log.exception("error announcing %s", hook)

    def _check_done(self) -> None:  # writer
        with self._lock:
            if self._catalog is None or self._done.is_set():
                return
            if not all(s.state.settled for s in self._statuses.values()):
                return
            self._warmup_finished_ms = round(self.profiler.now_ms(), 3)
            self._done.set()
            callbacks, self._done_callbacks = self._done_callbacks, []
        if self._gc_paused:
            self._gc_paused = False
            # No gc.collect() here: a full collection would hold the GIL for
            # 100+ ms and stall a frame. What the imports built is long-lived:
            # freeze it so later collections never walk it.
            gc.freeze()
            gc.enable()
        status = self.warmup_status()
        log.info(
            "warm-up done: %d ready, %d failed, %d disabled",
            len(status.by_state(State.READY)),
            len(status.by_state(State.FAILED)),
            len(status.by_state(State.DISABLED)),
        )
        self._announce("sloppy_warmup_complete", status=status)
        for callback in callbacks:
            _run_callback(callback, status)
        measured = {p.name: p.import_ms for p in status.by_state(State.READY) if p.import_ms is not None}
        if measured and not self._stopping:
            self.submit_io(
                import_times.save, self._import_times_path, import_times.updated(self._last_import_ms, measured)
            )

    # -- public queries -----------------------------------------------------

    def warmup_status(self) -> WarmupStatus:
        """A snapshot of every plugin's warm-up record."""
        with self._lock:
            catalog = self._catalog
            return WarmupStatus(
                plugins=[replace(s) for s in self._statuses.values()],
                conflicts=[c.reason() for c in catalog.conflicts] if catalog else [],
                discovered=catalog is not None,
                done=self._done.is_set(),
                started_ms=self._warmup_started_ms,
                finished_ms=self._warmup_finished_ms,
            )

    def catalog(self) -> Catalog | None:
        return self._catalog

    def is_warmup_done(self) -> bool:
        return self._done.is_set()

    def wait_for_warmup(self, timeout: float | None = None) -> bool:
        """Block until every enabled plugin is ready or failed; False on timeout."""
        return self._done.wait(timeout)

    def on_warmup_complete(self, callback: Callable[[WarmupStatus], None]) -> None:
        """Call ``callback(status)`` exactly once, when the warm-up is done.

        If it is done already, the callback runs at once on the calling
        thread; otherwise on the writer thread when the last plugin settles.
        """
        with self._lock:
            if not self._done.is_set():
                self._done_callbacks.append(callback)
                return
        _run_callback(callback, self.warmup_status())

    def require(self, name: str) -> Any:
        """The plugin ``name`` if it is ready; otherwise :class:`PluginUnavailable` saying why."""
        with self._lock:
            plugin = self._modules.get(name)
            if plugin is not None:
                return plugin
            status = self._statuses.get(name)
            discovered = self._catalog is not None
        if status is None:
            if not discovered:
                raise PluginUnavailable(
                    name, "pending", f"plugin {name!r} is not ready yet: plugins are being discovered"
                )
            raise PluginUnavailable(name, "unknown", f"no plugin named {name!r} is installed")
        if status.state is State.DISABLED:
            raise PluginUnavailable(
                name, "disabled", f"plugin {name!r} is disabled; enable it in the Plugins panel or the config"
            )
        if status.state is State.FAILED:
            raise PluginUnavailable(name, "failed", f"plugin {name!r} failed: {status.error}")
        raise PluginUnavailable(name, status.state.value, f"plugin {name!r} is not ready yet ({status.state.value})")

    def contributions(self, kind: str) -> dict[str, Any]:
        """Ready plugins' contributions of one kind (providers, themes, commands), by key."""
        return {key: obj for key, (_, obj) in self._contrib[kind].items()}

    def add_contributions(self, kind: str, owner: str, items: list[Any]) -> None:
        """Add the core's own contributions (the GUI's commands…), keyed like a plugin's."""
        _, key = CONTRIBUTIONS[kind]

        def add() -> None:
            with self._lock:
                merged = dict(self._contrib[kind])
                merged.update({str(getattr(obj, key)): (owner, obj) for obj in items})
                self._contrib[kind] = merged

        if self._loop_thread.is_alive():
            self.post(add)
        else:
            add()

    def contributor(self, kind: str, key: str) -> str | None:
        entry = self._contrib[kind].get(key)
        return entry[0] if entry else None

    def providers(self) -> dict[str, Any]:
        return self.contributions("providers")

    def themes(self) -> dict[str, Any]:
        return self.contributions("themes")

    def commands(self) -> dict[str, Any]:
        return self.contributions("commands")

    # -- changing plugins at run time ---------------------------------------

    def retry(self, name: str) -> None:
        """Warm a failed plugin again."""
        self.post(self._retry, name)

    def _retry(self, name: str) -> None:  # writer
        info = self._catalog.plugins.get(name) if self._catalog else None
        with self._lock:
            status = self._statuses.get(name)
        if info is not None and status is not None and status.state is State.FAILED:
            self._schedule_warm(info)

    def set_enabled(self, name: str, enabled: bool, *, save: bool = True) -> cf.Future:
        """Enable (warm now) or disable (unregister now) a plugin; saved to the config.

        A disabled plugin's module stays imported until restart: Python cannot
        unload it. The future resolves to ``None`` or raises if saving failed.
        """
        return self.call_on_writer(self._set_enabled, name, enabled, save)

    def _set_enabled(self, name: str, enabled: bool, save: bool) -> None:  # writer
        info = self._catalog.plugins.get(name) if self._catalog else None
        if info is None:
            raise KeyError(f"no plugin named {name!r} is installed")
        self._cli_disabled.discard(name)
        self._disabled_kinds.pop(info.kind, None)
        self.config.set_plugin_enabled(name, enabled)
        with self._lock:
            status = self._statuses[name]
            status.enabled = enabled
            status.note = None if enabled else "disabled now; its module stays loaded until restart"
            if not enabled:
                status.attempt += 1  # ignore a warm-up still in flight
                status.state, status.error, status.traceback = State.DISABLED, None, None
                self._drop(name)
        if enabled and status.state in (State.DISABLED, State.FAILED):
            self._schedule_warm(info)
        else:
            self._check_done()
        if save:
            self.config.save()

    def reload(self, name: str) -> None:
        """Re-import a plugin's module on the pool and register it again (for plugin authors)."""
        self.post(self._reload, name)

    def _reload(self, name: str) -> None:  # writer
        info = self._catalog.plugins.get(name) if self._catalog else None
        if info is None:
            return
        with self._lock:
            self._drop(name)
        module_name = info.module.split(":", 1)[0]
        loaded = sys.modules.get(module_name)
        if loaded is not None:
            self.submit_io(_reload_quietly, loaded).add_done_callback(lambda _f: self.post(self._schedule_warm, info))
        else:
            self._schedule_warm(info)

    # -- shutdown -----------------------------------------------------------

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Stop plugins, the worker and the pool within ``timeout`` seconds.

        Returns False when some pool job (say, a hanging import) was still
        running: the caller should then leave with ``os._exit``.
        """
        deadline = time.monotonic() + timeout
        self._stopping = True
        self._imports.close()
        if self._loop_thread.is_alive():
            future = self.call_on_writer(self._announce_shutdown)
            try:
                future.result(timeout=max(0.1, deadline - time.monotonic()))
            except (cf.TimeoutError, Exception):  # noqa: BLE001
                log.warning("plugins did not finish shutting down in time")
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._loop_thread.join(max(0.1, deadline - time.monotonic()))
        self._pool.shutdown(wait=False, cancel_futures=True)
        # Wait for jobs that may be saving the user's work; a plugin import
        # still running holds nothing of theirs and is waited for only briefly
        # (a warm-up job that has just announced its plugin is finishing).
        grace_end = min(deadline, time.monotonic() + WARMING_GRACE_S)
        while time.monotonic() < deadline:
            with self._lock:
                busy, warming = self._pool_stats["busy"], self._pool_stats["warming"]
            if busy == 0 or (busy <= warming and time.monotonic() >= grace_end):
                break
            time.sleep(0.02)
        if self._gc_paused:
            gc.enable()
        return self.pool_status()["busy"] == 0

    def _announce_shutdown(self) -> None:  # writer
        try:
            self.pm.hook.sloppy_shutdown(controller=self)
        except Exception:
            log.exception("error in sloppy_shutdown")


def _load(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    obj = importlib.import_module(module_name.strip())
    for part in filter(None, attr.strip().split(".")):
        obj = getattr(obj, part)
    return obj


def _check_known_hooks(pm: pluggy.PluginManager, plugin: Any) -> None:
    """Reject an implementation of a hook that has no spec (a typo, or an old API)."""
    for caller in pm.get_hookcallers(plugin) or []:
        if caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            if impl.plugin is plugin and not impl.optionalhook:
                raise pluggy.PluginValidationError(
                    plugin, f"unknown hook {caller.name!r}: no such hook in src/core/hookspecs.py"
                )


def _reload_quietly(module: Any) -> None:
    try:
        importlib.reload(module)
    except Exception:
        log.exception("reloading %s failed", module.__name__)


def _own_impls(pm: pluggy.PluginManager, plugin: Any, hook: str) -> list:
    return [impl for impl in getattr(pm.hook, hook).get_hookimpls() if impl.plugin is plugin]


def _call_own(pm: pluggy.PluginManager, plugin: Any, hook: str, **kwargs: Any) -> None:
    """Call ``hook`` on one plugin only (pluggy passes the arguments it names)."""
    for impl in _own_impls(pm, plugin, hook):
        impl.function(*(kwargs[arg] for arg in impl.argnames))


def _collect(pm: pluggy.PluginManager, plugin: Any, hook: str, key: str) -> dict[str, Any]:
    items: dict[str, Any] = {}

    def register(obj: Any) -> None:
        items[str(getattr(obj, key))] = obj

    _call_own(pm, plugin, hook, register=register)
    return items


def _describe(e: BaseException) -> str:
    if isinstance(e, SystemExit):
        return f"the plugin called sys.exit({e.code!r})"
    text = str(e)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _run_callback(callback: Callable[[WarmupStatus], None], status: WarmupStatus) -> None:
    try:
        callback(status)
    except Exception:
        log.exception("error in a warm-up completion callback")
