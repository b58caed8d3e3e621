"""Spawning PyMongo calls in child greenlets, and suspending them until the loop wakes them.

An operation starts synchronously at the call site: ``spawn`` switches into a new
:class:`BridgeGreenlet` whose parent is the greenlet running the event loop. The child
runs PyMongo's ordinary code until it would block; then it registers a :class:`Waker`
with the loop and switches back to its parent, which returns to the caller (or to the
loop callback that last resumed the child). An operation that never blocks therefore
completes without a single loop iteration.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from typing import Any, Callable, Iterator, TypeVar

from greenlet import GreenletExit, getcurrent, greenlet

from motor.bridge.hub import Hub

T = TypeVar("T")


class NestedOperationError(RuntimeError):
    """A Motor operation was started from inside another one (an event listener, a codec)."""


class BridgeGreenlet(greenlet):  # type: ignore[misc]
    """A child greenlet running one synchronous PyMongo call for the loop in ``hub``."""

    def __init__(self, run: Callable[[], Any], hub: Hub) -> None:
        super().__init__(run)
        self.hub = hub
        self.thread_id = threading.get_ident()
        self.shields = 0  # depth of ``shielded()`` blocks being run
        self.cancel_pending = False  # the caller cancelled while shielded


def current_bridge() -> BridgeGreenlet | None:
    """The running bridge greenlet, or None on a plain thread or the loop's own greenlet."""
    current = getcurrent()
    return current if isinstance(current, BridgeGreenlet) else None


class Waker:
    """Resumes one suspension of one greenlet, at most once.

    Every way of waking (fd ready, timer, notify, Future done) goes through ``wake``;
    the ``done`` flag makes late or duplicate wake-ups harmless.
    """

    __slots__ = ("child", "done")

    def __init__(self, child: BridgeGreenlet) -> None:
        self.child = child
        self.done = False

    def wake(self, value: Any = True) -> None:
        if not self.done:
            self.done = True
            self.child.switch(value)


def suspend(child: BridgeGreenlet, waker: Waker) -> Any:
    """Switch to the loop until ``waker`` fires; return what it was woken with."""
    try:
        return child.parent.switch()
    finally:
        waker.done = True


def wait_fd(child: BridgeGreenlet, fd: int, writable: bool, timeout: float | None) -> bool:
    """Suspend until ``fd`` is ready (True) or ``timeout`` passes (False)."""
    hub = child.hub
    waker = Waker(child)
    hub.add_fd(fd, writable, waker.wake)
    timer = None if timeout is None else hub.call_later(timeout, waker.wake, False)
    try:
        return bool(suspend(child, waker))
    finally:
        hub.remove_fd(fd, writable)
        if timer is not None:
            timer.cancel()


def sleep(child: BridgeGreenlet, seconds: float) -> None:
    """Suspend this greenlet only, for ``seconds``."""
    waker = Waker(child)
    timer = child.hub.call_later(max(seconds, 0.0), waker.wake, True)
    try:
        suspend(child, waker)
    finally:
        timer.cancel()


def await_future(future: asyncio.Future[T]) -> T:
    """From inside a bridge greenlet, wait for an asyncio Future (or coroutine) and return its result."""
    child = current_bridge()
    if child is None:
        raise RuntimeError("await_future() must be called from a bridge greenlet")
    future = asyncio.ensure_future(future, loop=child.hub.loop)
    if not future.done():
        waker = Waker(child)
        future.add_done_callback(lambda _: waker.wake(True))
        try:
            suspend(child, waker)
        except BaseException:
            future.cancel()
            raise
    return future.result()


_live = 0  # bridge greenlets started and not yet finished, on every thread


def live_greenlets() -> int:
    """How many operations are running or suspended in bridge greenlets right now."""
    return _live


def _settle(future: asyncio.Future[Any], fn: Callable[..., Any], args: Any, kwargs: Any) -> None:
    global _live
    _live += 1
    try:
        result = fn(*args, **kwargs)
    except GreenletExit:
        raise
    except StopIteration:
        # A Future cannot carry StopIteration (PEP 479); wrappers map exhaustion themselves.
        if not future.done():
            future.set_exception(RuntimeError("operation raised StopIteration"))
    except BaseException as exc:  # noqa: BLE001 - delivered to the awaiting caller
        if not future.done():
            future.set_exception(exc)
    else:
        if not future.done():
            future.set_result(result)
    finally:
        _live -= 1


def _propagate_cancel(child: BridgeGreenlet, future: asyncio.Future[Any]) -> None:
    # Attached model: cancelling the caller's Future unwinds the synchronous code
    # through its own except/finally, so PyMongo discards the in-flight connection.
    if future.cancelled() and not child.dead:
        if child.shields:
            child.cancel_pending = True
        else:
            child.throw(asyncio.CancelledError())


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Run the block to its end even if the caller's Future is cancelled meanwhile.

    For steps that must not stop half-way, such as ending a transaction: PyMongo's
    ``commit_transaction`` records the transaction as committed in a ``finally``, so
    interrupting it before the command is sent would leave the transaction open on the
    server. The caller's Future is cancelled at once, as with ``asyncio.shield``; the
    block goes on in the background, and the cancellation is raised after it.
    """
    child = current_bridge()
    if child is None:  # a plain thread: nothing can throw into it
        yield
        return
    child.shields += 1
    try:
        yield
    finally:
        child.shields -= 1
    if not child.shields and child.cancel_pending:
        child.cancel_pending = False
        raise asyncio.CancelledError()


def spawn(hub: Hub, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
    """Run ``fn(*args, **kwargs)`` in a new bridge greenlet; return a Future of its result.

    The caller's contextvars (``pymongo.timeout()``, a bound session) are copied into the
    child. Must not be called from inside another bridge greenlet.
    """
    if isinstance(getcurrent(), BridgeGreenlet):
        raise NestedOperationError(
            "A Motor operation cannot be started from inside another Motor operation "
            "(for example from a PyMongo event listener or codec callback)."
        )
    future = hub.create_future()
    child = BridgeGreenlet(lambda: _settle(future, fn, args, kwargs), hub)
    child.gr_context = contextvars.copy_context()
    child.switch()
    if not child.dead:
        future.add_done_callback(lambda f: _propagate_cancel(child, f))
    return future
