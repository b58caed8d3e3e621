"""A Hub is the bridge's handle on one event loop: timers, fd readiness, Futures.

The base class drives a plain asyncio loop. Framework adapters subclass it (Tornado
routes fd readiness through the IOLoop's own handlers).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable


class Hub:
    """Scheduling primitives the bridge needs from an event loop."""

    __slots__ = ("loop", "__weakref__")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

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

    def is_running(self) -> bool:
        return self.loop.is_running()

    async def getaddrinfo(self, *args: Any, **kwargs: Any) -> list[Any]:
        return await self.loop.getaddrinfo(*args, **kwargs)


def on_thread(thread_id: int) -> bool:
    return threading.get_ident() == thread_id
