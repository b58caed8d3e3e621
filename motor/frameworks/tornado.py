"""The Tornado adapter: Motor objects bound to a Tornado ``IOLoop``.

Socket readiness goes through the asyncio loop under the IOLoop, one wait at a time,
not ``IOStream``: an IOStream owns its socket and closes it on a timeout, while PyMongo
needs to keep its own socket semantics (its TLS contexts, session reuse and hostname
checks, and 0.5 s read timeouts that leave the connection usable).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tornado.ioloop import IOLoop

from motor.bridge.hub import Hub, hub_per_loop

name = "tornado"
CLASS_PREFIX = ""


class TornadoHub(Hub):
    """A Hub for an IOLoop: timers and fd waits go to the asyncio loop under it.

    Not through ``IOLoop.add_handler``: the IOLoop's handler table is what
    ``IOLoop.close(all_fds=True)`` closes, and a pooled connection's fd is PyMongo's to
    close, never the loop's (see motor/bridge/socket.py). On Windows the fds go to the
    IOLoop's selector thread (``selector_loop``), as Tornado's own handlers do.
    """

    __slots__ = ("io_loop", "_fds")

    def __init__(self, io_loop: IOLoop) -> None:
        super().__init__(io_loop.asyncio_loop)  # type: ignore[attr-defined]
        self.io_loop = io_loop
        self._fds = getattr(io_loop, "selector_loop", self.loop)

    def add_fd(self, fd: int, writable: bool, callback: Callable[[bool], None]) -> None:
        if writable:
            self._fds.add_writer(fd, callback, True)
        else:
            self._fds.add_reader(fd, callback, True)

    def remove_fd(self, fd: int, writable: bool) -> None:
        if writable:
            self._fds.remove_writer(fd)
        else:
            self._fds.remove_reader(fd)


# The running asyncio loop and the IOLoop wrapping it, from the last default_loop() call.
_current: tuple[Any, Any] = (None, None)


def default_loop() -> IOLoop:
    global _current
    running = asyncio._get_running_loop()
    if running is not None and _current[0] is running:
        return _current[1]
    io_loop = IOLoop.current()
    if running is not None and getattr(io_loop, "asyncio_loop", None) is running:
        _current = (running, io_loop)
    return io_loop


def check_loop(loop: Any) -> None:
    if not isinstance(loop, IOLoop):
        raise TypeError(f"io_loop must be a tornado.ioloop.IOLoop, not {loop!r}")


hub = hub_per_loop(TornadoHub)


def is_running(loop: IOLoop) -> bool:
    return loop.asyncio_loop.is_running()  # type: ignore[attr-defined]


def run_until_complete(loop: IOLoop, future: Any) -> Any:
    return loop.asyncio_loop.run_until_complete(future)  # type: ignore[attr-defined]
