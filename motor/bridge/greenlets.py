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
*that* operation (``child.future``). Nothing of a finished operation stays reachable from
its idle greenlet: its Future, function, arguments and context are dropped when it ends.

An operation whose loop is closed while it is suspended (an unawaited ``insert_one``
when ``asyncio.run`` returns, say) is an *orphan*: nothing will ever wake it there. The
next operation started on its thread from another loop adopts it into that loop, where
it resumes and finishes; ``orphans.finish_orphans`` (called by ``client.close()``, and
at exit) does the same on a private loop. See doc/bridge.rst, "When a loop stops or closes".
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from greenlet import GreenletExit, getcurrent, greenlet

from motor.bridge.hub import Hub
from motor.bridge.signals import in_signal_handler
from motor.bridge.turns import SLICE, loop_turned, overdue

T = TypeVar("T")


class NestedOperationError(RuntimeError):
    """A Motor operation was started from inside another one (an event listener, a codec)."""


MAX_IDLE = 128  # finished greenlets kept, per thread, for the next operations

# Per thread: .greenlets, the idle BridgeGreenlets; .running, those running an operation;
# .hub, the hub of the last operation started (a new one is the cue to look for orphans).
_idle = threading.local()
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
        # Set while an orphan (see the module) runs on the loop that adopted it: resolved
        # when its operation ends.
        self.adopted: asyncio.Future[None] | None = None
        self.motor_since = 0.0  # time.monotonic() when the loop last resumed it, or it started

    def run(self) -> None:  # type: ignore[override]
        # Started with no arguments, and parked at once: the arguments a greenlet is
        # started with stay referenced (by greenlet's own C frame) until it dies, so
        # every operation, the first too, comes through ``switch``.
        global _live
        running = _running_greenlets()
        work = self.parent.switch()
        while True:
            while type(work) is not tuple:
                # Only ``start`` may resume an idle greenlet; anything else is a late
                # wake-up that missed every guard. Ignore it rather than die in the idle
                # list, where ``start`` would hand the next operation to a dead greenlet.
                work = self.parent.switch()
            future, fn, args, kwargs, context = work
            work = None
            self.future = future
            _live += 1
            running.add(self)
            try:
                # The caller's contextvars (pymongo.timeout(), a bound session), copied.
                context.run(_settle, self, future, fn, args, kwargs)
            finally:
                _live -= 1
                running.discard(self)
                self.future = None
                self.shields = 0
                self.cancel_pending = False
                if self.adopted is not None:
                    _resolve(self.adopted, None)
                    self.adopted = None
            # Idle: drop every reference to the last operation's objects (``work`` too: an
            # idle greenlet must not keep a result, a cursor or a client alive), then wait
            # for the next operation.
            future = fn = args = kwargs = context = work = None  # type: ignore[assignment]
            idle = _idle_greenlets()
            if len(idle) >= MAX_IDLE:
                return
            idle.append(self)
            work = self.parent.switch()

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


def _running_greenlets() -> set[BridgeGreenlet]:
    try:
        return _idle.running  # type: ignore[no-any-return]
    except AttributeError:
        running: set[BridgeGreenlet] = set()
        _idle.running = running
        return running


def _resolve(future: asyncio.Future[Any], value: Any) -> None:
    """``future.set_result(value)`` unless done; a closed loop's callbacks are lost, not raised."""
    if not future.done():
        try:
            future.set_result(value)
        except RuntimeError:  # its loop is closed: nobody is left to call back
            pass


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
            _fail(future, RuntimeError("operation raised StopIteration"))
    except BaseException as exc:  # noqa: BLE001 - delivered to the awaiting caller
        if not future.done():
            future.remove_done_callback(child._cancelled)
            _fail(future, exc)
    else:
        if not future.done():
            # The cancellation hook is not needed any more: one loop callback fewer.
            future.remove_done_callback(child._cancelled)
            try:
                future.set_result(result)
            except RuntimeError:  # an orphan's Future: its loop is closed
                pass


def _fail(future: asyncio.Future[Any], exc: BaseException) -> None:
    try:
        future.set_exception(exc)
    except RuntimeError:  # an orphan's Future: its loop is closed
        pass


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


