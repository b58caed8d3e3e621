"""The Tornado adapter: Motor objects bound to a Tornado ``IOLoop``.

Socket readiness goes through the IOLoop's own fd handlers (``add_handler``), not
``IOStream``: an IOStream owns its socket and closes it on a timeout, while PyMongo
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


class _Borrowed:
    """What the IOLoop is handed for an fd: ``IOLoop.close(all_fds=True)`` closes the
    objects it was handed, and a pooled connection's fd is PyMongo's to close, not the
    loop's (see motor/bridge/socket.py)."""

    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def fileno(self) -> int:
        return self.fd

    def close(self) -> None:
        pass


class TornadoHub(Hub):
    """A Hub whose fd waits are IOLoop handlers; timers run on the asyncio loop below."""

    __slots__ = ("io_loop",)

    def __init__(self, io_loop: IOLoop) -> None:
        super().__init__(io_loop.asyncio_loop)  # type: ignore[attr-defined]
        self.io_loop = io_loop

    def add_fd(self, fd: int, writable: bool, callback: Callable[[bool], None]) -> None:
        self.io_loop.add_handler(
            _Borrowed(fd),
            lambda _fd, _events: callback(True),
            IOLoop.WRITE if writable else IOLoop.READ,
        )

    def remove_fd(self, fd: int, writable: bool) -> None:
        self.io_loop.remove_handler(fd)


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
