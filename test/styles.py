"""Calling a Motor I/O method in each of the three styles Motor supports."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tornado import gen

STYLES = ("await", "gen", "callback")


async def invoke(style: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``method`` with ``await``, with ``yield`` in a ``gen.coroutine``, or with ``callback=``."""
    if style == "await":
        return await method(*args, **kwargs)
    if style == "gen":

        @gen.coroutine
        def legacy() -> Any:
            result = yield method(*args, **kwargs)
            return result

        return await legacy()
    assert style == "callback", style
    future = asyncio.get_running_loop().create_future()

    def callback(result: Any, error: Any) -> None:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    assert method(*args, callback=callback, **kwargs) is None
    return await future
