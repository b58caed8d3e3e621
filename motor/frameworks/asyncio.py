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
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


def check_loop(loop: Any) -> None:
    if not isinstance(loop, asyncio.AbstractEventLoop):
        raise TypeError(f"io_loop must be an asyncio event loop, not {loop!r}")


def hub(loop: asyncio.AbstractEventLoop) -> Hub:
    try:
        return _hubs[loop]
    except KeyError:
        _hubs[loop] = result = Hub(loop)
        return result


def is_running(loop: asyncio.AbstractEventLoop) -> bool:
    return loop.is_running()


def run_until_complete(loop: asyncio.AbstractEventLoop, future: Any) -> Any:
    return loop.run_until_complete(future)
