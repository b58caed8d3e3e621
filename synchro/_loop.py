"""Waiting for Motor's Futures from synchronous code.

Every thread that calls Synchro gets its own asyncio event loop, set as that thread's
current loop, so a Motor object used from several threads (as PyMongo's tests do) runs
each operation on the calling thread's loop: Motor's objects take the current loop at
each call when no ``io_loop`` was given.

A Synchro call starts the Motor operation (which runs at once in a bridge greenlet, up
to its first wait) and then waits for the Future in one of two ways:

* **from ordinary code** (the loop is not running): ``loop.run_until_complete``. The loop
  runs in the calling greenlet, which is therefore the parent of every bridge greenlet
  the call started.

* **from a synchronous callback that Motor calls on the running loop** - the callback
  given to ``ClientSession.with_transaction`` - the loop cannot be re-entered. Synchro
  runs such a callback in a :class:`CallbackGreenlet` (a child of the greenlet running
  the loop) instead of calling it directly: a Synchro call inside it waits by switching
  back to the loop's greenlet and is switched back to when its Future is done. So the
  callback's operations run on the same loop, interleaved with the bridge greenlet that
  is running PyMongo's ``with_transaction`` and waiting for the callback.

  Bridge greenlets started by the callback have the CallbackGreenlet as their parent,
  and switch to it whenever they suspend; it then switches on to the loop. Every
  greenlet involved re-checks its own condition whenever it is resumed, so an extra
  switch is harmless.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
from collections.abc import Callable
from typing import Any

from greenlet import getcurrent, greenlet

import motor.core.base as _motor_base
from motor.bridge.greenlets import BridgeGreenlet, await_future

__all__ = ["CallbackGreenlet", "current_loop", "motor_call", "run", "sync_callback"]


class _LoopHolder:
    """Owns one thread's loop; the loop is closed when the thread's locals go away."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        loop = self.loop
        if not loop.is_closed() and not loop.is_running():
            try:
                loop.close()
            except Exception:  # noqa: BLE001 - interpreter shutdown
                pass


_local = threading.local()


def current_loop() -> asyncio.AbstractEventLoop:
    """This thread's Synchro loop, made this thread's current event loop.

    Called before every Motor call, so a test that ran ``asyncio.run()`` or set another
    loop in between does not move Motor to another loop. Inside a callback that the
    running loop called, that running loop is returned.
    """
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    holder = getattr(_local, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _local.holder = _LoopHolder()
    asyncio.set_event_loop(holder.loop)
    return holder.loop


class CallbackGreenlet(greenlet):  # type: ignore[misc]
    """Runs a synchronous callback for a coroutine on the running loop (see module doc)."""

    def __init__(self, run: Callable[[], Any]) -> None:
        super().__init__(run)
        self.waiting: asyncio.Future[Any] | None = None

    def _wake(self, future: asyncio.Future[Any]) -> None:
        # A done-callback on the loop's greenlet: resume the callback if it still waits
        # for this Future (it may have been resumed already by a finishing child).
        if self.waiting is future and not self.dead:
            self.switch()

    def wait(self, future: asyncio.Future[Any]) -> Any:
        self.waiting = future
        future.add_done_callback(self._wake)
        try:
            while not future.done():
                self.parent.switch()
        finally:
            self.waiting = None
        return future.result()


def run(awaitable: Any) -> Any:
    """Wait for a Motor Future (or a coroutine) on this thread's loop; return its result."""
    loop = current_loop()
    if inspect.isawaitable(awaitable) and not isinstance(awaitable, asyncio.Future):
        awaitable = asyncio.ensure_future(awaitable, loop=loop)
    future: asyncio.Future[Any] = awaitable
    if future.done():
        return future.result()
    if loop.is_running():
        current = getcurrent()
        if isinstance(current, CallbackGreenlet):
            return current.wait(future)
        if isinstance(current, BridgeGreenlet):
            return await_future(future)
        raise RuntimeError(
            "A Synchro call was made from code running on the event loop, outside a "
            "Synchro callback; Synchro cannot wait there"
        )
    return loop.run_until_complete(future)


def sync_callback(
    fn: Callable[..., Any], wrap_args: Callable[..., tuple[Any, ...]]
) -> Callable[..., Any]:
    """A coroutine function for Motor that runs the synchronous ``fn`` in a CallbackGreenlet.

    ``wrap_args`` turns the Motor objects Motor passes into the Synchro objects ``fn``
    expects.
    """

    async def coroutine_fn(*args: Any) -> Any:
        loop = asyncio.get_running_loop()
        done = loop.create_future()

        def body() -> None:
            try:
                result = fn(*wrap_args(*args))
            except StopIteration as exc:  # a Future cannot carry StopIteration
                error = RuntimeError("callback raised StopIteration")
                error.__cause__ = exc
                if not done.done():
                    done.set_exception(error)
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
                if not done.done():
                    done.set_exception(exc)
            else:
                if not done.done():
                    done.set_result(result)

        child = CallbackGreenlet(body)
        child.gr_context = contextvars.copy_context()
        child.switch()
        return await done

    return coroutine_fn


# -- Synchro calls made inside a bridge greenlet ---------------------------------------------
#
# PyMongo calls some user code synchronously in the middle of an operation: event
# listeners (PyMongo's tests configure fail points from a CommandFailedEvent listener),
# codecs. With Motor that code runs inside the operation's bridge greenlet, where Motor
# refuses to start another operation (NestedOperationError: an async caller could not
# wait for it there). A synchronous caller can: Synchro runs such an operation inline, in
# the bridge greenlet that is already running - PyMongo's own synchronous code, which
# suspends that greenlet on the loop whenever it waits, exactly as it would in a greenlet
# of its own. Only operations started by Synchro are run inline; Motor's own rule stands
# for everything else. This is done by wrapping the function motor.core.base calls to start
# an operation in a bridge greenlet: ``start(hub, fn, args, kwargs)``.

_state = threading.local()


def _inline(hub: Any, fn: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    future = hub.loop.create_future()
    try:
        result = fn(*args, **kwargs)
    except StopIteration as exc:
        error = RuntimeError("operation raised StopIteration")
        error.__cause__ = exc
        future.set_exception(error)
    except BaseException as exc:  # noqa: BLE001 - delivered through the Future
        future.set_exception(exc)
    else:
        future.set_result(result)
    return future


def _inline_wanted() -> bool:
    return getattr(_state, "synchro_call", False) and isinstance(getcurrent(), BridgeGreenlet)


_original_start = _motor_base.start


def _start_or_inline(hub: Any, fn: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    if _inline_wanted():
        return _inline(hub, fn, args, kwargs)
    return _original_start(hub, fn, args, kwargs)


_motor_base.start = _start_or_inline


def motor_call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a Motor method for Synchro (see above); returns what Motor returns."""
    outer = getattr(_state, "synchro_call", False)
    _state.synchro_call = True
    try:
        return fn(*args, **kwargs)
    finally:
        _state.synchro_call = outer