# -- time slices ----------------------------------------------------------------------
def give_turn(child: BridgeGreenlet) -> None:
    """Suspend ``child`` until the loop has run what was due meanwhile, two steps deep.

    A task woken by a timer or a socket takes two loop iterations to run: the first runs
    the timer's or the fd's callback, which schedules the task's step for the second. A
    plain ``call_soon`` resume would come before that step, and the task would wait one
    more slice (measured: 59 ms stalls for a 20 ms slice). A zero-delay timer runs after
    the timers and fds already due, and its ``call_soon`` after the steps they scheduled.
    """
    waker = Waker(child)
    hub = child.hub
    hub.call_later(0, hub.call_soon, waker.wake, True)
    suspend(child, waker)
    loop_turned(child)


def checkpoint() -> None:
    """At a safe point of a bridge greenlet: yield if it has run for ``SLICE`` without a break.

    The greenlet has held the loop since the loop last resumed it (or since its operation
    started): no turn can have happened in between.
    """
    child = getcurrent()
    if type(child) is BridgeGreenlet and time.monotonic() - child.motor_since >= SLICE:
        give_turn(child)


def _after_turn(fn: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """Run by ``start`` when the loop is overdue: give it a turn, then run the operation."""
    give_turn(getcurrent())
    return fn(*args, **kwargs)


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
        if in_signal_handler():
            return _start_soon(hub, fn, args, kwargs)
        raise NestedOperationError(
            "A Motor operation cannot be started from inside another Motor operation "
            "(for example from a PyMongo event listener or codec callback)."
        )
    future = hub.loop.create_future()
    try:
        idle = _idle.greenlets
        if _idle.hub is not hub:
            _new_hub(hub)
    except AttributeError:
        idle = _idle_greenlets()
        _new_hub(hub)
    child = idle.pop() if idle else None
    if child is None or child.dead:
        child = BridgeGreenlet(current)
        child.switch()  # parks in ``run``, waiting for its first operation
    elif child.parent is not current:
        child.parent = current
    child.hub = hub
    # The cancellation hook goes on before the operation starts, and ``_settle`` takes it
    # off when the operation ends: an operation that never suspends costs no callback.
    future.add_done_callback(child._cancelled)
    now = child.motor_since = time.monotonic()
    if overdue(hub, now):  # a run of operations that never waited: give the loop a turn first
        fn, args, kwargs = _after_turn, (fn, args, kwargs), {}
    child.switch(future, fn, args, kwargs, contextvars.copy_context())
    return future


# -- operations started by a signal handler (see ``signals``) ---------------------------
# An operation it starts cannot run inside the interrupted greenlet, and raising
# NestedOperationError there would throw it into the interrupted operation; so it
# starts from the loop instead.


def _start_soon(hub: Hub, fn: Callable[..., Any], args: Any, kwargs: Any) -> asyncio.Future[Any]:
    """``start`` from the loop's next iteration; the returned Future follows that operation's."""
    future = hub.loop.create_future()
    context = contextvars.copy_context()

    def begin() -> None:
        if future.done():  # cancelled before it began
            return
        inner = context.run(start, hub, fn, args, kwargs)
        future.add_done_callback(lambda _: inner.cancel() if future.cancelled() else None)
        inner.add_done_callback(_chain(future))

    hub.call_soon(begin)
    return future


def _chain(outer: asyncio.Future[Any]) -> Callable[[asyncio.Future[Any]], None]:
    def copy(inner: asyncio.Future[Any]) -> None:
        if outer.done():
            return
        if inner.cancelled():
            outer.cancel()
        elif inner.exception() is not None:
            outer.set_exception(inner.exception())  # type: ignore[arg-type]
        else:
            outer.set_result(inner.result())

    return copy


# -- orphans: operations whose loop closed under them ---------------------------------


def _new_hub(hub: Hub) -> None:
    _idle.hub = hub
    if _running_greenlets():
        adopt_orphans(hub)


def adopt_orphans(hub: Hub) -> list[asyncio.Future[None]]:
    """Move this thread's orphans to ``hub``'s loop, where they resume at its next iteration.

    Returns a Future per orphan running on ``hub``'s loop (adopted now or earlier),
    resolved when its operation ends.
    """
    waits = []
    for child in _running_greenlets():
        if child.hub.loop.is_closed():
            child.hub = hub
            child.adopted = hub.create_future()
            hub.call_soon(_resume_orphan, child)
        if child.adopted is not None and child.hub is hub:
            waits.append(child.adopted)
    return waits


def _resume_orphan(child: BridgeGreenlet) -> None:
    if child.future is None or child.dead:
        return
    # Its wait belonged to the closed loop: resume it as if that wait had ended. Every
    # wait re-checks what it waited for (a socket retries, a condition re-tests its
    # predicate), and from now on waits on this loop.
    child.parent = getcurrent()
    child.switch(True)
