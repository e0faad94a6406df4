"""How handlers on the server's event loop talk to the app without blocking it.

- Reads come from snapshots (``controller.warmup_status()``, ``chat.snapshot()``).
- Changes go to the controller's single writer: :func:`on_writer` posts a call
  there and awaits its result as an asyncio future, with a timeout.
- Blocking calls that must run somewhere (a GUI screenshot) go to the shared
  pool through :func:`on_pool`.
- Long polls (:func:`wait_until`, :func:`wait_for_warmup`) await asyncio
  primitives with a timeout and end early when the server stops.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException

WRITER_TIMEOUT_S = 10.0
POLL_INTERVAL_S = 0.05


async def on_writer(controller: Any, fn: Callable[..., Any], *args: Any, timeout: float = WRITER_TIMEOUT_S) -> Any:
    """Run ``fn(*args)`` on the writer thread and await its result; 503 if it does not answer in time."""
    future = controller.call_on_writer(fn, *args)
    return await _await(future, timeout, "the app's writer thread")


async def on_pool(controller: Any, fn: Callable[..., Any], *args: Any, timeout: float) -> Any:
    """Run a blocking ``fn(*args)`` on the controller's pool and await it."""
    future = controller.submit_io(fn, *args)
    return await _await(future, timeout, "the app")


async def _await(future: Any, timeout: float, who: str) -> Any:
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
    except TimeoutError:
        raise HTTPException(503, f"{who} did not answer within {timeout:g} s; try again") from None


async def wait_until(predicate: Callable[[], bool], timeout: float, stopping: asyncio.Event) -> bool:
    """Await until ``predicate()`` is true (True), or ``timeout`` passes or the server stops (False)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        left = deadline - time.monotonic()
        if left <= 0 or stopping.is_set():
            return False
        try:
            await asyncio.wait_for(stopping.wait(), min(POLL_INTERVAL_S, left))
        except TimeoutError:
            pass
    return True


async def wait_for_warmup(controller: Any, timeout: float, stopping: asyncio.Event) -> bool:
    """Await the end of the warm-up (True) or ``timeout`` / server stop (False)."""
    if controller.is_warmup_done():
        return True
    loop = asyncio.get_running_loop()
    done = asyncio.Event()

    def wake(_status: Any) -> None:  # runs on the writer thread, or here if already done
        try:
            loop.call_soon_threadsafe(done.set)
        except RuntimeError:  # the server's loop is gone: nobody is waiting any more
            pass

    controller.on_warmup_complete(wake)
    waiters = {asyncio.ensure_future(done.wait()), asyncio.ensure_future(stopping.wait())}
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    return controller.is_warmup_done()
