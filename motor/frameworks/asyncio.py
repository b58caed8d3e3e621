"""The asyncio adapter: Motor objects bound to an ``asyncio`` event loop."""

from __future__ import annotations

import asyncio
from typing import Any

from motor.bridge.hub import Hub, hub_per_loop

name = "asyncio"
CLASS_PREFIX = "AsyncIO"


def default_loop() -> asyncio.AbstractEventLoop:
    loop = asyncio._get_running_loop()
    if loop is not None:
        return loop
    return asyncio.get_event_loop_policy().get_event_loop()


def check_loop(loop: Any) -> None:
    if not isinstance(loop, asyncio.AbstractEventLoop):
        raise TypeError(f"io_loop must be an asyncio event loop, not {loop!r}")


hub = hub_per_loop(Hub)


def is_running(loop: asyncio.AbstractEventLoop) -> bool:
    return loop.is_running()


def run_until_complete(loop: asyncio.AbstractEventLoop, future: Any) -> Any:
    return loop.run_until_complete(future)
