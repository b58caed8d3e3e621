"""Spawning PyMongo calls in child greenlets, and suspending them until the loop wakes them.

An operation starts synchronously at the call site: ``spawn`` switches into a new
:class:`BridgeGreenlet` whose parent is the greenlet running the event loop. The child
runs PyMongo's ordinary code until it would block; then it registers a :class:`Waker`
with the loop and switches back to its parent, which returns to the caller (or to the
loop callback that last resumed the child). An operation that never blocks therefore
completes without a single loop iteration.

Creating a greenlet costs more than the switches of a whole operation (Python gives each
new greenlet its own frame-stack chunk), so a greenlet whose operation has finished waits,
idle, for the next one: ``spawn`` takes an idle greenlet of the calling thread when
there is one (at most ``MAX_IDLE`` are kept per thread). Everything that can outlive an
operation (a late wake-up, a cancellation callback) checks that the greenlet still runs
*that* operation (``child.future``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from greenlet import GreenletExit, getcurrent, greenlet

from motor.bridge import fairness
from motor.bridge.hub import Hub

T = TypeVar("T")


class NestedOperationError(RuntimeError):
    """A Motor operation was started from inside another one (an event listener, a codec)."""


MAX_IDLE = 128  # finished greenlets kept, per thread, for the next operations

_idle = threading.local()  # .greenlets: this thread's idle BridgeGreenlets
_live = 0  # operations started and not yet finished, on every thread


class BridgeGreenlet(greenlet):  # type: ignore[misc]
    """A child greenlet running synchronous PyMongo calls for the loop in ``hub``, one at a time.

    ``future`` is the caller's Future of the operation it runs now (None while idle).
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(None, parent)
        self.hub: Hub = None  # type: ignore[assignment]
        self.thread_id = threading.get_ident()
        self.future: asyncio.Future[Any] | None = None
        self.shields = 0  # depth of ``shielded()`` blocks being run
        self.cancel_pending = False  # the caller cancelled while shielded

    def run(  # type: ignore[override]
        self,
        future: asyncio.Future[Any],
        fn: Callable[..., Any],
        args: Any,
        kwargs: Any,
        context: contextvars.Context,
    ) -> None:
        global _live
        while True:
            self.future = future
            _live += 1
            try:
                # The caller's contextvars (pymongo.timeout(), a bound session), copied.
                context.run(_settle, self, future, fn, args, kwargs)
            finally:
                _live -= 1
                self.future = None
                self.shields = 0
                self.cancel_pending = False
            # Idle: drop the last operation's objects, wait for the next one.
            future = fn = args = kwargs = context = None  # type: ignore[assignment]
            idle = _idle_greenlets()
            if len(idle) >= MAX_IDLE:
                return
            idle.append(self)
            work = self.parent.switch()
            while type(work) is not tuple:
                # Only ``start`` may resume an idle greenlet; anything else is a late
                # wake-up that missed every guard. Ignore it rather than die in the idle
                # list, where ``start`` would hand the next operation to a dead greenlet.
                work = self.parent.switch()
            future, fn, args, kwargs, context = work

    def _cancelled(self, future: asyncio.Future[Any]) -> None:
        # Done-callback of the caller's Future while its operation runs (it may run late:
        # hence the check that this greenlet still runs that operation). Attached model: cancelling the caller's Future unwinds the synchronous code
        # through its own except/finally, so PyMongo discards the in-flight connection.
        if future.cancelled() and self.future is future:
            if self.shields:
                self.cancel_pending = True
            else:
                self.throw(asyncio.CancelledError())


def _idle_greenlets() -> list[BridgeGreenlet]:
    try:
        return _idle.greenlets  # type: ignore[no-any-return]
    except AttributeError:
        idle: list[BridgeGreenlet] = []
        _idle.greenlets = idle
        return idle


def current_bridge() -> BridgeGreenlet | None:
    """The running bridge greenlet, or None on a plain thread or the loop's own greenlet."""
    current = getcurrent()
    return current if type(current) is BridgeGreenlet else None


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


