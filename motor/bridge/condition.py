"""HybridCondition: a Condition over a threading.Lock that greenlets and threads can both wait on.

PyMongo's pool (``size_cond``, ``_max_connecting_cond``) and topology (server selection)
wait on conditions. A bridge greenlet waiting there must suspend only itself: the
connections it waits for may be held by other greenlets suspended on the same thread.
PyMongo's monitor and kill-cursors threads still wait and notify as threads, so both
kinds of waiter share one lock and each ``notify`` wakes both kinds. Over-notifying is
safe: every PyMongo wait sits in a loop that re-checks its predicate.
"""

from __future__ import annotations

import collections
import sys
import threading
from typing import Any

from motor.bridge.greenlets import BridgeGreenlet, Waker, current_bridge, suspend
from motor.bridge.hub import on_thread


class _GreenWaiter(Waker):
    __slots__ = ("notified",)

    def __init__(self, child: BridgeGreenlet) -> None:
        super().__init__(child)
        self.notified = False


class HybridCondition:
    """Drop-in for ``threading.Condition(lock)`` that never blocks an event loop."""

    def __init__(self, lock: Any = None) -> None:
        self._lock = lock if lock is not None else threading.Lock()
        self._threads = threading.Condition(self._lock)
        self._greenlets: collections.deque[_GreenWaiter] = collections.deque()

    def __enter__(self) -> bool:
        return self._lock.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._lock.__exit__(*exc)

    def acquire(self, *args: Any) -> bool:
        return self._lock.acquire(*args)

    def release(self) -> None:
        self._lock.release()

    def wait(self, timeout: float | None = None) -> bool:
        """Release the lock, wait for a notify or the timeout, re-acquire. True if notified."""
        child = current_bridge()
        if child is None:
            return self._threads.wait(timeout)
        waiter = _GreenWaiter(child)
        self._greenlets.append(waiter)
        self._lock.release()
        timer = None
        try:
            if timeout is not None:
                timer = child.hub.call_later(max(timeout, 0.0), waiter.wake, False)
            woken = suspend(child, waiter)
        except BaseException:
            self._lock.acquire()
            self._discard(waiter)
            if waiter.notified:
                # Do not swallow a notify meant for someone: hand it on.
                self.notify()
            raise
        finally:
            if timer is not None:
                timer.cancel()
        self._lock.acquire()
        self._discard(waiter)
        # Woken with True but not notified: an orphan resumed by the loop adopting it
        # (greenlets.py), a spurious wake-up, as threading.Condition allows.
        return waiter.notified or woken is True

    def _discard(self, waiter: _GreenWaiter) -> None:
        try:
            self._greenlets.remove(waiter)
        except ValueError:
            pass

    def notify(self, n: int = 1) -> None:
        """Wake up to ``n`` greenlet waiters and ``n`` thread waiters. Call with the lock held."""
        woken = 0
        while woken < n and self._greenlets:
            waiter = self._greenlets.popleft()
            if waiter.done:
                continue
            waiter.notified = True
            child = waiter.child
            if on_thread(child.thread_id):
                try:
                    child.hub.call_soon(waiter.wake, True)
                except RuntimeError:
                    pass  # an orphan's closed loop: the loop adopting it resumes it
            else:
                child.hub.call_soon_threadsafe(waiter.wake, True)
            woken += 1
        if self._threads._waiters:  # type: ignore[attr-defined]
            # Skipped when no thread waits: every connection check-in notifies.
            self._threads.notify(n)

    def notify_all(self) -> None:
        self.notify(sys.maxsize)

    notifyAll = notify_all  # noqa: N815 - threading.Condition's alias
