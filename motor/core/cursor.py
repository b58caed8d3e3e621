"""Motor cursors: ``fetch_next``/``next_object``, ``async for``, ``to_list``, ``each``.

A cursor answers from its local batch without I/O; only when the batch is empty and the
server cursor may have more does it run a getMore (or the initial find) in a bridge
greenlet. A fetch that is cancelled (or otherwise interrupted) mid-flight may have lost
a batch, so the cursor then refuses to go on rather than end early.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from time import monotonic
from typing import TYPE_CHECKING, Any

from pymongo.errors import InvalidOperation
from pymongo.synchronous.command_cursor import CommandCursor, RawBatchCommandCursor
from pymongo.synchronous.cursor import Cursor, RawBatchCursor

from motor.bridge.turns import overdue
from motor.core.base import AgnosticBase, NotIterable, check_callback
from motor.core.declare import Async, Chain, ReadOnly, wrapping

# Synchronous iteration would otherwise fall back on ``cursor[0]``, ``cursor[1]``, ...
ASYNC_ONLY = ": use 'async for', to_list() or fetch_next"
# Documents served from the local batch between two looks at when the loop last turned.
TURN_CHECK = 16


class Interruptible:
    """Remembers a fetch cancelled (or otherwise interrupted) while it waited for the server.

    The batch it was fetching may have been sent and lost with the connection, so
    going on could skip documents; ending would pass for the end of the results. Every
    later fetch raises InvalidOperation instead.
    """

    _what = "cursor"
    _broken = False
    # The Future of the fetch in flight: cancelling it marks the cursor at once, before
    # the cancellation has even reached the bridge greenlet (it does one loop step later).
    _in_flight: asyncio.Future[Any] | None = None
    # Advanced by rewind(): a fetch from before it that ends interrupted changes nothing.
    _generation = 0

    if TYPE_CHECKING:
        _run: Callable[..., Any]

    @property
    def _interrupted(self) -> bool:
        in_flight = self._in_flight
        return self._broken or (in_flight is not None and in_flight.cancelled())

    def _fetching(self, fn: Callable[..., Any], *args: Any, callback: Any = None) -> Any:
        """Run ``fn(*args)``, which may fetch documents, in a bridge greenlet."""
        future = self._run(self._guard, (fn, *args), {}, callback)
        if future is not None and not future.done():
            self._in_flight = future
            future.add_done_callback(self._fetch_done)
        return future

    def _fetch_done(self, future: asyncio.Future[Any]) -> None:
        if self._in_flight is future:
            self._in_flight = None
            if future.cancelled():
                self._broken = True

    def _guard(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._interrupted:
            raise InvalidOperation(
                f"A fetch from this {self._what} was cancelled (or interrupted) while it "
                "waited for the server, so documents may have been lost: it cannot go on."
            )
        generation = self._generation
        try:
            return fn(*args)
        except BaseException as exc:
            # CancelledError, GreenletExit, ...: it arrives here after PyMongo's own
            # cleanup, which may have waited for the server meanwhile.
            if not isinstance(exc, Exception) and generation == self._generation:
                self._broken = True
                self._abandon()
            raise

    def _start_over(self) -> None:
        """Forget an interruption: the next fetch starts from the beginning."""
        self._broken = False
        self._in_flight = None
        self._generation += 1

    def _abandon(self) -> None:
        """Kill the server cursor without I/O: this greenlet's caller has gone."""
        raise NotImplementedError


def _check_length(length: Any) -> None:
    if length is None:
        return
    if isinstance(length, bool) or not isinstance(length, int):
        raise TypeError(f"length must be an int or None, not {type(length).__name__}")
    if length < 0:
        raise ValueError("length must be non-negative")


