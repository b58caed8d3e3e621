"""Motor cursors: ``fetch_next``/``next_object``, ``async for``, ``to_list``, ``each``.

A cursor answers from its local batch without I/O; only when the batch is empty and the
server cursor may have more does it run a getMore (or the initial find) in a bridge
greenlet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pymongo.synchronous.command_cursor import CommandCursor, RawBatchCommandCursor
from pymongo.synchronous.cursor import Cursor, RawBatchCursor

from motor.core.base import AgnosticBase, check_callback
from motor.core.declare import Async, Chain, ReadOnly, wrapping


def _check_length(length: Any) -> None:
    if length is None:
        return
    if isinstance(length, bool) or not isinstance(length, int):
        raise TypeError(f"length must be an int or None, not {type(length).__name__}")
    if length < 0:
        raise ValueError("length must be non-negative")


class AgnosticBaseCursor(AgnosticBase):
    """Iteration shared by find cursors and command cursors."""

    address = ReadOnly()
    alive = ReadOnly()
    cursor_id = ReadOnly()

    def __init__(self, delegate: Any, owner: Any) -> None:
        super().__init__(delegate)
        self._owner = owner
        self._client = owner._client

    @classmethod
    def _from_delegate(cls, delegate: Any, parent: Any) -> AgnosticBaseCursor:
        return cls(delegate, parent)

    @property
    def session(self) -> Any:
        session = self.delegate.session
        return None if session is None else self._wrap(session)

    # -- Motor 3's ``started`` (self-contained) ---------------------------------------
    @property
    def started(self) -> bool:
        """True once the cursor's query has been sent (Motor 3); False after ``rewind()``.

        A latent command cursor starts when first iterated; other command cursors come
        from a command that has already run.
        """
        delegate = self.delegate
        return delegate is not None and getattr(delegate, "_id", None) is not None

    # -- buffer state (no I/O) ------------------------------------------------------
    def _buffer_size(self) -> int:
        return len(self.delegate._data)

    def _may_fetch(self) -> bool:
        """True if the server (or the initial command) may still yield documents."""
        delegate = self.delegate
        return bool(delegate.alive) and not getattr(delegate, "_empty", False)

    def _fetch(self) -> bool:
        """In a bridge greenlet: get the next batch; True if a document is buffered."""
        self.delegate._refresh()
        return bool(self.delegate._data)

    # -- the classic API ----------------------------------------------------------------
    @property
    def fetch_next(self) -> asyncio.Future[bool]:
        """A Future that resolves True when ``next_object()`` has a document, else False.

        Contacts the server only when the local batch is empty::

            while (yield cursor.fetch_next):
                doc = cursor.next_object()
        """
        if self._buffer_size():
            # No I/O and no new Future: the loop's shared, already-resolved True.
            return self._framework.hub(self.get_io_loop()).resolved_true()
        if not self._may_fetch():
            return self._resolved(False)
        return self._run(self._fetch, (), {})

    def next_object(self) -> Any:
        """The next document already fetched by ``fetch_next``, or None. No I/O."""
        if not self._buffer_size():
            return None
        return self.delegate.next()

    def _next(self) -> Any:
        if self._buffer_size() or (self._may_fetch() and self._fetch()):
            return self.delegate.next()
        raise StopAsyncIteration

    def next(self, callback: Any = None) -> Any:
        """A Future of the next document; raises StopAsyncIteration when exhausted."""
        if self._buffer_size():
            return self._resolved(self.delegate.next(), callback)
        return self._run(self._next, (), {}, callback)

    async def __anext__(self) -> Any:
        # ``async for``: a buffered document is returned at once, with no Future, hub
        # lookup or greenlet; only an empty batch runs ``_next`` (a getMore) in a greenlet.
        delegate = self.delegate
        if delegate is not None and delegate._data:
            return delegate.next()
        return await self._run(self._next, (), {})

    def __aiter__(self) -> AgnosticBaseCursor:
        return self

    def to_list(self, length: int | None = None, callback: Any = None) -> Any:
        """Resolve to a list of up to ``length`` documents (all of them for None).

        Like PyMongo's, on a tailable cursor it resolves to the documents available now
        (possibly none); the cursor stays open for the next call.
        """
        _check_length(length)
        check_callback(callback)
        if length == 0 or not self._may_fetch() and not self._buffer_size():
            return self._resolved([], callback)
        return self._run(self._to_list, (length,), {}, callback)

    def _to_list(self, length: int | None) -> list[Any]:
        return self.delegate.to_list(length)

    def each(self, callback: Callable[[Any, Any], Any]) -> None:
        """Call ``callback(doc, None)`` per document, then ``callback(None, None)``.

        An error is delivered as ``callback(None, error)``. If the callback returns
        exactly False, iteration stops and the cursor is closed.
        """
        if not callable(callback):
            raise TypeError(f"callback must be a callable, not {type(callback).__name__}")
        self._each(callback, None)

    def _each(self, callback: Callable[[Any, Any], Any], future: Any) -> None:
        if future is not None and future.exception() is not None:
            callback(None, future.exception())
            return
        while self._buffer_size():
            if callback(self.delegate.next(), None) is False:
                self.close()
                return
        hub = self._framework.hub(self.get_io_loop())
        if self._may_fetch():
            self._run(self._fetch, (), {}).add_done_callback(lambda f: self._each(callback, f))
        else:
            hub.call_soon(callback, None, None)

    def close(self, callback: Any = None) -> Any:
        """Close the cursor, killing it on the server if it is open there."""
        delegate = self.delegate
        if delegate is None or getattr(delegate, "_killed", False) or not delegate.cursor_id:
            if delegate is not None:
                delegate.close()
            return self._resolved(None, callback)
        return self._run(delegate.close, (), {}, callback)

    async def __aenter__(self) -> AgnosticBaseCursor:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


class AgnosticCursor(AgnosticBaseCursor):
    """A find cursor (``collection.find()``); wraps ``pymongo.cursor.Cursor``."""

    __motor_class_name__ = "MotorCursor"
    __delegate_class__: type[Cursor[Any]] | None = Cursor

    retrieved = ReadOnly()

    add_option = Chain()
    allow_disk_use = Chain()
    batch_size = Chain()
    collation = Chain()
    comment = Chain()
    hint = Chain()
    limit = Chain()
    max = Chain()
    max_await_time_ms = Chain()
    max_scan = Chain()
    max_time_ms = Chain()
    min = Chain()
    remove_option = Chain()
    skip = Chain()
    sort = Chain()
    where = Chain()

    distinct = Async()
    explain = Async()

    @property
    def collection(self) -> Any:
        from motor.core.collection import AgnosticCollection

        if isinstance(self._owner, AgnosticCollection):
            return self._owner
        return self._wrap(self.delegate.collection)

    def clone(self) -> AgnosticCursor:
        """An unevaluated copy of this cursor, with the same options."""
        return type(self)(self.delegate.clone(), self._owner)

    def __copy__(self) -> AgnosticCursor:
        """``copy.copy(cursor)``: like PyMongo's, a clone sharing mutable options (shallow)."""
        return type(self)(self.delegate.__copy__(), self._owner)

    def __deepcopy__(self, memo: Any) -> AgnosticCursor:
        return type(self)(self.delegate.__deepcopy__(memo), self._owner)

    def rewind(self) -> AgnosticCursor:
        """Reset to the unevaluated state; the next fetch re-runs the query. No waiting."""
        old = self.delegate
        if old.cursor_id and not old._killed:
            # Kill the open server cursor in the background, iterate a fresh clone now.
            self.delegate = old.clone()
            self._run(old.close, (), {})
        else:
            old.rewind()
        return self

    def __getitem__(self, index: Any) -> Any:
        """``cursor[a:b]`` applies skip and limit (pure); ``cursor[i]`` resolves to one document."""
        if isinstance(index, slice):
            self.delegate[index]
            return self
        return self._run(wrapping(self, self.delegate.__getitem__), (index,), {})


