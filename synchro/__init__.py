"""Synchro: PyMongo's synchronous API, run through Motor.

Each class wraps the asyncio Motor object and waits for its Futures (see ``synchro._loop``);
the methods are generated from Motor's own declarations (``synchro._core``). Only what is
not a plain method is written here: constructors, indexing, iteration protocols,
``with_transaction``'s synchronous callback, GridFS file attributes.

    from synchro import MongoClient
    client = MongoClient("mongodb://localhost:27017")
    client.db.coll.insert_one({"x": 1})

Its purpose is to run PyMongo's own test suite against Motor (``python -m synchro.runner``).
"""

from __future__ import annotations

import copy
import os
from typing import Any

import pymongo
from gridfs.synchronous.grid_file import DEFAULT_CHUNK_SIZE
from pymongo.synchronous.change_stream import (
    ClusterChangeStream as _PyClusterChangeStream,
)
from pymongo.synchronous.change_stream import (
    CollectionChangeStream as _PyCollectionChangeStream,
)
from pymongo.synchronous.change_stream import (
    DatabaseChangeStream as _PyDatabaseChangeStream,
)
from pymongo.synchronous.command_cursor import RawBatchCommandCursor as _PyRawBatchCommandCursor

import motor.motor_asyncio as _m
from synchro._core import (
    Synchro,
    current_loop,
    motor_call,
    run,
    synchronize,
    to_pymongo,
    unwrap,
    unwrap_args,
    wait,
    wrap,
)
from synchro._loop import sync_callback

__all__ = [
    "ChangeStream",
    "ClientEncryption",
    "ClientSession",
    "ClusterChangeStream",
    "Collection",
    "CollectionChangeStream",
    "CommandCursor",
    "Cursor",
    "Database",
    "DatabaseChangeStream",
    "GridFS",
    "GridFSBucket",
    "GridIn",
    "GridOut",
    "GridOutCursor",
    "MongoClient",
    "RawBatchCommandCursor",
    "RawBatchCursor",
    "synchro_classes",
]


def _bool_like_pymongo(self: Synchro) -> bool:
    return bool(self._pymongo)


class _NotIterable:
    """PyMongo's client, database and collection: no ``__iter__`` (PYTHON-3084), ``next`` fails."""

    __iter__ = None

    def __next__(self) -> Any:
        raise TypeError(f"'{type(self).__name__}' object is not iterable")

    next = __next__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, type(self)):
            return bool(self._pymongo == other._pymongo)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._pymongo)

    def __getitem__(self, name: str) -> Any:
        current_loop()
        return wrap(self._motor[name])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            return Synchro.__getattr__(self, name)
        return self[name]


# -- client, database, collection ----------------------------------------------------------


class _ClientGlue(_NotIterable):
    HOST = pymongo.MongoClient.HOST
    PORT = pymongo.MongoClient.PORT

    def __init__(
        self,
        host: Any = None,
        port: Any = None,
        document_class: Any = None,
        tz_aware: Any = None,
        connect: Any = None,
        type_registry: Any = None,
        **kwargs: Any,
    ) -> None:
        # PyMongo's defaults: the class's HOST and PORT (which a program may change), and
        # connect=None - connect in the background at once unless the URI says
        # connect=false (Motor's own default is to connect on the first operation).
        args = (
            type(self).HOST if host is None else host,
            type(self).PORT if port is None else port,
            document_class,
            tz_aware,
            connect,
            type_registry,
        )
        args, kwargs = unwrap_args(args, kwargs)
        current_loop()
        self._bind(_m.AsyncIOMotorClient(*args, **kwargs))

    def close(self) -> None:
        current_loop()
        result = motor_call(self._motor.close)
        if result is not None:
            run(result)


class _DatabaseGlue(_NotIterable):
    def __init__(
        self,
        client: Any,
        name: str,
        codec_options: Any = None,
        read_preference: Any = None,
        write_concern: Any = None,
        read_concern: Any = None,
    ) -> None:
        if not isinstance(client, MongoClient):
            raise TypeError(f"MongoClient required but given {type(client).__name__}")
        self._bind(
            _m.AsyncIOMotorDatabase(
                unwrap(client),
                name,
                codec_options=codec_options,
                read_preference=read_preference,
                write_concern=write_concern,
                read_concern=read_concern,
            )
        )

    __bool__ = _bool_like_pymongo

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._pymongo(*args, **kwargs)


