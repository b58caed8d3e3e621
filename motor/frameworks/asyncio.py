"""The asyncio adapter: Motor objects bound to an ``asyncio`` event loop."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from motor.bridge.hub import Hub

name = "asyncio"
CLASS_PREFIX = "AsyncIO"

_hubs: weakref.WeakKeyDictionary[Any, Hub] = weakref.WeakKeyDictionary()


def default_loop() -> asyncio.AbstractEventLoop:
    loop = asyncio._get_running_loop()
    if loop is not None:
        return loop
    return asyncio.get_event_loop_policy().get_event_loop()


def check_loop(loop: Any) -> None:
    if not isinstance(loop, asyncio.AbstractEventLoop):
        raise TypeError(f"io_loop must be an asyncio event loop, not {loop!r}")


# The last loop asked about and its hub: every operation asks, almost always for the same
# loop, and a WeakKeyDictionary lookup makes a weak reference each time.
_last: tuple[Any, Hub | None] = (None, None)


def hub(loop: asyncio.AbstractEventLoop) -> Hub:
    global _last
    last = _last
    if last[0] is loop:
        return last[1]  # type: ignore[return-value]
    try:
        result = _hubs[loop]
    except KeyError:
        _hubs[loop] = result = Hub(loop)
    _last = (loop, result)
    return result


def is_running(loop: asyncio.AbstractEventLoop) -> bool:
    return loop.is_running()


def run_until_complete(loop: asyncio.AbstractEventLoop, future: Any) -> Any:
    return loop.run_until_complete(future)