class AgnosticRawBatchCursor(AgnosticCursor):
    """A find cursor of raw BSON batches (``find_raw_batches``)."""

    __motor_class_name__ = "MotorRawBatchCursor"
    __delegate_class__ = RawBatchCursor


class AgnosticCommandCursor(AgnosticBaseCursor):
    """A cursor from a command (aggregate, listIndexes, ...); wraps ``CommandCursor``."""

    __motor_class_name__ = "MotorCommandCursor"
    __delegate_class__: type[CommandCursor[Any]] | None = CommandCursor

    batch_size = Chain()
    try_next = Async()

    def _may_fetch(self) -> bool:
        return bool(self.delegate.alive)

    def _next(self) -> Any:
        # Like PyMongo's CommandCursor.next(): an empty batch from a live cursor (an
        # aggregate with $changeStream, a tailable-await cursor) is not the end.
        while not self._buffer_size():
            if not self._may_fetch():
                raise StopAsyncIteration
            self._fetch()
        return self.delegate.next()


class AgnosticRawBatchCommandCursor(AgnosticCommandCursor):
    __motor_class_name__ = "MotorRawBatchCommandCursor"
    __delegate_class__ = RawBatchCommandCursor


class AgnosticLatentCommandCursor(AgnosticCommandCursor):
    """A command cursor whose command (aggregate, listIndexes, ...) runs on first iteration."""

    __motor_class_name__ = "MotorLatentCommandCursor"
    __delegate_class__ = None

    def __init__(self, owner: Any, start: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(None, owner)
        self._start = start
        self._args = args
        self._kwargs = kwargs
        self._closed = False

    def batch_size(self, batch_size: int) -> AgnosticLatentCommandCursor:
        if self.delegate is None:
            self._kwargs["batchSize"] = batch_size
        else:
            self.delegate.batch_size(batch_size)
        return self

    @property
    def alive(self) -> bool:
        return not self._closed if self.delegate is None else bool(self.delegate.alive)

    @property
    def cursor_id(self) -> Any:
        return None if self.delegate is None else self.delegate.cursor_id

    @property
    def address(self) -> Any:
        return None if self.delegate is None else self.delegate.address

    @property
    def session(self) -> Any:
        return None if self.delegate is None else super().session

    def _buffer_size(self) -> int:
        return 0 if self.delegate is None else len(self.delegate._data)

    def _may_fetch(self) -> bool:
        return not self._closed if self.delegate is None else bool(self.delegate.alive)

    def _ensure_started(self) -> bool:
        """Run the command if it has not run; True if it ran now."""
        if self.delegate is not None:
            return False
        self.delegate = self._start(*self._args, **self._kwargs)
        return True

    def _fetch(self) -> bool:
        if self._ensure_started():
            return bool(self.delegate._data) or (self.delegate.alive and super()._fetch())
        return super()._fetch()

    def _to_list(self, length: int | None) -> list[Any]:
        self._ensure_started()
        return self.delegate.to_list(length)

    def _try_next(self, *args: Any, **kwargs: Any) -> Any:
        self._ensure_started()
        return self.delegate.try_next()

    def try_next(self, callback: Any = None) -> Any:
        return self._run(self._try_next, (), {}, callback)

    def close(self, callback: Any = None) -> Any:
        self._closed = True
        return super().close(callback)
