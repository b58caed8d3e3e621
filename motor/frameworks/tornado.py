"""The Tornado adapter: Motor objects bound to a Tornado ``IOLoop``.

Socket readiness goes through the IOLoop's own fd handlers (``add_handler``), not
``IOStream``: an IOStream owns its socket and closes it on a timeout, while PyMongo
needs to keep its own socket semantics (its TLS contexts, session reuse and hostname
checks, and 0.5 s read timeouts that leave the connection usable).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, Callable

from tornado.ioloop import IOLoop

from motor.bridge.hub import Hub

name = "tornado"
CLASS_PREFIX = ""

_hubs: weakref.WeakKeyDictionary[Any, Hub] = weakref.WeakKeyDictionary()


class TornadoHub(Hub):
    """A Hub whose fd waits are IOLoop handlers; timers run on the asyncio loop below."""

    __slots__ = ("io_loop",)

    def __init__(self, io_loop: IOLoop) -> None:
        super().__init__(io_loop.asyncio_loop)  # type: ignore[attr-defined]
        self.io_loop = io_loop

    def add_fd(self, fd: int, writable: bool, callback: Callable[[bool], None]) -> None:
        self.io_loop.add_handler(
            fd, lambda _fd, _events: callback(True), IOLoop.WRITE if writable else IOLoop.READ
        )

    def remove_fd(self, fd: int, writable: bool) -> None:
        self.io_loop.remove_handler(fd)


def default_loop() -> IOLoop:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    return IOLoop.current()


def check_loop(loop: Any) -> None:
    if not isinstance(loop, IOLoop):
        raise TypeError(f"io_loop must be a tornado.ioloop.IOLoop, not {loop!r}")


def hub(loop: IOLoop) -> Hub:
    try:
        return _hubs[loop]
    except KeyError:
        _hubs[loop] = result = TornadoHub(loop)
        return result


def is_running(loop: IOLoop) -> bool:
    return loop.asyncio_loop.is_running()  # type: ignore[attr-defined]


def run_until_complete(loop: IOLoop, future: Any) -> Any:
    return loop.asyncio_loop.run_until_complete(future)  # type: ignore[attr-defined]
