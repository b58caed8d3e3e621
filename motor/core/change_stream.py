"""AgnosticChangeStream: MotorChangeStream's framework-independent core."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pymongo.change_stream import ChangeStream

from motor.core.base import AgnosticBase


class AgnosticChangeStream(AgnosticBase):
    """A change stream from ``watch()``; wraps ``pymongo.change_stream.ChangeStream``.

    ``watch()`` returns one at once; its aggregate runs on the first ``next()``,
    ``try_next()``, ``async for`` or on ``async with`` entry. PyMongo resumes it after
    a resumable error (a primary step-down, a network error) exactly as it always does.
    """

    __motor_class_name__ = "MotorChangeStream"
    __delegate_class__ = ChangeStream

    def __init__(
        self, owner: Any, start: Callable[..., ChangeStream[Any]], *args: Any, **kwargs: Any
    ):
        super().__init__(None)
        self._owner = owner
        self._client = owner._client
        self._start = start
        self._args = args
        self._kwargs = kwargs
        self._closed = False

    def _ensure_started(self) -> ChangeStream[Any]:
        if self.delegate is None:
            self.delegate = self._start(*self._args, **self._kwargs)
        return self.delegate

    def _next(self) -> Any:
        stream = self._ensure_started()
        try:
            return stream.next()
        except StopIteration:
            raise StopAsyncIteration from None

    def _try_next(self) -> Any:
        return self._ensure_started().try_next()

    def next(self, callback: Any = None) -> asyncio.Future[Any]:
        """Resolve to the next change, waiting for one; StopAsyncIteration once closed."""
        if self._closed:
            raise StopAsyncIteration
        return self._run(self._next, (), {}, callback)

    def try_next(self, callback: Any = None) -> asyncio.Future[Any]:
        """Resolve to the next change if one arrives within one getMore, else None."""
        return self._run(self._try_next, (), {}, callback)

    def __aiter__(self) -> AgnosticChangeStream:
        return self

    def __anext__(self) -> Any:
        if self._closed:
            raise StopAsyncIteration
        return self._run(self._next, (), {})

    @property
    def alive(self) -> bool:
        return not self._closed if self.delegate is None else bool(self.delegate.alive)

    @property
    def resume_token(self) -> Any:
        return None if self.delegate is None else self.delegate.resume_token

    # -- ``with`` is a mistake for ``async with`` (Motor 3's RuntimeError; self-contained) --
    def __enter__(self) -> None:
        raise RuntimeError(f"Use a {type(self).__name__} in 'async with', not 'with'")

    def __exit__(self, *exc: Any) -> None:
        pass

    def close(self, callback: Any = None) -> Any:
        """Close the stream (killing its server cursor)."""
        self._closed = True
        if self.delegate is None:
            return self._run(lambda: None, (), {}, callback)
        return self._run(self.delegate.close, (), {}, callback)

    async def __aenter__(self) -> AgnosticChangeStream:
        if self.delegate is None:
            await self._run(self._ensure_started, (), {})
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
