"""AgnosticChangeStream: MotorChangeStream's framework-independent core."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pymongo.change_stream import ChangeStream

from motor.core.base import AgnosticBase, NotIterable
from motor.core.cursor import Interruptible


class AgnosticChangeStream(Interruptible, NotIterable, AgnosticBase):
    """A change stream from ``watch()``; wraps ``pymongo.change_stream.ChangeStream``.

    ``watch()`` returns one at once; its aggregate runs on the first ``next()``,
    ``try_next()``, ``async for`` or on ``async with`` entry. PyMongo resumes it after
    a resumable error (a primary step-down, a network error) exactly as it always does.
    Iterate it with ``async for``; ``for`` and ``iter()`` raise TypeError.

    Cancelling a ``next()`` that waits for a change ends the stream: later calls raise
    InvalidOperation, since changes may have been lost. To wait for changes a limited
    time, loop on ``try_next()``, which returns None when none came.
    """

    __motor_class_name__ = "MotorChangeStream"
    __delegate_class__ = ChangeStream
    _not_iterable_hint = ": use 'async for', next() or try_next()"
    _what = "change stream"

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
        try:
            return self._ensure_started().next()
        except StopIteration:
            raise StopAsyncIteration from None

    def _try_next(self) -> Any:
        return self._ensure_started().try_next()

    def _abandon(self) -> None:
        # PyMongo closes the stream when interrupted; its next call would end quietly,
        # as if the changes in flight had never happened.
        cursor = getattr(self.delegate, "_cursor", None)
        if cursor is not None and not cursor._killed:
            cursor._die_no_lock()

    def next(self, callback: Any = None) -> asyncio.Future[Any]:  # type: ignore[override]
        """Resolve to the next change, waiting for one; StopAsyncIteration once closed."""
        if self._closed:
            raise StopAsyncIteration
        return self._fetching(self._next, callback=callback)  # type: ignore[no-any-return]

    def try_next(self, callback: Any = None) -> asyncio.Future[Any]:
        """Resolve to the next change if one arrives within one getMore, else None."""
        return self._fetching(self._try_next, callback=callback)  # type: ignore[no-any-return]

    def __aiter__(self) -> AgnosticChangeStream:
        return self

    def __anext__(self) -> Any:
        if self._closed:
            raise StopAsyncIteration
        return self._fetching(self._next)

    @property
    def alive(self) -> bool:
        if self.delegate is None:
            return not (self._closed or self._interrupted)
        return not self._interrupted and bool(self.delegate.alive)

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
