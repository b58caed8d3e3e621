"""MotorGridIn, MotorGridOut and MotorGridOutCursor: one GridFS file, written or read.

Each wraps PyMongo's synchronous class; whatever may touch the server runs in a bridge
greenlet. A GridIn or GridOut holds buffer and cursor state that two operations must not
share, so each runs its operations one at a time, in the order they were called.
"""

from __future__ import annotations

import asyncio
import collections
import inspect
import os
from collections.abc import Awaitable, Callable
from typing import Any

from gridfs.errors import CorruptGridFile
from gridfs.synchronous.grid_file import GridIn, GridOut, GridOutCursor
from pymongo.errors import InvalidOperation, PyMongoError
from pymongo.synchronous.cursor import Cursor

from motor.bridge.greenlets import await_future, current_bridge
from motor.core.base import AgnosticBase
from motor.core.collection import AgnosticCollection
from motor.core.cursor import AgnosticCursor
from motor.core.declare import Async, Declaration, ReadOnly, Sync, unwrap


def io_method(attr: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a hand-written method as I/O on the delegate's ``attr``, as ``Async()`` would."""

    def mark(method: Callable[..., Any]) -> Callable[..., Any]:
        method.__motor_kind__ = "I/O"  # type: ignore[attr-defined]
        method.__motor_attr__ = attr  # type: ignore[attr-defined]
        return method

    return mark


# -- one operation at a time ----------------------------------------------------------------


class OneAtATime:
    """First-come, first-served exclusion among the bridge greenlets of one file object.

    Uncontended, it is a flag: an operation that needs no I/O still finishes without a loop
    iteration. A greenlet that finds it taken waits on a Future, in call order; the lock
    passes straight to the next waiter when released.
    """

    __slots__ = ("busy", "_waiters")

    def __init__(self) -> None:
        self.busy = False
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    def call(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """In a bridge greenlet: run ``fn(*args, **kwargs)`` once no other operation runs."""
        if self.busy:
            child = current_bridge()
            assert child is not None, "OneAtATime.call runs in a bridge greenlet"
            turn = child.hub.create_future()
            self._waiters.append(turn)
            try:
                await_future(turn)
            except BaseException:
                if turn.done() and not turn.cancelled():
                    self._release()  # it was handed to us just as we were cancelled
                else:
                    try:
                        self._waiters.remove(turn)
                    except ValueError:
                        pass
                raise
        else:
            self.busy = True
        try:
            return fn(*args, **kwargs)
        finally:
            self._release()

    def _release(self) -> None:
        while self._waiters:
            turn = self._waiters.popleft()
            if not turn.done():
                turn.set_result(None)  # ownership passes on; busy stays True
                return
        self.busy = False


class _SerialFile(AgnosticBase):
    """A wrapper whose I/O methods all go through one :class:`OneAtATime`."""

    _serial: OneAtATime

    def __init__(self, delegate: Any, client: Any) -> None:
        object.__setattr__(self, "delegate", delegate)
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "_serial", OneAtATime())

    @classmethod
    def _from_delegate(cls, delegate: Any, parent: Any) -> Any:
        obj = cls.__new__(cls)
        _SerialFile.__init__(obj, delegate, parent._client)
        return obj

    def _run(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        callback: Any = None,
    ) -> Any:
        return super()._run(self._serial.call, (fn, *args), kwargs, callback)

    @property
    def io_loop(self) -> Any:
        return self.get_io_loop()

    def _background(self, fn: Callable[..., Any]) -> None:
        """Run ``fn`` now, outside the queue; nobody waits for it, so its error is dropped."""
        future = AgnosticBase._run(self, fn, (), {})
        future.add_done_callback(lambda f: f.cancelled() or f.exception())


def _check_collection(obj: Any, root_collection: Any) -> None:
    expected = obj._motor_class(AgnosticCollection)
    if not isinstance(root_collection, expected):
        raise TypeError(
            f"First argument to {type(obj).__name__} must be {expected.__name__}, not {root_collection!r}"
        )


# -- sources and destinations that may be asynchronous --------------------------------------


class GreenReader:
    """A file-like source for PyMongo's ``GridIn.write``, read from inside a bridge greenlet.

    The source's ``read`` may be a coroutine function (an aiohttp or asyncio
    ``StreamReader``, an async file): the greenlet waits for it on the loop. A short read
    is not taken for the end of the data: ``read(n)`` returns ``n`` bytes unless the
    source is exhausted, as PyMongo expects.
    """

    __slots__ = ("_read",)

    def __init__(self, read: Callable[[int], Any]) -> None:
        self._read = read

    def _call(self, size: int) -> Any:
        result = self._read(size)
        return await_future(result) if inspect.isawaitable(result) else result

    def read(self, size: int = -1) -> Any:
        if size is None or size < 0:
            return self._call(-1)
        parts = []
        wanted = size
        while wanted > 0:
            data = self._call(wanted)
            if not data:
                break
            parts.append(data)
            wanted -= len(data)
        return parts[0] if len(parts) == 1 else b"".join(parts)


def green_source(data: Any) -> Any:
    """``data`` for ``GridIn.write``: bytes and str as they are, file-likes read cooperatively."""
    data = unwrap(data)
    read = getattr(data, "read", None)
    return data if read is None else GreenReader(read)


class GreenWriter:
    """A destination for PyMongo's ``download_to_stream``: ``write`` may be a coroutine.

    With an ``asyncio.StreamWriter`` (a plain ``write`` and an async ``drain``), it drains
    after each chunk, so a large file is never buffered whole.
    """

    __slots__ = ("_destination",)

    def __init__(self, destination: Any) -> None:
        self._destination = unwrap(destination)

    def write(self, data: bytes) -> None:
        result = self._destination.write(data)
        if inspect.isawaitable(result):
            await_future(result)
            return
        drain = getattr(self._destination, "drain", None)
        if drain is not None and inspect.iscoroutinefunction(drain):
            await_future(drain())


# -- MotorGridIn --------------------------------------------------------------------------


class ReadOnlyFileError(InvalidOperation, AttributeError):
    """Setting a field of a closed MotorGridIn. An AttributeError, as in Motor 3 (whose
    fields were read-only) and for PyMongo's async GridIn's extra fields; an
    InvalidOperation, as for the async GridIn's ``filename`` and ``content_type``."""


def _closed_error(obj: Any, attr: str) -> ReadOnlyFileError:
    return ReadOnlyFileError(
        f"{type(obj).__name__} is closed: {attr!r} is read-only now, use"
        f" 'await grid_in.set({attr!r}, value)'"
    )


def _grid_in_field(attr: str) -> property:
    """A GridIn attribute settable until the file is closed (then use ``set()``)."""

    def fget(self: Any) -> Any:
        return getattr(self.delegate, attr)

    def fset(self: Any, value: Any) -> None:
        if self.delegate.closed:
            raise _closed_error(self, attr)
        setattr(self.delegate, attr, value)

    return property(fget, fset, doc=getattr(GridIn, attr).__doc__)


class AgnosticGridIn(_SerialFile):
    """A file being written to GridFS; wraps PyMongo's ``GridIn``.

    Usually made by ``bucket.open_upload_stream()`` or ``fs.new_file()``. Use it as
    ``async with bucket.open_upload_stream(name) as grid_in: await grid_in.write(data)``:
    the file is closed (its document written) on a normal exit, and aborted (its chunks
    deleted) if the block raises.

    Fields may be set as attributes until the file is closed (``grid_in.filename = ...``,
    ``grid_in.anything = ...``); after that, ``await grid_in.set(name, value)`` updates the
    stored file document.
    """

    __motor_class_name__ = "MotorGridIn"
    __delegate_class__ = GridIn

    _id = ReadOnly()
    chunk_size = ReadOnly()
    closed = ReadOnly()
    content_type = _grid_in_field("content_type")
    filename = _grid_in_field("filename")
    length = ReadOnly()
    md5 = ReadOnly()
    name = _grid_in_field("name")
    upload_date = ReadOnly()

    read = Sync()
    readable = Sync()
    seekable = Sync()
    writeable = Sync()

    abort = Async()
    close = Async()
    set = Async()
    writelines = Async()

    def __init__(
        self,
        root_collection: Any,
        delegate: GridIn | None = None,
        session: Any = None,
        **kwargs: Any,
    ):
        """Open a new GridFS file in ``root_collection`` (a Motor collection such as ``db.fs``).

        Takes PyMongo's ``GridIn`` keyword arguments (``filename``, ``_id``,
        ``content_type``, ``chunk_size``, ``encoding``, any other file field).
        """
        _check_collection(self, root_collection)
        if delegate is None:
            delegate = GridIn(root_collection.delegate, session=unwrap(session), **kwargs)
        super().__init__(delegate, root_collection._client)

    @io_method("write")
    def write(self, data: Any, callback: Any = None) -> Any:
        """Write bytes, a str (with an ``encoding``), or everything a file-like object holds.

        The file-like object may be asynchronous (its ``read`` a coroutine function).
        Full chunks are sent to the server as they fill; the rest on ``close()``.
        """
        return self._run(self.delegate.write, (green_source(data),), {}, callback)

    def __getattr__(self, name: str) -> Any:
        delegate = self.__dict__.get("delegate")
        if delegate is not None and not name.startswith("_"):
            document = delegate._file
            if name in document:
                return document[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name == "delegate" or hasattr(type(self), name):
            object.__setattr__(self, name, value)
        elif self.delegate.closed:
            raise _closed_error(self, name)
        else:
            setattr(self.delegate, name, value)

    async def __aenter__(self) -> AgnosticGridIn:
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            await self.close()
            return
        try:
            await self.abort()
        except PyMongoError:
            pass  # the block's own exception is the one to report


# -- MotorGridOut -------------------------------------------------------------------------


class FileField(Declaration):
    """A GridOut attribute from the file document, readable once it is loaded (no I/O)."""

    def build(self, cls: type, name: str) -> property:
        attr = self.attr_name or name

        def fget(self: Any) -> Any:
            if not self.delegate._file:
                raise InvalidOperation(
                    f"You must call {type(self).__name__}.open() before accessing the {name} property"
                )
            return getattr(self.delegate, attr)  # the document is loaded: no I/O

        return property(
            fget, doc=self.doc or getattr(cls.__dict__["__delegate_class__"], attr).__doc__
        )


class AgnosticGridOut(_SerialFile):
    """A GridFS file being read; wraps PyMongo's ``GridOut``.

    ``bucket.open_download_stream()`` and the other download methods return it opened;
    one made directly needs ``await grid_out.open()`` before its attributes (``_id``,
    ``filename``, ``length``, ``chunk_size``, ``upload_date``, ``metadata``, and any other
    field of the file document) can be read.

    ``async for chunk in grid_out`` yields the file's data chunk by chunk.
    """

    __motor_class_name__ = "MotorGridOut"
    __delegate_class__ = GridOut

    _id = FileField()
    aliases = FileField()
    chunk_size = FileField()
    content_type = FileField()
    filename = FileField()
    length = FileField()
    md5 = FileField()
    metadata = FileField()
    name = FileField()
    upload_date = FileField()

    closed = ReadOnly()

    fileno = Sync()
    flush = Sync()
    isatty = Sync()
    readable = Sync()
    seekable = Sync()
    tell = Sync()
    truncate = Sync()
    writable = Sync()
    write = Sync()
    writelines = Sync()

    close = Async()
    read = Async()
    readchunk = Async()
    readline = Async()
    readlines = Async()

    def __init__(
        self,
        root_collection: Any,
        file_id: Any = None,
        file_document: Any = None,
        delegate: GridOut | None = None,
        session: Any = None,
    ) -> None:
        """Read the file ``file_id`` (or described by ``file_document``) of ``root_collection``."""
        _check_collection(self, root_collection)
        if delegate is None:
            delegate = GridOut(
                root_collection.delegate, file_id, file_document, session=unwrap(session)
            )
        super().__init__(delegate, root_collection._client)

    def _open(self) -> AgnosticGridOut:
        self.delegate.open()
        return self

    @io_method("open")
    def open(self, callback: Any = None) -> Any:
        """Load the file document (NoFile if there is none); resolves to this MotorGridOut."""
        return self._run(self._open, (), {}, callback)

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        """Move to ``pos`` (from the start, the current position, or the end); return it.

        No waiting: a chunk cursor left open by an earlier read is detached and closed in
        the background. Seeking from the end needs the file opened; seeking while another
        operation on this file is running raises InvalidOperation.
        """
        delegate = self.delegate
        if whence == os.SEEK_END and not delegate._file:
            raise InvalidOperation(
                f"You must call {type(self).__name__}.open() before seeking from the end"
            )
        if self._serial.busy:
            raise InvalidOperation(
                f"Cannot seek while another operation on this {type(self).__name__} runs"
            )
        chunk_iter = delegate._chunk_iter
        cursor = getattr(chunk_iter, "_cursor", None)
        if cursor is None or not cursor.cursor_id:
            return delegate.seek(pos, whence)  # closing the chunk iterator needs no I/O
        position = delegate._position
        delegate._chunk_iter = None  # so PyMongo's seek does not kill its cursor here
        try:
            new_pos = delegate.seek(pos, whence)
        except BaseException:
            delegate._chunk_iter = chunk_iter
            raise
        if new_pos == position:
            delegate._chunk_iter = chunk_iter  # PyMongo keeps buffer and cursor then
        else:
            self._background(chunk_iter.close)
        return new_pos

    def __getattr__(self, name: str) -> Any:
        delegate = self.__dict__.get("delegate")
        if delegate is None or name.startswith("_"):
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")
        if not delegate._file:
            raise InvalidOperation(
                f"You must call {type(self).__name__}.open() before accessing the {name} property"
            )
        if name in delegate._file:
            return delegate._file[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    # -- iteration and streaming -------------------------------------------------------
    def _next_chunk(self) -> bytes:
        chunk = self.delegate.readchunk()
        if not chunk:
            raise StopAsyncIteration
        return chunk

    def __aiter__(self) -> AgnosticGridOut:
        return self

    def __anext__(self) -> Any:
        return self._run(self._next_chunk, (), {})

    async def copy_to(
        self, write: Callable[[bytes], Awaitable[Any] | Any], length: int | None = None
    ) -> int:
        """Pass the file to ``write`` chunk by chunk, from the current position.

        Sends at most ``length`` bytes (the rest of the file for None) and returns how many
        it sent; ``write`` may return an awaitable, which is awaited before the next chunk
        is read. Only one chunk is held in memory at a time.
        """
        remaining = None if length is None else max(length, 0)
        sent = 0
        while remaining is None or remaining > 0:
            chunk = await self.readchunk()
            if not chunk:
                if remaining:
                    raise CorruptGridFile(f"file ended {remaining} bytes before its length")
                break
            if remaining is not None:
                chunk = chunk[:remaining]
                remaining -= len(chunk)
            result = write(chunk)
            if inspect.isawaitable(result):
                await result
            sent += len(chunk)
        return sent

    async def stream_to_handler(self, request_handler: Any) -> int:
        """Write the file to a Tornado ``RequestHandler`` chunk by chunk, flushing each.

        Set the headers first. The file is never held in memory whole; returns the number
        of bytes written.
        """

        def write(chunk: bytes) -> Any:
            request_handler.write(chunk)
            return request_handler.flush()

        return await self.copy_to(write)

    async def __aenter__(self) -> AgnosticGridOut:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


# -- MotorGridOutCursor ------------------------------------------------------------------


class AgnosticGridOutCursor(AgnosticCursor):
    """A cursor over GridFS files (``bucket.find()``): every item is a MotorGridOut."""

    __motor_class_name__ = "MotorGridOutCursor"
    __delegate_class__ = GridOutCursor

    @property
    def collection(self) -> Any:
        """The files collection this cursor queries."""
        return self._wrap(self.delegate.collection)

    def _grid_out(self, grid_out: GridOut | None) -> Any:
        return None if grid_out is None else self._wrap(grid_out)

    def next_object(self) -> Any:
        """The next MotorGridOut already fetched by ``fetch_next``, or None. No I/O."""
        return self._grid_out(super().next_object())

    def _next(self) -> Any:
        return self._grid_out(super()._next())

    def next(self) -> asyncio.Future[Any]:  # type: ignore[override]  # unlike the base's, no callback
        """A Future of the next MotorGridOut; raises StopAsyncIteration when exhausted."""
        if self._buffer_size() and not self._turn_due():
            return self._resolved(self._grid_out(self.delegate.next()))
        return self._fetching(self._next)

    __anext__ = next  # type: ignore[assignment]  # a Future, not a coroutine: awaitable too

    def each(self, callback: Callable[[Any, Any], Any]) -> None:
        """Call ``callback(grid_out, None)`` per file, then ``callback(None, None)``.

        Errors, a pause (the callback returns False) and a close work as in
        :meth:`MotorCursor.each`.
        """
        if not callable(callback):
            raise TypeError(f"callback must be a callable, not {type(callback).__name__}")
        super().each(lambda doc, error: callback(self._grid_out(doc), error))

    def _to_list(self, length: int | None) -> list[Any]:
        delegate = self.delegate
        documents = Cursor.to_list(delegate, length)  # the file documents, batch by batch
        return [
            self._wrap(
                GridOut(delegate._root_collection, file_document=doc, session=delegate.session)
            )
            for doc in documents
        ]
