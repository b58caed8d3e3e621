"""Is a Python signal handler running on this thread's stack?

A handler installed with ``signal.signal()`` runs on the main thread between two
bytecodes of whatever runs there, which may be a bridge greenlet in the middle of
PyMongo's code. ``greenlets.start`` asks this module before it refuses an operation
started from inside another one: one started by a signal handler is deferred instead.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any


def _handler_codes() -> set[Any]:
    codes = set()
    for signum in signal.valid_signals():
        try:
            handler: Any = signal.getsignal(signum)
        except (OSError, ValueError):
            continue
        while hasattr(handler, "func"):  # functools.partial
            handler = handler.func
        handler = getattr(handler, "__func__", handler)  # a bound method
        code = getattr(handler, "__code__", None)
        if code is not None:
            codes.add(code)
    return codes


def in_signal_handler() -> bool:
    """True if a Python signal handler is on the current greenlet's stack."""
    if threading.current_thread() is not threading.main_thread():
        return False
    codes = _handler_codes()
    if not codes:
        return False
    frame: Any = sys._getframe(2)  # the caller of greenlets.start
    while frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False
