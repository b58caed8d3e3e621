"""A Hub is the bridge's handle on one event loop: timers, fd readiness, Futures.

The base class drives a plain asyncio loop. Framework adapters subclass it (Tornado
routes fd readiness through the IOLoop's own handlers).
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any


class Hub:
    """Scheduling primitives the bridge needs from an event loop."""

    __slots__ = ("loop", "_deadlines", "_sweeper", "_true", "__weakref__")

    # Waits of at least this many seconds are timed by the coarse sweep, which may wake
    # them up to SWEEP_INTERVAL late; shorter ones get a loop timer of their own.
    COARSE_TIMEOUT = 0.45
    SWEEP_INTERVAL = 0.05

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._deadlines: dict[Any, float] = {}  # waker -> time.monotonic() deadline
        self._sweeper: Any = None
        self._true: asyncio.Future[bool] | None = None

    # -- fd readiness ---------------------------------------------------------
    def add_fd(self, fd: int, writable: bool, callback: Callable[[bool], None]) -> None:
        """Call ``callback(True)`` once ``fd`` is readable (or writable)."""
        if writable:
            self.loop.add_writer(fd, callback, True)
        else:
            self.loop.add_reader(fd, callback, True)

    def remove_fd(self, fd: int, writable: bool) -> None:
        if writable:
            self.loop.remove_writer(fd)
        else:
            self.loop.remove_reader(fd)

    # -- coarse deadlines ---------------------------------------------------------
    # PyMongo reads with a 0.5 s timeout and retries, to poll for cancellation; almost
    # every such wait ends early, when data arrives. A timer per wait (schedule, cancel,
    # and a cancelled entry in the loop's heap) costs more than the rest of the wait, so
    # long waits register a deadline here instead, and one timer per hub checks them
    # every SWEEP_INTERVAL while any are registered.
    def add_deadline(self, waker: Any, timeout: float) -> None:
        """Call ``waker.wake(False)`` about ``timeout`` seconds from now (up to SWEEP_INTERVAL late)."""
        self._deadlines[waker] = time.monotonic() + timeout
        if self._sweeper is None:
            self._sweeper = self.loop.call_later(self.SWEEP_INTERVAL, self._sweep)

    def drop_deadline(self, waker: Any) -> None:
        self._deadlines.pop(waker, None)

    def _sweep(self) -> None:
        self._sweeper = None
        deadlines = self._deadlines
        if not deadlines:
            return
        now = time.monotonic()
        due = [waker for waker, deadline in deadlines.items() if deadline <= now]
        for waker in due:
            if deadlines.pop(waker, None) is not None:
                waker.wake(False)  # may register new deadlines, and start a sweeper
        if deadlines and self._sweeper is None:
            self._sweeper = self.loop.call_later(self.SWEEP_INTERVAL, self._sweep)

    # -- callbacks ------------------------------------------------------------
    def call_later(self, delay: float, callback: Callable[..., None], *args: Any) -> Any:
        """Schedule ``callback``; return a handle with ``cancel()``."""
        return self.loop.call_later(delay, callback, *args)

    def call_soon(self, callback: Callable[..., None], *args: Any) -> None:
        self.loop.call_soon(callback, *args)

    def call_soon_threadsafe(self, callback: Callable[..., None], *args: Any) -> None:
        """Schedule from any thread; a closed loop is ignored (nobody is left to wake)."""
        try:
            self.loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:
            pass

    def create_future(self) -> asyncio.Future[Any]:
        return self.loop.create_future()

    def resolved_true(self) -> asyncio.Future[bool]:
        """One Future, already resolved to True, shared by every caller on this loop.

        A done Future can be awaited or yielded any number of times and cannot be changed
        (cancel() is a no-op, set_result() raises), so ``fetch_next`` on a buffered
        document hands out this one instead of making a Future per document.
        """
        future = self._true
        if future is None:
            self._true = future = self.loop.create_future()
            future.set_result(True)
        return future

    def is_running(self) -> bool:
        return self.loop.is_running()

    async def getaddrinfo(self, *args: Any, **kwargs: Any) -> list[Any]:
        return await self.loop.getaddrinfo(*args, **kwargs)


def on_thread(thread_id: int) -> bool:
    return threading.get_ident() == thread_id


def hub_per_loop(factory: Callable[[Any], Hub]) -> Callable[[Any], Hub]:
    """A framework adapter's ``hub(loop)``: one hub per loop, made by ``factory`` on first use
    and held as long as the loop is."""
    hubs: weakref.WeakKeyDictionary[Any, Hub] = weakref.WeakKeyDictionary()
    # The last loop asked about and its hub: every operation asks, almost always for the
    # same loop, and a WeakKeyDictionary lookup makes a weak reference each time.
    last: tuple[Any, Any] = (None, None)

    def hub(loop: Any) -> Hub:
        nonlocal last
        cached = last
        if cached[0] is loop:
            return cached[1]  # type: ignore[no-any-return]
        try:
            result = hubs[loop]
        except KeyError:
            hubs[loop] = result = factory(loop)
        last = (loop, result)
        return result

    return hub
