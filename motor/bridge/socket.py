"""GreenSocket: the socket PyMongo's connections talk through.

The fd stays non-blocking; the timeout PyMongo sets is kept here. Each call tries the
operation first and, only when it would block, waits for readiness:

* inside a bridge greenlet, by suspending that greenlet on the loop (``wait_fd``);
* anywhere else (PyMongo's kill-cursors thread, a synchronous close), with ``poll``.

A timeout raises ``TimeoutError("timed out")`` and leaves the socket usable, which is
what PyMongo's 0.5 s cancellation polling in ``receive_data`` relies on.

Reads keep the fd registered with the loop between waits, and between operations, rather
than adding and removing it each time (two ``epoll_ctl`` calls and the loop's bookkeeping,
more than the rest of a wait costs): the registration wakes whichever greenlet is reading
now. It is dropped when it fires with nobody reading (an idle connection the server
closed), before a wait for writability, and always before the fd is closed. ``close``
from another thread (PyMongo's monitor or periodic-tasks thread) cannot touch the loop's
registrations, yet must close the connection at once, as PyMongo's would (or the pool,
which has already forgotten it, opens a replacement while it is still open): it swaps
``/dev/null`` in under the socket's fd number, which closes the connection and takes it
out of the kernel's poll set, and hands the rest to the loop. The number stays taken
until the loop has dropped its registration, so the OS cannot reuse it meanwhile.
"""

from __future__ import annotations

import os
import select
import ssl
import threading
import time
from typing import Any

from motor.bridge.compat import SSL_WANT_READ, SSL_WANT_WRITE
from motor.bridge.greenlets import BridgeGreenlet, Waker, current_bridge, suspend_until, wait_fd

# PyOpenSSL's want-read/want-write when PyMongo uses it, plus the stdlib's.
_WANT_READ: tuple[type[BaseException], ...] = (
    BlockingIOError,
    ssl.SSLWantReadError,
    *SSL_WANT_READ,
)
_WANT_WRITE: tuple[type[BaseException], ...] = (ssl.SSLWantWriteError, *SSL_WANT_WRITE)


def _close_keeping_number(fd: int) -> None:
    """Close what ``fd`` refers to, but keep the number taken (by /dev/null) until closed."""
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, fd, inheritable=False)
    finally:
        os.close(null)


def poll_fd(fd: int, writable: bool, timeout: float | None) -> bool:
    """Block this thread until ``fd`` is ready or ``timeout`` passes."""
    poller = select.poll()
    poller.register(fd, select.POLLOUT if writable else select.POLLIN)
    ms = None if timeout is None else max(int(timeout * 1000), 0)
    return bool(poller.poll(ms))