class _CollectionGlue(_NotIterable):
    def __init__(
        self,
        database: Any,
        name: str,
        create: bool | None = False,
        codec_options: Any = None,
        read_preference: Any = None,
        write_concern: Any = None,
        read_concern: Any = None,
        session: Any = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(database, Database):
            raise TypeError(f"database must be an instance of Database, not {database!r}")
        motor_db = unwrap(database)
        current_loop()
        options = dict(
            codec_options=codec_options,
            read_preference=read_preference,
            write_concern=write_concern,
            read_concern=read_concern,
        )
        if create or kwargs:
            # The constructor itself sends "create": run it in a bridge greenlet.
            from pymongo.synchronous.collection import Collection as PyCollection

            delegate = wait(
                motor_db._run,
                lambda: PyCollection(
                    motor_db.delegate,
                    name,
                    create,
                    session=to_pymongo(session),
                    **options,
                    **kwargs,
                ),
                (),
                {},
            )
            self._bind(_m.AsyncIOMotorCollection(motor_db, name, _delegate=delegate))
        else:
            self._bind(_m.AsyncIOMotorCollection(motor_db, name, **options))

    __bool__ = _bool_like_pymongo

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._pymongo(*args, **kwargs)


# -- cursors -----------------------------------------------------------------------------------


def _cursor_init(self: Any, collection: Any, *args: Any, **kwargs: Any) -> None:
    """``Cursor(collection, ...)`` and the like: PyMongo's cursor (no I/O), wrapped by Motor."""
    motor_class = type(self).__motor_class__
    delegate_class = motor_class.__delegate_class__
    delegate = delegate_class(
        to_pymongo(collection),
        *(to_pymongo(a) for a in args),
        **{k: to_pymongo(v) for k, v in kwargs.items()},
    )
    self._bind(motor_class(delegate, unwrap(collection)))


class _CursorGlue:
    __init__ = _cursor_init

    def __getitem__(self, index: Any) -> Any:
        current_loop()
        result = motor_call(self._motor.__getitem__, index)
        if isinstance(index, slice):
            return self
        return wrap(run(result))

    def clone(self) -> Any:
        return wrap(self._motor.clone())

    def __copy__(self) -> Any:
        return wrap(self._motor.__copy__())

    def __deepcopy__(self, memo: Any) -> Any:
        return wrap(self._motor.__deepcopy__(memo))

    def rewind(self) -> Any:
        current_loop()
        self._motor.rewind()
        return self

    def close(self) -> None:
        current_loop()
        wait(self._motor.close)

    def to_list(self, length: int | None = None) -> list[Any]:
        current_loop()
        return wrap(wait(self._motor.to_list, length))

    @property
    def __dict__(self) -> Any:  # type: ignore[override]
        # A cursor's state is its PyMongo cursor's (tests compare clones' __dict__).
        return self._pymongo.__dict__


class _CommandCursorGlue:
    __init__ = _cursor_init
    close = _CursorGlue.close
    to_list = _CursorGlue.to_list
    __dict__ = _CursorGlue.__dict__["__dict__"]

    def __getitem__(self, index: Any) -> Any:
        return self._pymongo[index]  # PyMongo's own "Cannot call __getitem__" error

    @classmethod
    def _choose_class(cls, motor_obj: Any) -> type:
        if isinstance(motor_obj.delegate, _PyRawBatchCommandCursor):
            return RawBatchCommandCursor
        return CommandCursor


class _ChangeStreamGlue:
    @classmethod
    def _choose_class(cls, motor_obj: Any) -> type:
        delegate = motor_obj.delegate
        if isinstance(delegate, _PyCollectionChangeStream):
            return CollectionChangeStream
        if isinstance(delegate, _PyClusterChangeStream):
            return ClusterChangeStream
        if isinstance(delegate, _PyDatabaseChangeStream):
            return DatabaseChangeStream
        return ChangeStream

    def close(self) -> None:
        current_loop()
        wait(self._motor.close)


# -- sessions ----------------------------------------------------------------------------------


class _TransactionContext:
    """``with session.start_transaction():`` - Motor's async context manager, waited for."""

    __slots__ = ("_motor_context",)

    def __init__(self, motor_context: Any) -> None:
        self._motor_context = motor_context

    def __enter__(self) -> _TransactionContext:
        current_loop()
        run(self._motor_context.__aenter__())
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        current_loop()
        run(self._motor_context.__aexit__(exc_type, exc, tb))


class _SessionGlue:
    def start_transaction(
        self,
        read_concern: Any = None,
        write_concern: Any = None,
        read_preference: Any = None,
        max_commit_time_ms: int | None = None,
    ) -> _TransactionContext:
        current_loop()
        return _TransactionContext(
            self._motor.start_transaction(
                read_concern, write_concern, read_preference, max_commit_time_ms
            )
        )

    def with_transaction(
        self,
        callback: Any,
        read_concern: Any = None,
        write_concern: Any = None,
        read_preference: Any = None,
        max_commit_time_ms: int | None = None,
    ) -> Any:
        """Motor's ``with_transaction``, given a coroutine function that runs ``callback``.

        Motor calls the coroutine function on the running loop; ``sync_callback`` runs the
        synchronous callback in a greenlet whose Synchro calls wait on that loop.
        """
        current_loop()
        coroutine_fn = sync_callback(callback, lambda motor_session: (wrap(motor_session),))
        return wrap(
            wait(
                self._motor.with_transaction,
                coroutine_fn,
                read_concern,
                write_concern,
                read_preference,
                max_commit_time_ms,
            )
        )

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        current_loop()
        wait(self._motor.end_session)

    def __copy__(self) -> Any:
        return wrap(copy.copy(self._motor))


# -- encryption -------------------------------------------------------------------------------


class _ClientEncryptionGlue:
    def __init__(
        self,
        kms_providers: Any,
        key_vault_namespace: str,
        key_vault_client: Any,
        codec_options: Any,
        kms_tls_options: Any = None,
        key_expiration_ms: int | None = None,
    ) -> None:
        current_loop()
        kwargs: dict[str, Any] = {"kms_tls_options": kms_tls_options}
        if key_expiration_ms is not None:
            kwargs["key_expiration_ms"] = key_expiration_ms
        if not isinstance(key_vault_client, MongoClient):
            # PyMongo's own TypeError for a wrong key vault client.
            from pymongo.synchronous.encryption import ClientEncryption as PyClientEncryption

            PyClientEncryption(
                kms_providers, key_vault_namespace, key_vault_client, codec_options, **kwargs
            )
        self._bind(
            _m.AsyncIOMotorClientEncryption(
                kms_providers,
                key_vault_namespace,
                unwrap(key_vault_client),
                codec_options,
                **kwargs,
            )
        )


# -- GridFS ------------------------------------------------------------------------------------


class _GridFSGlue:
    def __init__(self, database: Any, collection: str = "fs") -> None:
        if not isinstance(database, Database):
            raise TypeError("database must be an instance of Database")
        self._bind(_m.AsyncIOMotorGridFS(unwrap(database), collection))


class _GridFSBucketGlue:
    def __init__(
        self,
        db: Any,
        bucket_name: str = "fs",
        chunk_size_bytes: int = DEFAULT_CHUNK_SIZE,
        write_concern: Any = None,
        read_preference: Any = None,
    ) -> None:
        if not isinstance(db, Database):
            raise TypeError("database must be an instance of Database")
        self._bind(
            _m.AsyncIOMotorGridFSBucket(
                unwrap(db), bucket_name, chunk_size_bytes, write_concern, read_preference
            )
        )

    def drop(self, session: Any = None) -> None:
        current_loop()
        wait(self._motor.drop, session=unwrap(session))


class _GridInGlue:
    def __init__(self, root_collection: Any, session: Any = None, **kwargs: Any) -> None:
        if not isinstance(root_collection, Collection):
            raise TypeError("root_collection must be an instance of Collection")
        self._bind(
            _m.AsyncIOMotorGridIn(unwrap(root_collection), session=unwrap(session), **kwargs)
        )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_motor":
            raise AttributeError(name)
        if name.startswith("_"):
            return getattr(self._pymongo, name)
        try:
            return getattr(self._motor, name)
        except AttributeError:
            raise AttributeError(f"GridIn object has no attribute '{name}'") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") and name != "_id":
            object.__setattr__(self, name, value)
            return
        motor_obj = self._motor
        if motor_obj.closed and not hasattr(type(motor_obj), name):
            # PyMongo updates the stored file document: Motor does that with set().
            current_loop()
            wait(motor_obj.set, name, value)
        else:
            setattr(motor_obj, name, value)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        current_loop()
        run(self._motor.__aexit__(exc_type, exc, tb))
        return False


class _GridOutGlue:
    def __init__(
        self,
        root_collection: Any,
        file_id: Any = None,
        file_document: Any = None,
        session: Any = None,
    ) -> None:
        if not isinstance(root_collection, Collection):
            raise TypeError("root_collection must be an instance of Collection")
        self._bind(
            _m.AsyncIOMotorGridOut(
                unwrap(root_collection), file_id, file_document, session=unwrap(session)
            )
        )

    def _ensure_open(self) -> Any:
        motor_obj = self._motor
        if not motor_obj.delegate._file:
            current_loop()
            wait(motor_obj.open)
        return motor_obj

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_motor":
            raise AttributeError(name)
        if name.startswith("_"):
            return getattr(self._pymongo, name)
        # Like PyMongo's GridOut: reading a file attribute loads the file document.
        return getattr(self._ensure_open(), name)

    def __iter__(self) -> Any:
        return self

    def __next__(self) -> bytes:
        # PyMongo iterates lines (io.IOBase); Motor's ``async for`` yields chunks.
        line = self.readline()
        if line:
            return line
        raise StopIteration

    next = __next__

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_END:
            self._ensure_open()
        current_loop()
        return self._motor.seek(pos, whence)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> bool:
        current_loop()
        wait(self._motor.close)
        return False


def _file_fields(motor_class: type) -> type:
    """Synchro properties for GridOut's file fields, loading the document first."""
    namespace: dict[str, Any] = {}
    for name in (
        "_id",
        "aliases",
        "chunk_size",
        "content_type",
        "filename",
        "length",
        "md5",
        "metadata",
        "name",
        "upload_date",
    ):
        if name in dir(motor_class):

            def fget(self: Any, name: str = name) -> Any:
                return getattr(self._ensure_open(), name)

            namespace[name] = property(fget)
    return type("_GridOutFields", (), namespace)


# -- the classes -------------------------------------------------------------------------------


def _glue(*parts: type) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in reversed(parts):
        for klass in reversed(part.__mro__):
            if klass is object:
                continue
            for name, value in vars(klass).items():
                if name in ("__weakref__", "__module__", "__qualname__", "__doc__"):
                    continue
                if name == "__dict__" and not isinstance(value, property):
                    continue  # the class's own instance-dict descriptor
                merged[name] = value
    return merged


MongoClient = synchronize(_m.AsyncIOMotorClient, "MongoClient", glue=_glue(_ClientGlue))
Database = synchronize(_m.AsyncIOMotorDatabase, "Database", glue=_glue(_DatabaseGlue))
Collection = synchronize(_m.AsyncIOMotorCollection, "Collection", glue=_glue(_CollectionGlue))
Cursor = synchronize(_m.AsyncIOMotorCursor, "Cursor", glue=_glue(_CursorGlue))
RawBatchCursor = synchronize(
    _m.AsyncIOMotorRawBatchCursor, "RawBatchCursor", bases=(Cursor,), glue=_glue(_CursorGlue)
)
CommandCursor = synchronize(
    _m.AsyncIOMotorCommandCursor, "CommandCursor", glue=_glue(_CommandCursorGlue)
)
RawBatchCommandCursor = synchronize(
    _m.AsyncIOMotorRawBatchCommandCursor,
    "RawBatchCommandCursor",
    bases=(CommandCursor,),
    glue=_glue(_CommandCursorGlue),
)
_LatentCommandCursor = synchronize(
    _m.AsyncIOMotorLatentCommandCursor,
    "CommandCursor",
    bases=(CommandCursor,),
    glue=_glue(_CommandCursorGlue),
)
ChangeStream = synchronize(
    _m.AsyncIOMotorChangeStream, "ChangeStream", glue=_glue(_ChangeStreamGlue)
)
CollectionChangeStream = type("CollectionChangeStream", (ChangeStream,), {"__module__": "synchro"})
DatabaseChangeStream = type("DatabaseChangeStream", (ChangeStream,), {"__module__": "synchro"})
ClusterChangeStream = type(
    "ClusterChangeStream", (DatabaseChangeStream,), {"__module__": "synchro"}
)
ClientSession = synchronize(_m.AsyncIOMotorClientSession, "ClientSession", glue=_glue(_SessionGlue))
ClientEncryption = synchronize(
    _m.AsyncIOMotorClientEncryption, "ClientEncryption", glue=_glue(_ClientEncryptionGlue)
)
GridFS = synchronize(_m.AsyncIOMotorGridFS, "GridFS", glue=_glue(_GridFSGlue))
GridFSBucket = synchronize(
    _m.AsyncIOMotorGridFSBucket, "GridFSBucket", glue=_glue(_GridFSBucketGlue)
)
GridIn = synchronize(_m.AsyncIOMotorGridIn, "GridIn", glue=_glue(_GridInGlue))
GridOut = synchronize(
    _m.AsyncIOMotorGridOut,
    "GridOut",
    glue=_glue(_GridOutGlue, _file_fields(_m.AsyncIOMotorGridOut)),
)
GridOutCursor = synchronize(
    _m.AsyncIOMotorGridOutCursor, "GridOutCursor", bases=(Cursor,), glue=_glue(_CursorGlue)
)


def synchro_classes() -> dict[str, type]:
    """Every public Synchro class by name."""
    return {name: globals()[name] for name in __all__ if isinstance(globals()[name], type)}