class AgnosticBaseCursor(Interruptible, NotIterable, AgnosticBase):
    """Iteration shared by find cursors and command cursors.

    Iterate with ``async for``, ``to_list()``, ``next()``, ``fetch_next`` or ``each()``;
    ``for``, ``list()``, ``iter()`` and ``in`` raise TypeError.

    If a fetch is cancelled while it waits for the server (the task awaiting
    ``next()``, ``to_list()`` or ``fetch_next`` is cancelled, or times out in
    ``asyncio.wait_for``), the documents it was fetching may be lost: from then on the
    cursor is not ``alive`` and every fetch raises
    :class:`~pymongo.errors.InvalidOperation`, rather than ending early as if exhausted.
    A find cursor can start over with ``rewind()``.
    """

    _not_iterable_hint = ASYNC_ONLY
    _served = 0  # documents served from the local batch (see _turn_due)

    address = ReadOnly()
    cursor_id = ReadOnly()

    def __init__(self, delegate: Any, owner: Any) -> None:
        super().__init__(delegate)
        self._owner = owner
        self._client = owner._client
        self._closed = False  # by close(): each() stops without its final callback

    @classmethod
    def _from_delegate(cls, delegate: Any, parent: Any) -> AgnosticBaseCursor:
        return cls(delegate, parent)

    @property
    def session(self) -> Any:
        session = self.delegate.session
        return None if session is None else self._wrap(session)

    @property
    def closed(self) -> bool:
        """True once ``close()`` has been called (Motor 3); ``alive`` says if more may come."""
        return self._closed

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

    def _may_go_on(self) -> bool:
        """True if asking for more needs a greenlet: to fetch, or to raise the interruption."""
        return self._interrupted or self._may_fetch()

    def _turn_due(self) -> bool:
        """Should the next buffered document come through a greenlet, to let the loop turn?

        Serving a batch needs no I/O, so a loop over it (with the application's work per
        document) would never give the loop a turn. Every ``TURN_CHECK`` documents this
        asks whether the loop has gone a time slice without one; if so the document comes
        the greenlet way, and ``greenlets.start`` gives the loop its turn first.
        """
        self._served += 1
        if self._served % TURN_CHECK:
            return False
        return overdue(self._framework.hub(self.get_io_loop()), monotonic())

    def _abandon(self) -> None:
        delegate = self.delegate
        if delegate is None:
            return
        delegate._data.clear()
        if not delegate._killed:
            # PyMongo's find cursor closes itself when interrupted; its command cursor
            # does not. The client's background thread sends the killCursors.
            delegate._die_no_lock()

    @property
    def alive(self) -> bool:
        """False once the cursor is exhausted, closed, or interrupted."""
        return not self._interrupted and bool(self.delegate.alive)

    # -- the classic API ----------------------------------------------------------------
    @property
    def fetch_next(self) -> asyncio.Future[bool]:
        """A Future that resolves True when ``next_object()`` has a document, else False.

        Contacts the server only when the local batch is empty::

            while (yield cursor.fetch_next):
                doc = cursor.next_object()
        """
        if self._buffer_size():
            if self._turn_due():
                return self._fetching(self._fetch)  # no I/O: a loop turn, then True
            # No I/O and no new Future: the loop's shared, already-resolved True.
            return self._framework.hub(self.get_io_loop()).resolved_true()
        if not self._may_go_on():
            return self._resolved(False)
        return self._fetching(self._fetch)

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
        if self._buffer_size() and not self._turn_due():
            return self._resolved(self.delegate.next(), callback)
        return self._fetching(self._next, callback=callback)

    async def __anext__(self) -> Any:
        # ``async for``: a buffered document is returned at once, with no Future, hub
        # lookup or greenlet; only an empty batch runs ``_next`` (a getMore) in a greenlet,
        # and now and then a buffered one, to let the loop turn (``_turn_due``).
        delegate = self.delegate
        if delegate is not None and delegate._data and not self._turn_due():
            return delegate.next()
        return await self._fetching(self._next)

    def __aiter__(self) -> AgnosticBaseCursor:
        return self

    def to_list(self, length: int | None = None, callback: Any = None) -> Any:
        """Resolve to a list of up to ``length`` documents (all of them for None).

        Like PyMongo's, on a tailable cursor it resolves to the documents available now
        (possibly none); the cursor stays open for the next call.
        """
        _check_length(length)
        check_callback(callback)
        if length == 0 or not self._may_go_on() and not self._buffer_size():
            return self._resolved([], callback)
        return self._fetching(self._to_list, length, callback=callback)

    def _to_list(self, length: int | None) -> list[Any]:
        return self.delegate.to_list(length)

    def each(self, callback: Callable[[Any, Any], Any]) -> None:
        """Call ``callback(doc, None)`` per document, then ``callback(None, None)``.

        Returns at once; documents are delivered as they arrive. An error is delivered
        as ``callback(None, error)``, and ends the iteration. If the callback returns
        exactly False (not None or 0), iteration pauses: the cursor stays open, and a
        later ``each()`` goes on from the next document. If the callback closes the
        cursor, iteration stops without the final ``callback(None, None)``.
        """
        if not callable(callback):
            raise TypeError(f"callback must be a callable, not {type(callback).__name__}")
        self._each(callback, None)

    def _each(self, callback: Callable[[Any, Any], Any], future: Any) -> None:
        if future is not None:
            if future.cancelled():
                callback(None, asyncio.CancelledError())
                return
            if future.exception() is not None:
                callback(None, future.exception())
                return
        while self._buffer_size():
            if self._turn_due():  # go on from a greenlet, after a turn of the loop
                self._fetching(self._fetch).add_done_callback(lambda f: self._each(callback, f))
                return
            if callback(self.delegate.next(), None) is False or self._closed:
                return  # paused (the cursor stays open), or closed by the callback
        if self._may_go_on():
            self._fetching(self._fetch).add_done_callback(lambda f: self._each(callback, f))
        else:
            self._framework.hub(self.get_io_loop()).call_soon(callback, None, None)

    def close(self, callback: Any = None) -> Any:
        """Close the cursor, killing it on the server if it is open there.

        An exhaust cursor closed mid-stream closes its connection instead: the server is
        still sending on it.
        """
        self._closed = True
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
    """A find cursor (``collection.find()``); wraps ``pymongo.cursor.Cursor``.

    As in PyMongo, ``cursor[2:5]`` applies skip and limit, and ``await cursor[3]``
    resolves to one document; neither makes the cursor iterable with ``for``.
    """

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
        """The Motor collection this cursor queries."""
        owner = self._owner
        if getattr(owner, "delegate", None) is self.delegate.collection:
            return owner  # made by that collection's find()
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
        """Reset to the unevaluated state; the next fetch re-runs the query. No waiting.

        Also the way to go on with a cursor whose fetch was cancelled.
        """
        old = self.delegate
        if self._interrupted:
            # The interrupted fetch's greenlet may still be cleaning ``old`` up.
            self.delegate = old.clone()
        elif old.cursor_id and not old._killed:
            # Kill the open server cursor in the background, iterate a fresh clone now.
            self.delegate = old.clone()
            self._run(old.close, (), {})
        else:
            old.rewind()
        self._closed = False
        self._start_over()
        return self

    def __getitem__(self, index: Any) -> Any:
        """As in PyMongo: ``cursor[a:b]`` applies skip and limit and returns this cursor
        (no I/O); ``cursor[i]`` returns a Future of the document at index ``i`` (a query
        with skip ``i`` and limit 1). Only before the cursor is first used.

        This does not make the cursor iterable: ``for doc in cursor`` raises TypeError.
        """
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

    def _may_fetch(self) -> bool:
        return bool(self.delegate.alive)

    def _try_next(self) -> Any:
        return self.delegate.try_next()

    def try_next(self, callback: Any = None) -> Any:
        """Resolve to the next document, with at most one getMore; None if none came."""
        return self._fetching(self._try_next, callback=callback)

    try_next.__motor_kind__ = "I/O"  # type: ignore[attr-defined]  # as Async() marks it
    try_next.__motor_attr__ = "try_next"  # type: ignore[attr-defined]

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

    def batch_size(self, batch_size: int) -> AgnosticLatentCommandCursor:
        if self.delegate is None:
            self._kwargs["batchSize"] = batch_size
        else:
            self.delegate.batch_size(batch_size)
        return self

    @property
    def alive(self) -> bool:
        if self.delegate is None:
            return not (self._closed or self._interrupted)
        return super().alive

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

    def _try_next(self) -> Any:
        self._ensure_started()
        return self.delegate.try_next()
