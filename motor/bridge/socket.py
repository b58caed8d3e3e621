"""GreenSocket: the socket PyMongo's connections talk through.

The fd stays non-blocking; the timeout PyMongo sets is kept here. Each call tries the
operation first and, only when it would block, waits for readiness:

* inside a bridge greenlet, by suspending that greenlet on the loop (``wait_fd``);
* anywhere else (PyMongo's kill-cursors thread, a synchronous close), with ``poll``.

A timeout raises ``TimeoutError("timed out")`` and leaves the socket usable, which is
what PyMongo's 0.5 s cancellation polling in ``receive_data`` relies on.

The loop only borrows the fd, for one wait at a time: each wait registers it and
unregisters it before it returns, so no registration outlives the wait, the operation or
the socket. Between operations the loop knows nothing of the connection, so nothing but
PyMongo's pool can close it (the Tornado hub registers fds with the asyncio loop under
the IOLoop, never in the IOLoop's handler table, so ``IOLoop.close(all_fds=True)`` does
not see them even during a wait), a dropped client's sockets are not kept alive by the loop, and
an fd number cannot be reused while a loop still watches it. PyMongo closes a connection
in use only on the thread running its operation; a ``close`` from another thread during
a wait (not something PyMongo does) keeps the number taken, with ``/dev/null`` swapped
in, until the wait has dropped its registration.
"""

from __future__ import annotations

import os
import select
import ssl
import time
from typing import Any

from motor.bridge.compat import SSL_WANT_READ, SSL_WANT_WRITE
from motor.bridge.greenlets import checkpoint, current_bridge, wait_fd
from motor.bridge.turns import loop_turned

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

    __slots__ = ("sock", "_timeout", "_waiting", "_close_after_wait")

    def __init__(self, sock: Any, timeout: float | None = None) -> None:
        self.sock = sock
        self._timeout = timeout
        sock.settimeout(0.0)
        self._waiting = False  # a wait has the fd registered with a loop right now
        self._close_after_wait = False

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
        if not self._waiting:
            self.sock.close()
            return
        # Closed during a wait, from another thread or a callback: the wait's registration
        # must be dropped before the number can be reused. Close the connection now, keep
        # the number (on /dev/null), and let the wait close the rest when it ends.
        self._close_after_wait = True
        if os.name != "nt":  # Windows sockets are not CRT fds
            try:
                _close_keeping_number(self.sock.fileno())
            except OSError:
                pass  # already closed

    def pending(self) -> int:
        pending = getattr(self.sock, "pending", None)
        return pending() if pending else 0

    def __getattr__(self, name: str) -> Any:
        # getpeercert, session, version, ... come from the wrapped socket.
        return getattr(self.sock, name)

    def recv_into(self, buffer: Any, nbytes: int = 0) -> int:
        checkpoint()  # a safe point: give the loop a turn if it is overdue
        deadline = None
        while True:
            try:
                return self.sock.recv_into(buffer, nbytes)
            except _WANT_WRITE:
                deadline = self._wait(True, deadline)
            except _WANT_READ:
                deadline = self._wait(False, deadline)

    def recv(self, bufsize: int) -> bytes:
        buf = bytearray(bufsize)
        return bytes(buf[: self.recv_into(buf)])

    def sendall(self, data: Any) -> None:
        checkpoint()  # between two wire messages: give the loop a turn if it is overdue
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
    def _wait(self, writable: bool, deadline: float | None) -> float | None:
        """Wait until ready; re-raise the would-block error when the timeout is 0."""
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
        else:
            ready = self.wait_green(child, writable, remaining)
        if not ready:
            raise TimeoutError("timed out")
        return deadline

    def wait_green(self, child: Any, writable: bool, timeout: float | None) -> bool:
        """Suspend the bridge greenlet ``child`` until ready (True) or ``timeout`` (False).

        The fd is registered with the loop for this wait only; a ``close`` meanwhile is
        finished here, once the registration is gone.
        """
        self._waiting = True
        try:
            return wait_fd(child, self.sock.fileno(), writable, timeout)
        finally:
            self._waiting = False
            if self._close_after_wait:
                self.sock.close()
            loop_turned(child)