class GreenSocket:
    """A socket (plain, stdlib TLS or PyOpenSSL) that suspends greenlets instead of blocking."""

    __slots__ = ("sock", "_timeout", "_hub", "_fd", "_thread", "_reader")

    def __init__(self, sock: Any, timeout: float | None = None) -> None:
        self.sock = sock
        self._timeout = timeout
        sock.settimeout(0.0)
        self._hub: Any = None  # the hub whose loop watches this fd for reading, if any
        self._fd = -1
        self._thread = 0  # that loop's thread
        self._reader: Waker | None = None  # the wait that registration wakes now

    # -- the socket API PyMongo uses ------------------------------------------
    def gettimeout(self) -> float | None:
        return self._timeout

    def settimeout(self, timeout: float | None) -> None:
        self._timeout = timeout

    def setblocking(self, flag: bool) -> None:
        self._timeout = None if flag else 0.0

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        hub = self._hub
        if hub is not None and threading.get_ident() != self._thread:
            if os.name != "nt":  # Windows sockets are not CRT fds
                try:
                    _close_keeping_number(self.sock.fileno())
                except OSError:
                    pass  # already closed
            try:
                hub.loop.call_soon_threadsafe(self._close_on_loop)
                return
            except RuntimeError:  # the loop is closed, and its selector with it
                self._hub = None
        self._close_on_loop()

    def _close_on_loop(self) -> None:
        self._unwatch()
        self.sock.close()

    def pending(self) -> int:
        pending = getattr(self.sock, "pending", None)
        return pending() if pending else 0

    def __getattr__(self, name: str) -> Any:
        # getpeercert, session, version, ... come from the wrapped socket.
        return getattr(self.sock, name)

    def recv_into(self, buffer: Any, nbytes: int = 0) -> int:
        deadline = None
        while True:
            try:
                return self.sock.recv_into(buffer, nbytes)
            except _WANT_WRITE:
                deadline = self._wait(True, deadline)
            except _WANT_READ:
                deadline = self._wait(False, deadline, True)

    def recv(self, bufsize: int) -> bytes:
        buf = bytearray(bufsize)
        return bytes(buf[: self.recv_into(buf)])

    def sendall(self, data: Any) -> None:
        # Loop over send(): SSLSocket.sendall loses its progress on a non-blocking socket.
        if type(data) is bytes:  # PyMongo's messages: try once, almost always all sent
            try:
                sent = self.sock.send(data)
            except (*_WANT_WRITE, BlockingIOError, *_WANT_READ):  # type: ignore[misc]  # mypy bug
                sent = 0
            if sent == len(data):
                return
        else:
            sent = 0
        view = memoryview(data).cast("B")
        deadline = None
        while sent < len(view):
            try:
                sent += self.sock.send(view[sent:])
            except (*_WANT_WRITE, BlockingIOError):  # type: ignore[misc]  # mypy bug: *tuple
                deadline = self._wait(True, deadline)
            except _WANT_READ:
                deadline = self._wait(False, deadline)

    def do_handshake(self) -> None:
        deadline = None
        while True:
            try:
                self.sock.do_handshake()
                return
            except _WANT_WRITE:
                deadline = self._wait(True, deadline)
            except _WANT_READ:
                deadline = self._wait(False, deadline)

    # -- waiting ----------------------------------------------------------------
    def _wait(self, writable: bool, deadline: float | None, watch: bool = False) -> float | None:
        """Wait until ready; re-raise the would-block error when the timeout is 0.

        ``watch``: a read of PyMongo's, through the lasting registration (see the module).
        """
        timeout = self._timeout
        if timeout == 0:
            raise  # noqa: PLE0704 - the caller's BlockingIOError/SSLWant*, as PyMongo expects
        remaining = None
        if timeout is not None:
            now = time.monotonic()
            if deadline is None:
                deadline = now + timeout
            remaining = deadline - now
            if remaining <= 0:
                raise TimeoutError("timed out")
        child = current_bridge()
        if child is None:
            ready = poll_fd(self.sock.fileno(), writable, remaining)
        elif watch:
            ready = self._wait_readable(child, remaining)
        else:
            if self._hub is not None:
                self._unwatch()  # one registration per fd at a time, for Tornado's IOLoop
            ready = wait_fd(child, self.sock.fileno(), writable, remaining)
        if not ready:
            raise TimeoutError("timed out")
        return deadline

    def _wait_readable(self, child: BridgeGreenlet, timeout: float | None) -> bool:
        hub = child.hub
        if self._hub is not hub:
            if self._hub is not None:
                self._unwatch()  # an earlier loop's registration, on this thread
            fd = self.sock.fileno()
            hub.add_fd(fd, False, self._readable)
            self._hub, self._fd, self._thread = hub, fd, child.thread_id
        waker = self._reader = Waker(child)
        try:
            return bool(suspend_until(child, waker, timeout))
        finally:
            self._reader = None

    def _readable(self, _ready: bool = True) -> None:
        waker = self._reader
        if waker is not None:
            waker.wake(True)
        else:
            # Readable with nobody reading: the server closed an idle connection, say.
            # Stop watching, or the loop would call this on every iteration.
            self._unwatch()

    def _unwatch(self) -> None:
        """Drop the read registration. On the loop's thread only."""
        hub = self._hub
        if hub is not None:
            self._hub = None
            hub.remove_fd(self._fd, False)
