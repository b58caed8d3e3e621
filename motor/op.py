"""``motor.Op``: the original Motor API's way to wait for a callback-style method.

Motor's first releases had no Futures: a coroutine ran ``result = yield
motor.Op(collection.find_one, {"_id": 1})``. Every Motor 4 I/O method returns a Future
already, so ``Op`` is only for old code, and warns.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable
from typing import Any

from motor.frameworks.asyncio import default_loop


def Op(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:  # noqa: N802
    """Call ``fn(*args, callback=..., **kwargs)``; return a Future of the result it calls back.

    The Future resolves to the ``result`` of ``callback(result, error)``, or raises
    ``error``. Usable with ``yield`` in a ``tornado.gen.coroutine`` and with ``await``.

    .. deprecated:: 4.0
       Await the method's own Future: ``result = await collection.find_one({"_id": 1})``.
    """
    warnings.warn(
        "motor.Op is deprecated: Motor's methods return Futures, so await (or yield) the"
        " Future directly, e.g. 'doc = await collection.find_one(...)'",
        DeprecationWarning,
        stacklevel=2,
    )
    future: asyncio.Future[Any] = default_loop().create_future()

    def callback(result: Any, error: BaseException | None) -> None:
        if future.done():  # the waiter was cancelled
            return
        if isinstance(error, asyncio.CancelledError):
            future.cancel()
        elif error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    fn(*args, callback=callback, **kwargs)
    return future
