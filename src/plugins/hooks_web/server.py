"""The uvicorn server on its own thread: bind, start, announce, stop.

:meth:`HookServer.start` binds the socket itself (so a busy port fails at once
with a clear reason), runs uvicorn on a dedicated thread named ``hooks-web``
with its own event loop (uvicorn installs no signal handlers off the main
thread) and returns only once the server accepts connections. It then prints
the address and writes the port to the port file. :meth:`HookServer.stop`
closes the socket and joins the thread within a bounded time.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from src.plugins.hooks_web.app import build_app
from src.plugins.hooks_web.context import WebContext
from src.plugins.hooks_web.settings import WebSettings

log = logging.getLogger(__name__)

THREAD_NAME = "hooks-web"
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 1.5
GRACEFUL_S = 0.5
WATCH_INTERVAL_S = 0.5  # in-flight requests get this long to finish when stopping


class HookServerError(RuntimeError):
    """The server could not start; the message says why and what to do."""


class HookServer:
    """One server. ``still_wanted`` (optional) is polled on the server's loop: when it
    answers False twice in a row (its plugin was disabled or failed at run time), the
    server stops itself and frees its port."""

    def __init__(self, controller: Any, settings: WebSettings, still_wanted: Callable[[], bool] | None = None) -> None:
        self.controller = controller
        self.settings = settings
        self.still_wanted = still_wanted
        self.ctx = WebContext(controller=controller, settings=settings)
        self.app, self.plugin_routes = build_app(self.ctx)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._port_file_written: Path | None = None
        self.subscriber_name: str | None = None  # its plugin-ready subscriber, registered by the plugin

    # -- properties ----------------------------------------------------------

    @property
    def port(self) -> int:
        return self.ctx.port

    @property
    def url(self) -> str:
        host = self.settings.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- start ---------------------------------------------------------------

    def start(self, timeout: float = START_TIMEOUT_S) -> None:
        """Bind, serve on the ``hooks-web`` thread, return once connections are accepted."""
        if self._thread is not None:
            raise HookServerError("this Hook API server was already started; make a new one")
        sock = bind_socket(self.settings.host, self.settings.port)
        self.ctx.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            lifespan="off",
            log_config=None,
            access_log=False,
            ws="none",
            http="h11",
            server_header=False,
            timeout_graceful_shutdown=GRACEFUL_S,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, args=(sock,), name=THREAD_NAME, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                sock.close()
                why = f": {self._error}" if self._error else f" within {timeout:g} s"
                raise HookServerError(f"the Hook API server did not start on {self.url}{why}")
            time.sleep(0.01)
        self._check_accepts(deadline)
        self._announce()

    def _serve(self, sock: socket.socket) -> None:  # hooks-web thread
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self.plugin_routes.loop = loop
        try:
            loop.run_until_complete(self._serve_until_unwanted(sock))
        except BaseException as e:
            self._error = e
            log.exception("Hook API server stopped with an error")
        finally:
            try:
                _cancel_leftovers(loop)
            finally:
                self.plugin_routes.loop = None
                loop.close()
                sock.close()

    async def _serve_until_unwanted(self, sock: socket.socket) -> None:  # hooks-web thread
        watchdog = asyncio.ensure_future(self._watch()) if self.still_wanted is not None else None
        try:
            await self._server.serve(sockets=[sock])
        finally:
            if watchdog is not None:
                watchdog.cancel()

    async def _watch(self) -> None:
        misses = 0
        while not self._server.should_exit:
            await asyncio.sleep(WATCH_INTERVAL_S)
            misses = 0 if self.still_wanted() else misses + 1
            if misses >= 2:
                log.info("the Hook API plugin is no longer ready (disabled or failed): stopping its server")
                self.ctx.stopping.set()
                self._server.should_exit = True
                self._remove_port_file()

    def _check_accepts(self, deadline: float) -> None:
        target = _connect_address(self.settings.host)
        while True:
            try:
                with socket.create_connection((target, self.port), timeout=1.0):
                    return
            except OSError as e:
                if time.monotonic() > deadline:
                    self.stop()
                    raise HookServerError(f"the Hook API server on {self.url} does not accept connections: {e}") from e
                time.sleep(0.02)

    def _announce(self) -> None:
        log.info("Hook API listening on %s (docs at /docs)", self.url)
        print(f"sloppy: Hook API listening on {self.url} (docs at {self.url}/docs)", flush=True)
        path = self.settings.port_file
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(f"{self.port}\n", encoding="utf-8")
            tmp.replace(path)
            self._port_file_written = path
        except OSError as e:
            log.warning("cannot write the Hook API port file %s: %s", path, e)

    # -- stop ----------------------------------------------------------------

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Stop serving, free the port, join the thread; True if it ended within ``timeout``."""
        server, thread, loop = self._server, self._thread, self._loop
        if server is None or thread is None:
            return True
        server.should_exit = True
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self.ctx.stopping.set)
            except RuntimeError:
                pass  # the loop is closed: the thread is ending
        if thread is not threading.current_thread():
            thread.join(max(0.0, timeout - 0.3))
            if thread.is_alive():
                server.force_exit = True
                thread.join(0.3)
        self._remove_port_file()
        if thread.is_alive():
            log.warning("the Hook API server thread did not stop within %.1f s", timeout)
            return False
        return True

    def _remove_port_file(self) -> None:
        path, self._port_file_written = self._port_file_written, None
        if path is None:
            return
        try:
            if path.read_text(encoding="utf-8").strip() == str(self.port):
                path.unlink()
        except OSError:
            pass


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``; :class:`HookServerError` with the reason if not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise HookServerError(f"cannot use --web-host {host!r}: {e.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        if sys.platform == "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart at once despite TIME_WAIT
        sock.bind(address)
        sock.listen(128)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise HookServerError(
                f"port {port} on {host} is already in use (another Sloppy or another program?); "
                "start with --hook-port PORT to pick another, or --hook-port 0 for any free port"
            ) from None
        if e.errno == errno.EACCES:
            raise HookServerError(f"not allowed to listen on {host}:{port} ({e.strerror}); pick a port above 1024")
        raise HookServerError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    sock.set_inheritable(False)
    return sock


def _connect_address(host: str) -> str:
    """Where to knock to check that the server answers: loopback for a wildcard host."""
    bare = host.strip("[]")
    if bare in ("0.0.0.0", ""):
        return "127.0.0.1"
    if bare == "::":
        return "::1"
    return bare


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