def suspend_until(child: BridgeGreenlet, waker: Waker, timeout: float | None) -> Any:
    """``suspend``, but woken with False once ``timeout`` seconds pass.

    Long timeouts (PyMongo's 0.5 s cancellation polls, mostly) go to the hub's coarse
    deadline sweep instead of a timer each: see ``Hub.add_deadline``.
    """
    if timeout is None:
        return suspend(child, waker)
    hub = child.hub
    if timeout >= hub.COARSE_TIMEOUT:
        hub.add_deadline(waker, timeout)
        try:
            return suspend(child, waker)
        finally:
            hub.drop_deadline(waker)
    timer = hub.call_later(timeout, waker.wake, False)
    try:
        return suspend(child, waker)
    finally:
        timer.cancel()


def wait_fd(child: BridgeGreenlet, fd: int, writable: bool, timeout: float | None) -> bool:
    """Suspend until ``fd`` is ready (True) or ``timeout`` passes (False)."""
    hub = child.hub
    waker = Waker(child)
    hub.add_fd(fd, writable, waker.wake)
    try:
        return bool(suspend_until(child, waker, timeout))
    finally:
        hub.remove_fd(fd, writable)


def sleep(child: BridgeGreenlet, seconds: float) -> None:
    """Suspend this greenlet only, for ``seconds``."""
    waker = Waker(child)
    timer = child.hub.call_later(max(seconds, 0.0), waker.wake, True)
    try:
        suspend(child, waker)
    finally:
        timer.cancel()


def await_future(awaitable: Awaitable[T]) -> T:
    """From inside a bridge greenlet, wait for an asyncio Future (or coroutine) and return its result."""
    child = current_bridge()
    if child is None:
        raise RuntimeError("await_future() must be called from a bridge greenlet")
    future = asyncio.ensure_future(awaitable, loop=child.hub.loop)
    if not future.done():
        waker = Waker(child)
        future.add_done_callback(lambda _: waker.wake(True))
        try:
            suspend(child, waker)
        except BaseException:
            future.cancel()
            raise
    return future.result()


def live_greenlets() -> int:
    """How many operations are running or suspended in bridge greenlets right now."""
    return _live


def _settle(
    child: BridgeGreenlet,
    future: asyncio.Future[Any],
    fn: Callable[..., Any],
    args: Any,
    kwargs: Any,
) -> None:
    try:
        result = fn(*args, **kwargs)
    except GreenletExit:
        raise
    except StopIteration:
        # A Future cannot carry StopIteration (PEP 479); wrappers map exhaustion themselves.
        if not future.done():
            future.remove_done_callback(child._cancelled)
            future.set_exception(RuntimeError("operation raised StopIteration"))
    except BaseException as exc:  # noqa: BLE001 - delivered to the awaiting caller
        if not future.done():
            future.remove_done_callback(child._cancelled)
            future.set_exception(exc)
    else:
        if not future.done():
            # The cancellation hook is not needed any more: one loop callback fewer.
            future.remove_done_callback(child._cancelled)
            future.set_result(result)


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
    """Run ``fn(*args, **kwargs)`` in a bridge greenlet; return a Future of its result.

    The caller's contextvars (``pymongo.timeout()``, a bound session) are copied into the
    child. Must not be called from inside another bridge greenlet.
    """
    return start(hub, fn, args, kwargs)


def start(hub: Hub, fn: Callable[..., Any], args: Any, kwargs: Any) -> asyncio.Future[Any]:
    """``spawn`` with the arguments as a tuple and a dict: the wrappers' hot path."""
    current = getcurrent()
    if type(current) is BridgeGreenlet:
        raise NestedOperationError(
            "A Motor operation cannot be started from inside another Motor operation "
            "(for example from a PyMongo event listener or codec callback)."
        )
    future = hub.loop.create_future()
    try:
        idle = _idle.greenlets
    except AttributeError:
        idle = _idle_greenlets()
    child = idle.pop() if idle else None
    if child is None or child.dead:
        child = BridgeGreenlet(current)
    elif child.parent is not current:
        child.parent = current
    child.hub = hub
    # The cancellation hook goes on before the operation starts, and ``_settle`` takes it
    # off when the operation ends: an operation that never suspends costs no callback.
    future.add_done_callback(child._cancelled)
    if fairness.begin(hub, child):  # a long run of operations that never waited: yield first
        fn, args, kwargs = fairness.after_turn, (fn, args, kwargs), {}
    child.switch(future, fn, args, kwargs, contextvars.copy_context())
    return future
