"""MotorGridFSBucket (the GridFS spec API) and MotorGridFS (the legacy one) over a database."""

from __future__ import annotations

import warnings
from typing import Any

import gridfs
from gridfs.grid_file_shared import DEFAULT_CHUNK_SIZE
from pymongo import _csot

from motor.core.base import AgnosticBase
from motor.core.database import AgnosticDatabase
from motor.core.declare import Async, Sync, unwrap
from motor.gridfs.files import GreenWriter, green_source, io_method


class _OnDatabase(AgnosticBase):
    def _attach(self, database: Any, make: Any) -> None:
        expected = self._motor_class(AgnosticDatabase)
        if not isinstance(database, expected):
            raise TypeError(
                f"First argument to {type(self).__name__} must be {expected.__name__}, not {database!r}"
            )
        super().__init__(make(database.delegate))
        self._database = database
        self._client = database._client

    @classmethod
    def _from_delegate(cls, delegate: Any, parent: Any) -> Any:
        raise TypeError(f"{cls.__name__} objects are made from a database, not returned by PyMongo")

    @property
    def database(self) -> Any:
        return self._database

    @property
    def io_loop(self) -> Any:
        return self.get_io_loop()


class AgnosticGridFSBucket(_OnDatabase):
    """A GridFS bucket: files in ``<bucket_name>.files``, data in ``<bucket_name>.chunks``.

    Wraps PyMongo's ``gridfs.GridFSBucket``. Opening an upload stream and ``find()`` need
    no I/O and return at once; everything else returns a Future. Downloads resolve to a
    MotorGridOut, already opened.
    """

    __motor_class_name__ = "MotorGridFSBucket"
    __delegate_class__ = gridfs.GridFSBucket

    find = Sync(wrap=True)
    open_upload_stream = Sync(wrap=True)
    open_upload_stream_with_id = Sync(wrap=True)

    delete = Async()
    delete_by_name = Async()
    open_download_stream = Async(wrap=True)
    open_download_stream_by_name = Async(wrap=True)
    rename = Async()
    rename_by_name = Async()

    def __init__(
        self,
        database: Any,
        bucket_name: str = "fs",
        chunk_size_bytes: int = DEFAULT_CHUNK_SIZE,
        write_concern: Any = None,
        read_preference: Any = None,
        collection: str | None = None,
    ) -> None:
        if collection is not None:
            # Motor 3 (and PyMongo before 4) accepted the bucket name as "collection".
            warnings.warn(
                'the "collection" parameter is deprecated, use "bucket_name" instead',
                DeprecationWarning,
                stacklevel=2,
            )
            bucket_name = collection
        self._attach(
            database,
            lambda db: gridfs.GridFSBucket(
                db, bucket_name, chunk_size_bytes, write_concern, read_preference
            ),
        )
        self._bucket_name = bucket_name
        self._collection = database.get_collection(
            bucket_name, write_concern=write_concern, read_preference=read_preference
        )

    @property
    def bucket_name(self) -> str:
        return self._bucket_name

    @property
    def collection(self) -> Any:
        """The bucket's root collection (``<bucket_name>``, above its files and chunks)."""
        return self._collection

    def wrap(self, obj: Any) -> Any:
        """``obj`` (a PyMongo GridIn, GridOut or GridOutCursor) in its Motor class; else ``obj``."""
        return self._wrap(obj)

    @io_method("upload_from_stream")
    def upload_from_stream(
        self,
        filename: str,
        source: Any,
        chunk_size_bytes: int | None = None,
        metadata: Any = None,
        session: Any = None,
        callback: Any = None,
    ) -> Any:
        """Store ``source`` as a new file; resolves to its ``_id``.

        ``source`` is bytes or a file-like object, whose ``read`` may be a coroutine
        function (an aiohttp request's ``content``, an ``asyncio.StreamReader``).
        """
        args = (filename, green_source(source), chunk_size_bytes, metadata)
        return self._run(self.delegate.upload_from_stream, args, {"session": session}, callback)

    @io_method("upload_from_stream_with_id")
    def upload_from_stream_with_id(
        self,
        file_id: Any,
        filename: str,
        source: Any,
        chunk_size_bytes: int | None = None,
        metadata: Any = None,
        session: Any = None,
        callback: Any = None,
    ) -> Any:
        """Like ``upload_from_stream``, with the new file's ``_id`` given."""
        args = (file_id, filename, green_source(source), chunk_size_bytes, metadata)
        return self._run(
            self.delegate.upload_from_stream_with_id, args, {"session": session}, callback
        )

    @io_method("download_to_stream")
    def download_to_stream(
        self, file_id: Any, destination: Any, session: Any = None, callback: Any = None
    ) -> Any:
        """Write the file ``file_id`` to ``destination`` chunk by chunk.

        ``destination.write`` may be a coroutine function; an ``asyncio.StreamWriter`` is
        drained after each chunk.
        """
        args = (file_id, GreenWriter(destination))
        return self._run(self.delegate.download_to_stream, args, {"session": session}, callback)

    @io_method("download_to_stream_by_name")
    def download_to_stream_by_name(
        self,
        filename: str,
        destination: Any,
        revision: int = -1,
        session: Any = None,
        callback: Any = None,
    ) -> Any:
        """Like ``download_to_stream``, for a revision of ``filename`` (-1: the newest)."""
        args = (filename, GreenWriter(destination), revision)
        return self._run(
            self.delegate.download_to_stream_by_name, args, {"session": session}, callback
        )

    def drop(self, session: Any = None, callback: Any = None) -> Any:
        """Drop the bucket's files and chunks collections.

        The client's ``timeoutMS`` bounds the drop as a whole (both collections), as the
        GridFS spec requires, not each collection's drop.
        """
        return self._run(_drop_bucket, (self.delegate,), {"session": session}, callback)


@_csot.apply  # the client's timeoutMS, from the PyMongo bucket's _timeout, over both drops
def _drop_bucket(bucket: gridfs.GridFSBucket, session: Any = None) -> None:
    bucket._files.drop(session=session)
    bucket._chunks.drop(session=session)


class AgnosticGridFS(_OnDatabase):
    """The legacy GridFS API (``put``/``get``) on one database; wraps ``gridfs.GridFS``.

    New code should prefer MotorGridFSBucket; both read and write the same files.
    """

    __motor_class_name__ = "MotorGridFS"
    __delegate_class__ = gridfs.GridFS

    find = Sync(wrap=True)
    new_file = Sync(wrap=True)

    delete = Async()
    exists = Async()
    find_one = Async(wrap=True)
    get = Async(wrap=True)
    get_last_version = Async(wrap=True)
    get_version = Async(wrap=True)
    list = Async()

    def __init__(self, database: Any, collection: str = "fs") -> None:
        self._attach(database, lambda db: gridfs.GridFS(db, collection))

    @io_method("put")
    def put(self, data: Any, callback: Any = None, **kwargs: Any) -> Any:
        """Store ``data`` (bytes, str with an ``encoding``, or a file-like object) as a new
        file with the fields in ``kwargs``; resolves to its ``_id``."""
        kwargs = {key: unwrap(value) for key, value in kwargs.items()}
        return self._run(self.delegate.put, (green_source(data),), kwargs, callback)
