# Type stubs for one of Motor's public framework modules.
#
# motor_asyncio.pyi and motor_tornado.pyi are the same stub but for the "AsyncIO" prefix of
# the class names and the section marked "framework" below; test/test_typing.py checks that
# they stay in step. Edit motor_asyncio.pyi, then run
# "python test/test_typing.py --write-tornado-stub" to carry the change over.
#
# I/O methods return an asyncio.Future of their result (await it, or yield it in a
# tornado.gen coroutine); given callback=, they return None and call callback(result, error).

import asyncio
import builtins
import datetime
import uuid
from collections.abc import (
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Mapping,
    MutableMapping,
    Sequence,
)
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from types import TracebackType
from typing import Any, Generic, NoReturn, Protocol, Self, TypeAlias, overload

from bson.binary import Binary
from bson.code import Code
from bson.codec_options import CodecOptions, TypeRegistry
from bson.dbref import DBRef
from bson.objectid import ObjectId
from bson.raw_bson import RawBSONDocument
from bson.timestamp import Timestamp
from gridfs.synchronous.grid_file import GridFS, GridFSBucket, GridIn, GridOut
from pymongo._kms_connect_shared import KMSConnectCallback
from pymongo.client_options import ClientOptions
from pymongo.client_session import ClientSession
from pymongo.client_session_shared import SessionOptions, TransactionOptions
from pymongo.cursor_shared import _Hint, _Sort
from pymongo.driver_info import DriverInfo
from pymongo.encryption import ClientEncryption
from pymongo.encryption_options import RangeOpts, StringOpts
from pymongo.encryption_shared import RewrapManyDataKeyResult
from pymongo.operations import (
    DeleteMany,
    DeleteOne,
    IndexModel,
    InsertOne,
    ReplaceOne,
    SearchIndexModel,
    UpdateMany,
    UpdateOne,
    _IndexKeyHint,
    _IndexList,
)
from pymongo.read_concern import ReadConcern
from pymongo.read_preferences import _ServerMode
from pymongo.results import (
    BulkWriteResult,
    ClientBulkWriteResult,
    DeleteResult,
    InsertManyResult,
    InsertOneResult,
    UpdateResult,
)
from pymongo.synchronous.change_stream import ChangeStream
from pymongo.synchronous.collection import Collection
from pymongo.synchronous.database import Database
from pymongo.synchronous.mongo_client import MongoClient
from pymongo.topology_description import TopologyDescription
from pymongo.typings import ClusterTime, _Address, _CollationIn, _DocumentTypeArg, _Pipeline
from pymongo.write_concern import WriteConcern
from tornado.web import RequestHandler
from typing_extensions import TypeVar

# -- framework: begin (the part that differs between motor_asyncio.pyi and motor_tornado.pyi)
_IOLoop: TypeAlias = asyncio.AbstractEventLoop

# This framework's subclass of a Motor class (a motor.core.Agnostic* class or a subclass).
def create_asyncio_class(cls: _C) -> _C: ...

# -- framework: end

__all__ = [
    "AsyncIOMotorChangeStream",
    "AsyncIOMotorClient",
    "AsyncIOMotorClientEncryption",
    "AsyncIOMotorClientSession",
    "AsyncIOMotorCollection",
    "AsyncIOMotorCommandCursor",
    "AsyncIOMotorCursor",
    "AsyncIOMotorDatabase",
    "AsyncIOMotorGridFS",
    "AsyncIOMotorGridFSBucket",
    "AsyncIOMotorGridIn",
    "AsyncIOMotorGridOut",
    "AsyncIOMotorGridOutCursor",
    "AsyncIOMotorLatentCommandCursor",
    "AsyncIOMotorRawBatchCommandCursor",
    "AsyncIOMotorRawBatchCursor",
    "AsyncIOMotorReplicaSetClient",
]

# The document type, as pymongo.typings._DocumentType, but dict[str, Any] by default (what
# Motor returns unless given another document_class): "client = AsyncIOMotorClient()" needs
# no annotation, and a bare "AsyncIOMotorCollection" means AsyncIOMotorCollection[dict[str, Any]].
_DocumentType = TypeVar("_DocumentType", bound=Mapping[str, Any], default=dict[str, Any])
# What a cursor yields: documents (by default dict[str, Any]), bytes, or MotorGridOuts.
_ItemT = TypeVar("_ItemT", default=dict[str, Any])
_T = TypeVar("_T")
_C = TypeVar("_C", bound=type)

# A Motor callback: called with (result, None) on success and (None, error) on failure.
_Callback: TypeAlias = Callable[[_T | None, BaseException | None], object]

# The requests of Collection.bulk_write, and of MongoClient.bulk_write (each with a namespace).
_WriteOp: TypeAlias = (
    InsertOne[_DocumentType]
    | DeleteOne
    | DeleteMany
    | ReplaceOne[_DocumentType]
    | UpdateOne
    | UpdateMany
)
_ClientWriteOp: TypeAlias = (
    InsertOne[Any] | DeleteOne | DeleteMany | ReplaceOne[Any] | UpdateOne | UpdateMany
)

class _Reader(Protocol):
    # A GridFS source: a file-like object whose read() may be a coroutine function.
    def read(self, size: int, /) -> bytes | Awaitable[bytes]: ...

class _Writer(Protocol):
    # A GridFS destination: write() may return an awaitable (awaited before the next chunk).
    def write(self, data: bytes, /) -> object: ...

class AsyncIOMotorClient(Generic[_DocumentType]):
    HOST: str
    PORT: int
    delegate: MongoClient[_DocumentType]
    def __init__(
        self,
        host: str | Sequence[str] | None = None,
        port: int | None = None,
        document_class: type[_DocumentType] | None = None,
        tz_aware: bool | None = None,
        connect: bool | None = None,
        type_registry: TypeRegistry | None = None,
        *,
        io_loop: _IOLoop | None = None,
        **kwargs: Any,
    ) -> None: ...
    @property
    def address(self) -> tuple[str, int] | None: ...
    @property
    def arbiters(self) -> set[_Address]: ...
    @property
    def codec_options(self) -> CodecOptions[Any]: ...
    @property
    def read_concern(self) -> ReadConcern: ...
    @property
    def read_preference(self) -> _ServerMode: ...
    @property
    def write_concern(self) -> WriteConcern: ...
    @property
    def io_loop(self) -> _IOLoop: ...
    @property
    def is_mongos(self) -> bool: ...
    @property
    def is_primary(self) -> bool: ...
    @property
    def nodes(self) -> frozenset[_Address]: ...
    @property
    def options(self) -> ClientOptions: ...
    @property
    def primary(self) -> tuple[str, int] | None: ...
    @property
    def secondaries(self) -> set[_Address]: ...
    @property
    def topology_description(self) -> TopologyDescription: ...
    def get_io_loop(self) -> _IOLoop: ...
    # A PyMongo object (database, collection, cursor, session...) in its Motor class.
    def wrap(self, obj: Any) -> Any: ...
    __iter__: None
    def __next__(self) -> NoReturn: ...
    next = __next__
    def __getattr__(self, name: str) -> AsyncIOMotorDatabase[_DocumentType]: ...
    def __getitem__(self, name: str) -> AsyncIOMotorDatabase[_DocumentType]: ...
    def append_metadata(self, driver_info: DriverInfo) -> None: ...
    def eq_props(self) -> tuple[tuple[_Address, ...], str | None, str | None, str]: ...
    @overload
    def get_database(
        self,
        name: str | None = None,
        codec_options: None = None,
        read_preference: _ServerMode | None = None,
        write_concern: WriteConcern | None = None,
        read_concern: ReadConcern | None = None,
    ) -> AsyncIOMotorDatabase[_DocumentType]: ...
    @overload
    def get_database(
        self,
        name: str | None = None,
        codec_options: CodecOptions[_DocumentTypeArg] = ...,
        read_preference: _ServerMode | None = None,
        write_concern: WriteConcern | None = None,
        read_concern: ReadConcern | None = None,
    ) -> AsyncIOMotorDatabase[_DocumentTypeArg]: ...
    @overload
    def get_default_database(
        self,
        default: str | None = None,
        codec_options: None = None,
        read_preference: _ServerMode | None = None,
        write_concern: WriteConcern | None = None,
        read_concern: ReadConcern | None = None,
    ) -> AsyncIOMotorDatabase[_DocumentType]: ...
    @overload
    def get_default_database(
        self,
        default: str | None = None,
        codec_options: CodecOptions[_DocumentTypeArg] = ...,
        read_preference: _ServerMode | None = None,
        write_concern: WriteConcern | None = None,
        read_concern: ReadConcern | None = None,
    ) -> AsyncIOMotorDatabase[_DocumentTypeArg]: ...
    def start_session(
        self,
        causal_consistency: bool | None = None,
        default_transaction_options: TransactionOptions | None = None,
        snapshot: bool | None = False,
    ) -> AsyncIOMotorClientSession: ...
    def watch(
        self,
        pipeline: _Pipeline | None = None,
        full_document: str | None = None,
        resume_after: Mapping[str, Any] | None = None,
        max_await_time_ms: int | None = None,
        batch_size: int | None = None,
        collation: _CollationIn | None = None,
        start_at_operation_time: Timestamp | None = None,
        session: AsyncIOMotorClientSession | None = None,
        start_after: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        full_document_before_change: str | None = None,
        show_expanded_events: bool | None = None,
    ) -> AsyncIOMotorChangeStream[_DocumentType]: ...
    @overload
    def bulk_write(
        self,
        models: Sequence[_ClientWriteOp],
        session: AsyncIOMotorClientSession | None = None,
        ordered: bool = True,
        verbose_results: bool = False,
        bypass_document_validation: bool | None = None,
        comment: Any | None = None,
        let: Mapping[str, Any] | None = None,
        write_concern: WriteConcern | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[ClientBulkWriteResult]: ...
    @overload
    def bulk_write(
        self,
        models: Sequence[_ClientWriteOp],
        session: AsyncIOMotorClientSession | None = None,
        ordered: bool = True,
        verbose_results: bool = False,
        bypass_document_validation: bool | None = None,
        comment: Any | None = None,
        let: Mapping[str, Any] | None = None,
        write_concern: WriteConcern | None = None,
        *,
        callback: _Callback[ClientBulkWriteResult],
    ) -> None: ...
    @overload
    def drop_database(
        self,
        name_or_database: str | AsyncIOMotorDatabase[Any],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def drop_database(
        self,
        name_or_database: str | AsyncIOMotorDatabase[Any],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[None],
    ) -> None: ...
    @overload
    def list_database_names(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[list[str]]: ...
    @overload
    def list_database_names(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[list[str]],
    ) -> None: ...
    @overload
    def list_databases(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[AsyncIOMotorCommandCursor[dict[str, Any]]]: ...
    @overload
    def list_databases(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[AsyncIOMotorCommandCursor[dict[str, Any]]],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def server_info(
        self,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[dict[str, Any]]: ...
    @overload
    def server_info(
        self,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[dict[str, Any]],
    ) -> None: ...
    @overload
    def open(self, *, callback: None = None) -> asyncio.Future[Self]: ...
    @overload
    def open(self, *, callback: _Callback[Self]) -> None: ...
    def open_sync(self) -> Self: ...
    def sync_client(self) -> MongoClient[_DocumentType]: ...
    # A Future on a running loop (close() then runs in the background), else None.
    @overload
    def close(self, *, callback: None = None) -> asyncio.Future[None] | None: ...
    @overload
    def close(self, *, callback: _Callback[None]) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class AsyncIOMotorReplicaSetClient(AsyncIOMotorClient[_DocumentType]): ...

class AsyncIOMotorDatabase(Generic[_DocumentType]):
    delegate: Database[_DocumentType]
    def __init__(
        self,
        client: AsyncIOMotorClient[_DocumentType],
        name: str,
        *,
        codec_options: CodecOptions[Any] | None = None,
        read_preference: _ServerMode | None = None,
        write_concern: WriteConcern | None = None,
        read_concern: ReadConcern | None = None,
    ) -> None: ...
    @property
    def client(self) -> AsyncIOMotorClient[_DocumentType]: ...
    @property
    def codec_options(self) -> CodecOptions[Any]: ...
    @property
    def read_concern(self) -> ReadConcern: ...
    @property
    def read_preference(self) -> _ServerMode: ...
    @property
    def write_concern(self) -> WriteConcern: ...
    @property
    def name(self) -> str: ...
    def get_io_loop(self) -> _IOLoop: ...
    # A PyMongo object (database, collection, cursor, session...) in its Motor class.
    def wrap(self, obj: Any) -> Any: ...
    __iter__: None
    def __next__(self) -> NoReturn: ...
    next = __next__
    def __getattr__(self, name: str) -> AsyncIOMotorCollection[_DocumentType]: ...
    def __getitem__(self, name: str) -> AsyncIOMotorCollection[_DocumentType]: ...
    @overload
    def get_collection(
        self,
        name: str,
        codec_options: None = None,
        read_preference: _ServerMode | None = None,
        write_concern: WriteConcern | None = None,
        read_concern: ReadConcern | None = None,
    ) -> AsyncIOMotorCollection[_DocumentType]: ...
    @overload
    def get_collection(
        self,
        name: str,
        codec_options: CodecOptions[_DocumentTypeArg] = ...,
        read_preference: _ServerMode | None = None,
        write_concern: WriteConcern | None = None,
        read_concern: ReadConcern | None = None,
    ) -> AsyncIOMotorCollection[_DocumentTypeArg]: ...
    @overload
    def with_options(
        self,
        codec_options: None = None,
        read_preference: _ServerMode | None = ...,
        write_concern: WriteConcern | None = ...,
        read_concern: ReadConcern | None = ...,
    ) -> AsyncIOMotorDatabase[_DocumentType]: ...
    @overload
    def with_options(
        self,
        codec_options: CodecOptions[_DocumentTypeArg],
        read_preference: _ServerMode | None = ...,
        write_concern: WriteConcern | None = ...,
        read_concern: ReadConcern | None = ...,
    ) -> AsyncIOMotorDatabase[_DocumentTypeArg]: ...
    def aggregate(
        self,
        pipeline: _Pipeline,
        session: AsyncIOMotorClientSession | None = None,
        **kwargs: Any,
    ) -> AsyncIOMotorLatentCommandCursor[_DocumentType]: ...
    def watch(
        self,
        pipeline: _Pipeline | None = None,
        full_document: str | None = None,
        resume_after: Mapping[str, Any] | None = None,
        max_await_time_ms: int | None = None,
        batch_size: int | None = None,
        collation: _CollationIn | None = None,
        start_at_operation_time: Timestamp | None = None,
        session: AsyncIOMotorClientSession | None = None,
        start_after: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        full_document_before_change: str | None = None,
        show_expanded_events: bool | None = None,
    ) -> AsyncIOMotorChangeStream[_DocumentType]: ...
    @overload
    def command(
        self,
        command: str | MutableMapping[str, Any],
        value: Any = 1,
        check: bool = True,
        allowable_errors: Sequence[str | int] | None = None,
        read_preference: _ServerMode | None = None,
        codec_options: None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[dict[str, Any]]: ...
    @overload
    def command(
        self,
        command: str | MutableMapping[str, Any],
        value: Any = 1,
        check: bool = True,
        allowable_errors: Sequence[str | int] | None = None,
        read_preference: _ServerMode | None = None,
        codec_options: CodecOptions[_DocumentTypeArg] = ...,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[_DocumentTypeArg]: ...
    @overload
    def command(
        self,
        command: str | MutableMapping[str, Any],
        value: Any = 1,
        check: bool = True,
        allowable_errors: Sequence[str | int] | None = None,
        read_preference: _ServerMode | None = None,
        codec_options: CodecOptions[Any] | None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[Any],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def create_collection(
        self,
        name: str,
        codec_options: None = None,
        read_preference: _ServerMode | None = None,
        write_concern: WriteConcern | None = None,
        read_concern: ReadConcern | None = None,
        session: AsyncIOMotorClientSession | None = None,
        check_exists: bool | None = True,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[AsyncIOMotorCollection[_DocumentType]]: ...
    @overload
    def create_collection(
        self,
        name: str,
        codec_options: CodecOptions[_DocumentTypeArg] = ...,
        read_preference: _ServerMode | None = None,
        write_concern: WriteConcern | None = None,
        read_concern: ReadConcern | None = None,
        session: AsyncIOMotorClientSession | None = None,
        check_exists: bool | None = True,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[AsyncIOMotorCollection[_DocumentTypeArg]]: ...
    @overload
    def create_collection(
        self,
        name: str,
        codec_options: CodecOptions[Any] | None = None,
        read_preference: _ServerMode | None = None,
        write_concern: WriteConcern | None = None,
        read_concern: ReadConcern | None = None,
        session: AsyncIOMotorClientSession | None = None,
        check_exists: bool | None = True,
        *,
        callback: _Callback[Any],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def cursor_command(
        self,
        command: str | MutableMapping[str, Any],
        value: Any = 1,
        read_preference: _ServerMode | None = None,
        codec_options: None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        max_await_time_ms: int | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[AsyncIOMotorCommandCursor[_DocumentType]]: ...
    @overload
    def cursor_command(
        self,
        command: str | MutableMapping[str, Any],
        value: Any = 1,
        read_preference: _ServerMode | None = None,
        codec_options: CodecOptions[_DocumentTypeArg] = ...,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        max_await_time_ms: int | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[AsyncIOMotorCommandCursor[_DocumentTypeArg]]: ...
    @overload
    def cursor_command(
        self,
        command: str | MutableMapping[str, Any],
        value: Any = 1,
        read_preference: _ServerMode | None = None,
        codec_options: CodecOptions[Any] | None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        max_await_time_ms: int | None = None,
        *,
        callback: _Callback[Any],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def dereference(
        self,
        dbref: DBRef,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[_DocumentType | None]: ...
    @overload
    def dereference(
        self,
        dbref: DBRef,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[_DocumentType | None],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def drop_collection(
        self,
        name_or_collection: str | AsyncIOMotorCollection[Any],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        encrypted_fields: Mapping[str, Any] | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[dict[str, Any]]: ...
    @overload
    def drop_collection(
        self,
        name_or_collection: str | AsyncIOMotorCollection[Any],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        encrypted_fields: Mapping[str, Any] | None = None,
        *,
        callback: _Callback[dict[str, Any]],
    ) -> None: ...
    @overload
    def list_collection_names(
        self,
        session: AsyncIOMotorClientSession | None = None,
        filter: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[list[str]]: ...
    @overload
    def list_collection_names(
        self,
        session: AsyncIOMotorClientSession | None = None,
        filter: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[list[str]],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def list_collections(
        self,
        session: AsyncIOMotorClientSession | None = None,
        filter: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[AsyncIOMotorCommandCursor[MutableMapping[str, Any]]]: ...
    @overload
    def list_collections(
        self,
        session: AsyncIOMotorClientSession | None = None,
        filter: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[AsyncIOMotorCommandCursor[MutableMapping[str, Any]]],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def validate_collection(
        self,
        name_or_collection: str | AsyncIOMotorCollection[Any],
        scandata: bool = False,
        full: bool = False,
        session: AsyncIOMotorClientSession | None = None,
        background: bool | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[dict[str, Any]]: ...
    @overload
    def validate_collection(
        self,
        name_or_collection: str | AsyncIOMotorCollection[Any],
        scandata: bool = False,
        full: bool = False,
        session: AsyncIOMotorClientSession | None = None,
        background: bool | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[dict[str, Any]],
    ) -> None: ...

class AsyncIOMotorCollection(Generic[_DocumentType]):
    delegate: Collection[_DocumentType]
    def __init__(
        self,
        database: AsyncIOMotorDatabase[_DocumentType],
        name: str,
        codec_options: CodecOptions[Any] | None = None,
        read_preference: _ServerMode | None = None,
        write_concern: WriteConcern | None = None,
        read_concern: ReadConcern | None = None,
    ) -> None: ...
    @property
    def codec_options(self) -> CodecOptions[Any]: ...
    @property
    def read_concern(self) -> ReadConcern: ...
    @property
    def read_preference(self) -> _ServerMode: ...
    @property
    def write_concern(self) -> WriteConcern: ...
    @property
    def database(self) -> AsyncIOMotorDatabase[_DocumentType]: ...
    @property
    def full_name(self) -> str: ...
    @property
    def name(self) -> str: ...
    def get_io_loop(self) -> _IOLoop: ...
    # A PyMongo object (database, collection, cursor, session...) in its Motor class.
    def wrap(self, obj: Any) -> Any: ...
    __iter__: None
    def __next__(self) -> NoReturn: ...
    next = __next__
    def __getattr__(self, name: str) -> AsyncIOMotorCollection[_DocumentType]: ...
    def __getitem__(self, name: str) -> AsyncIOMotorCollection[_DocumentType]: ...
    @overload
    def with_options(
        self,
        codec_options: None = None,
        read_preference: _ServerMode | None = ...,
        write_concern: WriteConcern | None = ...,
        read_concern: ReadConcern | None = ...,
    ) -> AsyncIOMotorCollection[_DocumentType]: ...
    @overload
    def with_options(
        self,
        codec_options: CodecOptions[_DocumentTypeArg],
        read_preference: _ServerMode | None = ...,
        write_concern: WriteConcern | None = ...,
        read_concern: ReadConcern | None = ...,
    ) -> AsyncIOMotorCollection[_DocumentTypeArg]: ...
    def find(
        self,
        filter: Mapping[str, Any] | None = None,
        projection: Mapping[str, Any] | Iterable[str] | None = None,
        skip: int = 0,
        limit: int = 0,
        no_cursor_timeout: bool = False,
        cursor_type: int = ...,
        sort: _Sort | None = None,
        allow_partial_results: bool = False,
        oplog_replay: bool = False,
        batch_size: int = 0,
        collation: _CollationIn | None = None,
        hint: _Hint | None = None,
        max_scan: int | None = None,
        max_time_ms: int | None = None,
        max: _Sort | None = None,
        min: _Sort | None = None,
        return_key: bool | None = None,
        show_record_id: bool | None = None,
        snapshot: bool | None = None,
        comment: Any | None = None,
        session: AsyncIOMotorClientSession | None = None,
        allow_disk_use: bool | None = None,
        let: Mapping[str, Any] | None = None,
    ) -> AsyncIOMotorCursor[_DocumentType]: ...
    def find_raw_batches(
        self,
        filter: Mapping[str, Any] | None = None,
        projection: Mapping[str, Any] | Iterable[str] | None = None,
        skip: int = 0,
        limit: int = 0,
        no_cursor_timeout: bool = False,
        cursor_type: int = ...,
        sort: _Sort | None = None,
        allow_partial_results: bool = False,
        oplog_replay: bool = False,
        batch_size: int = 0,
        collation: _CollationIn | None = None,
        hint: _Hint | None = None,
        max_scan: int | None = None,
        max_time_ms: int | None = None,
        max: _Sort | None = None,
        min: _Sort | None = None,
        return_key: bool | None = None,
        show_record_id: bool | None = None,
        snapshot: bool | None = None,
        comment: Any | None = None,
        session: AsyncIOMotorClientSession | None = None,
        allow_disk_use: bool | None = None,
        let: Mapping[str, Any] | None = None,
    ) -> AsyncIOMotorRawBatchCursor: ...
    def aggregate(
        self,
        pipeline: _Pipeline,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        **kwargs: Any,
    ) -> AsyncIOMotorLatentCommandCursor[_DocumentType]: ...
    def aggregate_raw_batches(
        self,
        pipeline: _Pipeline,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        **kwargs: Any,
    ) -> AsyncIOMotorLatentCommandCursor[bytes]: ...
    def list_indexes(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
    ) -> AsyncIOMotorLatentCommandCursor[MutableMapping[str, Any]]: ...
    def list_search_indexes(
        self,
        name: str | None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        **kwargs: Any,
    ) -> AsyncIOMotorLatentCommandCursor[Mapping[str, Any]]: ...
    def watch(
        self,
        pipeline: _Pipeline | None = None,
        full_document: str | None = None,
        resume_after: Mapping[str, Any] | None = None,
        max_await_time_ms: int | None = None,
        batch_size: int | None = None,
        collation: _CollationIn | None = None,
        start_at_operation_time: Timestamp | None = None,
        session: AsyncIOMotorClientSession | None = None,
        start_after: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        full_document_before_change: str | None = None,
        show_expanded_events: bool | None = None,
    ) -> AsyncIOMotorChangeStream[_DocumentType]: ...
    @overload
    def bulk_write(
        self,
        requests: Sequence[_WriteOp[_DocumentType]],
        ordered: bool = True,
        bypass_document_validation: bool | None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        let: Mapping[str, Any] | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[BulkWriteResult]: ...
    @overload
    def bulk_write(
        self,
        requests: Sequence[_WriteOp[_DocumentType]],
        ordered: bool = True,
        bypass_document_validation: bool | None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        let: Mapping[str, Any] | None = None,
        *,
        callback: _Callback[BulkWriteResult],
    ) -> None: ...
    @overload
    def count_documents(
        self,
        filter: Mapping[str, Any],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[int]: ...
    @overload
    def count_documents(
        self,
        filter: Mapping[str, Any],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[int],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def create_index(
        self,
        keys: _IndexKeyHint,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[str]: ...
    @overload
    def create_index(
        self,
        keys: _IndexKeyHint,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[str],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def create_indexes(
        self,
        indexes: Sequence[IndexModel],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[list[str]]: ...
    @overload
    def create_indexes(
        self,
        indexes: Sequence[IndexModel],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[list[str]],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def create_search_index(
        self,
        model: Mapping[str, Any] | SearchIndexModel,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[str]: ...
    @overload
    def create_search_index(
        self,
        model: Mapping[str, Any] | SearchIndexModel,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any = None,
        *,
        callback: _Callback[str],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def create_search_indexes(
        self,
        models: list[SearchIndexModel],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[list[str]]: ...
    @overload
    def create_search_indexes(
        self,
        models: list[SearchIndexModel],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[list[str]],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def delete_many(
        self,
        filter: Mapping[str, Any],
        collation: _CollationIn | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[DeleteResult]: ...
    @overload
    def delete_many(
        self,
        filter: Mapping[str, Any],
        collation: _CollationIn | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[DeleteResult],
    ) -> None: ...
    @overload
    def delete_one(
        self,
        filter: Mapping[str, Any],
        collation: _CollationIn | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[DeleteResult]: ...
    @overload
    def delete_one(
        self,
        filter: Mapping[str, Any],
        collation: _CollationIn | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[DeleteResult],
    ) -> None: ...
    @overload
    def distinct(
        self,
        key: str,
        filter: Mapping[str, Any] | None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        hint: _IndexKeyHint | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[list[Any]]: ...
    @overload
    def distinct(
        self,
        key: str,
        filter: Mapping[str, Any] | None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        hint: _IndexKeyHint | None = None,
        *,
        callback: _Callback[list[Any]],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def drop(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        encrypted_fields: Mapping[str, Any] | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def drop(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        encrypted_fields: Mapping[str, Any] | None = None,
        *,
        callback: _Callback[None],
    ) -> None: ...
    @overload
    def drop_index(
        self,
        index_or_name: _IndexKeyHint,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[None]: ...
    @overload
    def drop_index(
        self,
        index_or_name: _IndexKeyHint,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[None],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def drop_indexes(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[None]: ...
    @overload
    def drop_indexes(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[None],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def drop_search_index(
        self,
        name: str,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[None]: ...
    @overload
    def drop_search_index(
        self,
        name: str,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[None],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def estimated_document_count(
        self,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[int]: ...
    @overload
    def estimated_document_count(
        self,
        comment: Any | None = None,
        *,
        callback: _Callback[int],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def find_one(
        self,
        filter: Any | None = None,
        projection: Mapping[str, Any] | Iterable[str] | None = None,
        skip: int = 0,
        limit: int = 0,
        no_cursor_timeout: bool = False,
        cursor_type: int = ...,
        sort: _Sort | None = None,
        allow_partial_results: bool = False,
        oplog_replay: bool = False,
        batch_size: int = 0,
        collation: _CollationIn | None = None,
        hint: _Hint | None = None,
        max_scan: int | None = None,
        max_time_ms: int | None = None,
        max: _Sort | None = None,
        min: _Sort | None = None,
        return_key: bool | None = None,
        show_record_id: bool | None = None,
        snapshot: bool | None = None,
        comment: Any | None = None,
        session: AsyncIOMotorClientSession | None = None,
        allow_disk_use: bool | None = None,
        let: Mapping[str, Any] | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[_DocumentType | None]: ...
    @overload
    def find_one(
        self,
        filter: Any | None = None,
        projection: Mapping[str, Any] | Iterable[str] | None = None,
        skip: int = 0,
        limit: int = 0,
        no_cursor_timeout: bool = False,
        cursor_type: int = ...,
        sort: _Sort | None = None,
        allow_partial_results: bool = False,
        oplog_replay: bool = False,
        batch_size: int = 0,
        collation: _CollationIn | None = None,
        hint: _Hint | None = None,
        max_scan: int | None = None,
        max_time_ms: int | None = None,
        max: _Sort | None = None,
        min: _Sort | None = None,
        return_key: bool | None = None,
        show_record_id: bool | None = None,
        snapshot: bool | None = None,
        comment: Any | None = None,
        session: AsyncIOMotorClientSession | None = None,
        allow_disk_use: bool | None = None,
        let: Mapping[str, Any] | None = None,
        *,
        callback: _Callback[_DocumentType | None],
    ) -> None: ...
    @overload
    def find_one_and_delete(
        self,
        filter: Mapping[str, Any],
        projection: Mapping[str, Any] | Iterable[str] | None = None,
        sort: _IndexList | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[_DocumentType | None]: ...
    @overload
    def find_one_and_delete(
        self,
        filter: Mapping[str, Any],
        projection: Mapping[str, Any] | Iterable[str] | None = None,
        sort: _IndexList | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[_DocumentType | None],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def find_one_and_replace(
        self,
        filter: Mapping[str, Any],
        replacement: Mapping[str, Any],
        projection: Mapping[str, Any] | Iterable[str] | None = None,
        sort: _IndexList | None = None,
        upsert: bool = False,
        return_document: bool = False,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[_DocumentType | None]: ...
    @overload
    def find_one_and_replace(
        self,
        filter: Mapping[str, Any],
        replacement: Mapping[str, Any],
        projection: Mapping[str, Any] | Iterable[str] | None = None,
        sort: _IndexList | None = None,
        upsert: bool = False,
        return_document: bool = False,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[_DocumentType | None],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def find_one_and_update(
        self,
        filter: Mapping[str, Any],
        update: Mapping[str, Any] | _Pipeline,
        projection: Mapping[str, Any] | Iterable[str] | None = None,
        sort: _IndexList | None = None,
        upsert: bool = False,
        return_document: bool = False,
        array_filters: Sequence[Mapping[str, Any]] | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[_DocumentType | None]: ...
    @overload
    def find_one_and_update(
        self,
        filter: Mapping[str, Any],
        update: Mapping[str, Any] | _Pipeline,
        projection: Mapping[str, Any] | Iterable[str] | None = None,
        sort: _IndexList | None = None,
        upsert: bool = False,
        return_document: bool = False,
        array_filters: Sequence[Mapping[str, Any]] | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[_DocumentType | None],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def index_information(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[MutableMapping[str, Any]]: ...
    @overload
    def index_information(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[MutableMapping[str, Any]],
    ) -> None: ...
    @overload
    def insert_many(
        self,
        documents: Iterable[_DocumentType | RawBSONDocument],
        ordered: bool = True,
        bypass_document_validation: bool | None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[InsertManyResult]: ...
    @overload
    def insert_many(
        self,
        documents: Iterable[_DocumentType | RawBSONDocument],
        ordered: bool = True,
        bypass_document_validation: bool | None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[InsertManyResult],
    ) -> None: ...
    @overload
    def insert_one(
        self,
        document: _DocumentType | RawBSONDocument,
        bypass_document_validation: bool | None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[InsertOneResult]: ...
    @overload
    def insert_one(
        self,
        document: _DocumentType | RawBSONDocument,
        bypass_document_validation: bool | None = None,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[InsertOneResult],
    ) -> None: ...
    @overload
    def options(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[MutableMapping[str, Any]]: ...
    @overload
    def options(
        self,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[MutableMapping[str, Any]],
    ) -> None: ...
    @overload
    def rename(
        self,
        new_name: str,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[MutableMapping[str, Any]]: ...
    @overload
    def rename(
        self,
        new_name: str,
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[MutableMapping[str, Any]],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def replace_one(
        self,
        filter: Mapping[str, Any],
        replacement: Mapping[str, Any],
        upsert: bool = False,
        bypass_document_validation: bool | None = None,
        collation: _CollationIn | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        sort: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[UpdateResult]: ...
    @overload
    def replace_one(
        self,
        filter: Mapping[str, Any],
        replacement: Mapping[str, Any],
        upsert: bool = False,
        bypass_document_validation: bool | None = None,
        collation: _CollationIn | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        sort: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[UpdateResult],
    ) -> None: ...
    @overload
    def update_many(
        self,
        filter: Mapping[str, Any],
        update: Mapping[str, Any] | _Pipeline,
        upsert: bool = False,
        array_filters: Sequence[Mapping[str, Any]] | None = None,
        bypass_document_validation: bool | None = None,
        collation: _CollationIn | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[UpdateResult]: ...
    @overload
    def update_many(
        self,
        filter: Mapping[str, Any],
        update: Mapping[str, Any] | _Pipeline,
        upsert: bool = False,
        array_filters: Sequence[Mapping[str, Any]] | None = None,
        bypass_document_validation: bool | None = None,
        collation: _CollationIn | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[UpdateResult],
    ) -> None: ...
    @overload
    def update_one(
        self,
        filter: Mapping[str, Any],
        update: Mapping[str, Any] | _Pipeline,
        upsert: bool = False,
        bypass_document_validation: bool | None = None,
        collation: _CollationIn | None = None,
        array_filters: Sequence[Mapping[str, Any]] | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        sort: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[UpdateResult]: ...
    @overload
    def update_one(
        self,
        filter: Mapping[str, Any],
        update: Mapping[str, Any] | _Pipeline,
        upsert: bool = False,
        bypass_document_validation: bool | None = None,
        collation: _CollationIn | None = None,
        array_filters: Sequence[Mapping[str, Any]] | None = None,
        hint: _IndexKeyHint | None = None,
        session: AsyncIOMotorClientSession | None = None,
        let: Mapping[str, Any] | None = None,
        sort: Mapping[str, Any] | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[UpdateResult],
    ) -> None: ...
    @overload
    def update_search_index(
        self,
        name: str,
        definition: Mapping[str, Any],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[None]: ...
    @overload
    def update_search_index(
        self,
        name: str,
        definition: Mapping[str, Any],
        session: AsyncIOMotorClientSession | None = None,
        comment: Any | None = None,
        *,
        callback: _Callback[None],
        **kwargs: Any,
    ) -> None: ...

# Motor's cursors are generic in what they yield: documents, or (raw-batch cursors) bytes,
# or (GridFS cursors) MotorGridOut objects.
class _AsyncIOMotorBaseCursor(Generic[_ItemT]):
    delegate: Any
    def __init__(self, delegate: Any, owner: Any) -> None: ...
    @property
    def address(self) -> _Address | None: ...
    @property
    def alive(self) -> bool: ...
    @property
    def cursor_id(self) -> int | None: ...
    @property
    def session(self) -> AsyncIOMotorClientSession | None: ...
    # True once the query (or the latent command) has been sent; False after rewind().
    @property
    def started(self) -> bool: ...
    # True once close() has been called.
    @property
    def closed(self) -> bool: ...
    # Resolves True when next_object() has a document; contacts the server only if needed.
    @property
    def fetch_next(self) -> asyncio.Future[bool]: ...
    def get_io_loop(self) -> _IOLoop: ...
    def next_object(self) -> _ItemT | None: ...
    @overload
    def next(self, *, callback: None = None) -> asyncio.Future[_ItemT]: ...
    @overload
    def next(self, *, callback: _Callback[_ItemT]) -> None: ...
    async def __anext__(self) -> _ItemT: ...
    def __aiter__(self) -> Self: ...
    @overload
    def to_list(
        self,
        length: int | None = None,
        callback: None = None,
    ) -> asyncio.Future[list[_ItemT]]: ...
    @overload
    def to_list(self, length: int | None, callback: _Callback[list[_ItemT]]) -> None: ...
    @overload
    def to_list(self, length: int | None = None, *, callback: _Callback[list[_ItemT]]) -> None: ...
    def each(self, callback: _Callback[_ItemT]) -> None: ...
    @overload
    def close(self, *, callback: None = None) -> asyncio.Future[None]: ...
    @overload
    def close(self, *, callback: _Callback[None]) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class AsyncIOMotorCursor(_AsyncIOMotorBaseCursor[_ItemT]):
    @property
    def collection(self) -> AsyncIOMotorCollection[Any]: ...
    @property
    def retrieved(self) -> int: ...
    def add_option(self, mask: int) -> Self: ...
    def allow_disk_use(self, allow_disk_use: bool) -> Self: ...
    def batch_size(self, batch_size: int) -> Self: ...
    def collation(self, collation: _CollationIn | None) -> Self: ...
    def comment(self, comment: Any) -> Self: ...
    def hint(self, index: _Hint | None) -> Self: ...
    def limit(self, limit: int) -> Self: ...
    def max(self, spec: _Sort) -> Self: ...
    def max_await_time_ms(self, max_await_time_ms: int | None) -> Self: ...
    def max_scan(self, max_scan: int | None) -> Self: ...
    def max_time_ms(self, max_time_ms: int | None) -> Self: ...
    def min(self, spec: _Sort) -> Self: ...
    def remove_option(self, mask: int) -> Self: ...
    def skip(self, skip: int) -> Self: ...
    def sort(self, key_or_list: _Hint, direction: int | str | None = None) -> Self: ...
    def where(self, code: str | Code) -> Self: ...
    def clone(self) -> Self: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any) -> Self: ...
    def rewind(self) -> Self: ...
    @overload
    def __getitem__(self, index: int) -> asyncio.Future[_ItemT]: ...
    @overload
    def __getitem__(self, index: slice) -> Self: ...
    @overload
    def distinct(self, key: str, *, callback: None = None) -> asyncio.Future[list[Any]]: ...
    @overload
    def distinct(self, key: str, *, callback: _Callback[list[Any]]) -> None: ...
    @overload
    def explain(self, *, callback: None = None) -> asyncio.Future[_ItemT]: ...
    @overload
    def explain(self, *, callback: _Callback[_ItemT]) -> None: ...

class AsyncIOMotorRawBatchCursor(AsyncIOMotorCursor[bytes]):
    # Each item is one batch of documents as BSON bytes (bson.decode_all reads it).
    @overload  # type: ignore[override]
    def explain(self, *, callback: None = None) -> asyncio.Future[Mapping[str, Any]]: ...
    @overload
    def explain(self, *, callback: _Callback[Mapping[str, Any]]) -> None: ...

class AsyncIOMotorCommandCursor(_AsyncIOMotorBaseCursor[_ItemT]):
    def batch_size(self, batch_size: int) -> Self: ...
    @overload
    def try_next(self, *, callback: None = None) -> asyncio.Future[_ItemT | None]: ...
    @overload
    def try_next(self, *, callback: _Callback[_ItemT | None]) -> None: ...

class AsyncIOMotorRawBatchCommandCursor(AsyncIOMotorCommandCursor[bytes]): ...

class AsyncIOMotorLatentCommandCursor(AsyncIOMotorCommandCursor[_ItemT]):
    # Returned at once by aggregate(), list_indexes(), ...; the command runs on first use.
    def __init__(
        self,
        owner: Any,
        start: Callable[..., Any],
        *args: Any,
        **kwargs: Any,
    ) -> None: ...

class AsyncIOMotorChangeStream(Generic[_DocumentType]):
    delegate: ChangeStream[_DocumentType] | None
    def __init__(
        self,
        owner: Any,
        start: Callable[..., ChangeStream[Any]],
        *args: Any,
        **kwargs: Any,
    ) -> None: ...
    @property
    def alive(self) -> bool: ...
    @property
    def resume_token(self) -> Mapping[str, Any] | None: ...
    def get_io_loop(self) -> _IOLoop: ...
    @overload
    def next(self, *, callback: None = None) -> asyncio.Future[_DocumentType]: ...
    @overload
    def next(self, *, callback: _Callback[_DocumentType]) -> None: ...
    @overload
    def try_next(self, *, callback: None = None) -> asyncio.Future[_DocumentType | None]: ...
    @overload
    def try_next(self, *, callback: _Callback[_DocumentType | None]) -> None: ...
    @overload
    def close(self, *, callback: None = None) -> asyncio.Future[None]: ...
    @overload
    def close(self, *, callback: _Callback[None]) -> None: ...
    def __aiter__(self) -> Self: ...
    def __anext__(self) -> asyncio.Future[_DocumentType]: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class AsyncIOMotorClientSession:
    delegate: ClientSession
    def __init__(self, delegate: ClientSession, client: AsyncIOMotorClient[Any]) -> None: ...
    @property
    def client(self) -> AsyncIOMotorClient[Any]: ...
    @property
    def cluster_time(self) -> ClusterTime | None: ...
    @property
    def has_ended(self) -> bool: ...
    @property
    def in_transaction(self) -> bool: ...
    @property
    def operation_time(self) -> Timestamp | None: ...
    @property
    def options(self) -> SessionOptions: ...
    @property
    def session_id(self) -> Mapping[str, Any]: ...
    def get_io_loop(self) -> _IOLoop: ...
    def advance_cluster_time(self, cluster_time: Mapping[str, Any]) -> None: ...
    def advance_operation_time(self, operation_time: Timestamp) -> None: ...
    def bind(self, end_session: bool = True) -> AbstractContextManager[ClientSession, None]: ...
    def __copy__(self) -> NoReturn: ...
    # No I/O; 'async with session.start_transaction():' commits, or aborts on an exception.
    def start_transaction(
        self,
        read_concern: ReadConcern | None = None,
        write_concern: WriteConcern | None = None,
        read_preference: _ServerMode | None = None,
        max_commit_time_ms: int | None = None,
    ) -> AbstractAsyncContextManager[object, None]: ...
    @overload
    def with_transaction(
        self,
        coro_fn: Callable[[AsyncIOMotorClientSession], Awaitable[_T]],
        read_concern: ReadConcern | None = None,
        write_concern: WriteConcern | None = None,
        read_preference: _ServerMode | None = None,
        max_commit_time_ms: int | None = None,
        callback: None = None,
    ) -> asyncio.Future[_T]: ...
    @overload
    def with_transaction(
        self,
        coro_fn: Callable[[AsyncIOMotorClientSession], Awaitable[_T]],
        read_concern: ReadConcern | None = None,
        write_concern: WriteConcern | None = None,
        read_preference: _ServerMode | None = None,
        max_commit_time_ms: int | None = None,
        *,
        callback: _Callback[_T],
    ) -> None: ...
    @overload
    def abort_transaction(self, *, callback: None = None) -> asyncio.Future[None]: ...
    @overload
    def abort_transaction(self, *, callback: _Callback[None]) -> None: ...
    @overload
    def commit_transaction(self, *, callback: None = None) -> asyncio.Future[None]: ...
    @overload
    def commit_transaction(self, *, callback: _Callback[None]) -> None: ...
    @overload
    def end_session(self, *, callback: None = None) -> asyncio.Future[None]: ...
    @overload
    def end_session(self, *, callback: _Callback[None]) -> None: ...
    # start_session() needs no I/O; Motor 3 code awaits it anyway.
    def __await__(self) -> Generator[Any, None, Self]: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class _AsyncIOMotorKeysCursor(AsyncIOMotorCursor[RawBSONDocument]):
    def __await__(self) -> Generator[Any, None, Self]: ...

class AsyncIOMotorClientEncryption(Generic[_DocumentType]):
    delegate: ClientEncryption[Any]
    def __init__(
        self,
        kms_providers: Mapping[str, Any],
        key_vault_namespace: str,
        key_vault_client: AsyncIOMotorClient[_DocumentType],
        codec_options: CodecOptions[Any],
        io_loop: _IOLoop | None = None,
        *,
        kms_tls_options: Mapping[str, Any] | None = None,
        key_expiration_ms: int | None = None,
        kms_connect_callback: KMSConnectCallback | None = None,
    ) -> None: ...
    def get_io_loop(self) -> _IOLoop: ...
    @property
    def io_loop(self) -> _IOLoop: ...
    @overload
    def add_key_alt_name(
        self,
        id: Binary,
        key_alt_name: str,
        *,
        callback: None = None,
    ) -> asyncio.Future[Any]: ...
    @overload
    def add_key_alt_name(
        self,
        id: Binary,
        key_alt_name: str,
        *,
        callback: _Callback[Any],
    ) -> None: ...
    @overload
    def close(self, *, callback: None = None) -> asyncio.Future[None]: ...
    @overload
    def close(self, *, callback: _Callback[None]) -> None: ...
    @overload
    def create_data_key(
        self,
        kms_provider: str,
        master_key: Mapping[str, Any] | None = None,
        key_alt_names: Sequence[str] | None = None,
        key_material: bytes | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[Binary]: ...
    @overload
    def create_data_key(
        self,
        kms_provider: str,
        master_key: Mapping[str, Any] | None = None,
        key_alt_names: Sequence[str] | None = None,
        key_material: bytes | None = None,
        *,
        callback: _Callback[Binary],
    ) -> None: ...
    @overload
    def create_encrypted_collection(
        self,
        database: AsyncIOMotorDatabase[_DocumentTypeArg],
        name: str,
        encrypted_fields: Mapping[str, Any],
        kms_provider: str | None = None,
        master_key: Mapping[str, Any] | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[tuple[AsyncIOMotorCollection[_DocumentTypeArg], Mapping[str, Any]]]: ...
    @overload
    def create_encrypted_collection(
        self,
        database: AsyncIOMotorDatabase[_DocumentTypeArg],
        name: str,
        encrypted_fields: Mapping[str, Any],
        kms_provider: str | None = None,
        master_key: Mapping[str, Any] | None = None,
        *,
        callback: _Callback[tuple[AsyncIOMotorCollection[_DocumentTypeArg], Mapping[str, Any]]],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def decrypt(self, value: Binary, *, callback: None = None) -> asyncio.Future[Any]: ...
    @overload
    def decrypt(self, value: Binary, *, callback: _Callback[Any]) -> None: ...
    @overload
    def delete_key(self, id: Binary, *, callback: None = None) -> asyncio.Future[DeleteResult]: ...
    @overload
    def delete_key(self, id: Binary, *, callback: _Callback[DeleteResult]) -> None: ...
    @overload
    def encrypt(
        self,
        value: Any,
        algorithm: str,
        key_id: Binary | uuid.UUID | None = None,
        key_alt_name: str | None = None,
        query_type: str | None = None,
        contention_factor: int | None = None,
        range_opts: RangeOpts | None = None,
        string_opts: StringOpts | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[Binary]: ...
    @overload
    def encrypt(
        self,
        value: Any,
        algorithm: str,
        key_id: Binary | uuid.UUID | None = None,
        key_alt_name: str | None = None,
        query_type: str | None = None,
        contention_factor: int | None = None,
        range_opts: RangeOpts | None = None,
        string_opts: StringOpts | None = None,
        *,
        callback: _Callback[Binary],
    ) -> None: ...
    @overload
    def encrypt_expression(
        self,
        expression: Mapping[str, Any],
        algorithm: str,
        key_id: Binary | uuid.UUID | None = None,
        key_alt_name: str | None = None,
        query_type: str | None = None,
        contention_factor: int | None = None,
        range_opts: RangeOpts | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[RawBSONDocument]: ...
    @overload
    def encrypt_expression(
        self,
        expression: Mapping[str, Any],
        algorithm: str,
        key_id: Binary | uuid.UUID | None = None,
        key_alt_name: str | None = None,
        query_type: str | None = None,
        contention_factor: int | None = None,
        range_opts: RangeOpts | None = None,
        *,
        callback: _Callback[RawBSONDocument],
    ) -> None: ...
    @overload
    def get_key(
        self,
        id: Binary,
        *,
        callback: None = None,
    ) -> asyncio.Future[RawBSONDocument | None]: ...
    @overload
    def get_key(self, id: Binary, *, callback: _Callback[RawBSONDocument | None]) -> None: ...
    @overload
    def get_key_by_alt_name(
        self,
        key_alt_name: str,
        *,
        callback: None = None,
    ) -> asyncio.Future[RawBSONDocument | None]: ...
    @overload
    def get_key_by_alt_name(
        self,
        key_alt_name: str,
        *,
        callback: _Callback[RawBSONDocument | None],
    ) -> None: ...
    # The cursor at once; awaiting it (as Motor 3's coroutine was) gives the same cursor.
    def get_keys(self) -> _AsyncIOMotorKeysCursor: ...
    @overload
    def remove_key_alt_name(
        self,
        id: Binary,
        key_alt_name: str,
        *,
        callback: None = None,
    ) -> asyncio.Future[RawBSONDocument | None]: ...
    @overload
    def remove_key_alt_name(
        self,
        id: Binary,
        key_alt_name: str,
        *,
        callback: _Callback[RawBSONDocument | None],
    ) -> None: ...
    @overload
    def rewrap_many_data_key(
        self,
        filter: Mapping[str, Any],
        provider: str | None = None,
        master_key: Mapping[str, Any] | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[RewrapManyDataKeyResult]: ...
    @overload
    def rewrap_many_data_key(
        self,
        filter: Mapping[str, Any],
        provider: str | None = None,
        master_key: Mapping[str, Any] | None = None,
        *,
        callback: _Callback[RewrapManyDataKeyResult],
    ) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class AsyncIOMotorGridFSBucket:
    delegate: GridFSBucket
    def __init__(
        self,
        database: AsyncIOMotorDatabase[Any],
        bucket_name: str = "fs",
        chunk_size_bytes: int = ...,
        write_concern: WriteConcern | None = None,
        read_preference: _ServerMode | None = None,
        collection: str | None = None,  # deprecated alias of bucket_name (Motor 3)
    ) -> None: ...
    @property
    def bucket_name(self) -> str: ...
    @property
    def collection(self) -> AsyncIOMotorCollection[dict[str, Any]]: ...
    @property
    def database(self) -> AsyncIOMotorDatabase[Any]: ...
    def get_io_loop(self) -> _IOLoop: ...
    @property
    def io_loop(self) -> _IOLoop: ...
    # A PyMongo object (database, collection, cursor, session...) in its Motor class.
    def wrap(self, obj: Any) -> Any: ...
    def find(
        self,
        filter: Mapping[str, Any] | None = None,
        skip: int = 0,
        limit: int = 0,
        no_cursor_timeout: bool = False,
        sort: _Sort | None = None,
        batch_size: int = 0,
        session: AsyncIOMotorClientSession | None = None,
    ) -> AsyncIOMotorGridOutCursor: ...
    def open_upload_stream(
        self,
        filename: str,
        chunk_size_bytes: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        session: AsyncIOMotorClientSession | None = None,
    ) -> AsyncIOMotorGridIn: ...
    def open_upload_stream_with_id(
        self,
        file_id: Any,
        filename: str,
        chunk_size_bytes: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        session: AsyncIOMotorClientSession | None = None,
    ) -> AsyncIOMotorGridIn: ...
    @overload
    def delete(
        self,
        file_id: Any,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def delete(
        self,
        file_id: Any,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[None],
    ) -> None: ...
    @overload
    def delete_by_name(
        self,
        filename: str,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def delete_by_name(
        self,
        filename: str,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[None],
    ) -> None: ...
    @overload
    def download_to_stream(
        self,
        file_id: Any,
        destination: _Writer,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def download_to_stream(
        self,
        file_id: Any,
        destination: _Writer,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[None],
    ) -> None: ...
    @overload
    def download_to_stream_by_name(
        self,
        filename: str,
        destination: _Writer,
        revision: int = -1,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def download_to_stream_by_name(
        self,
        filename: str,
        destination: _Writer,
        revision: int = -1,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[None],
    ) -> None: ...
    @overload
    def drop(
        self,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def drop(
        self,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[None],
    ) -> None: ...
    @overload
    def open_download_stream(
        self,
        file_id: Any,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[AsyncIOMotorGridOut]: ...
    @overload
    def open_download_stream(
        self,
        file_id: Any,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[AsyncIOMotorGridOut],
    ) -> None: ...
    @overload
    def open_download_stream_by_name(
        self,
        filename: str,
        revision: int = -1,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[AsyncIOMotorGridOut]: ...
    @overload
    def open_download_stream_by_name(
        self,
        filename: str,
        revision: int = -1,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[AsyncIOMotorGridOut],
    ) -> None: ...
    @overload
    def rename(
        self,
        file_id: Any,
        new_filename: str,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def rename(
        self,
        file_id: Any,
        new_filename: str,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[None],
    ) -> None: ...
    @overload
    def rename_by_name(
        self,
        filename: str,
        new_filename: str,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def rename_by_name(
        self,
        filename: str,
        new_filename: str,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[None],
    ) -> None: ...
    @overload
    def upload_from_stream(
        self,
        filename: str,
        source: bytes | _Reader,
        chunk_size_bytes: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[ObjectId]: ...
    @overload
    def upload_from_stream(
        self,
        filename: str,
        source: bytes | _Reader,
        chunk_size_bytes: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[ObjectId],
    ) -> None: ...
    @overload
    def upload_from_stream_with_id(
        self,
        file_id: Any,
        filename: str,
        source: bytes | _Reader,
        chunk_size_bytes: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def upload_from_stream_with_id(
        self,
        file_id: Any,
        filename: str,
        source: bytes | _Reader,
        chunk_size_bytes: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[None],
    ) -> None: ...

class AsyncIOMotorGridFS:
    delegate: GridFS
    def __init__(self, database: AsyncIOMotorDatabase[Any], collection: str = "fs") -> None: ...
    @property
    def database(self) -> AsyncIOMotorDatabase[Any]: ...
    def get_io_loop(self) -> _IOLoop: ...
    @property
    def io_loop(self) -> _IOLoop: ...
    def find(
        self,
        filter: Mapping[str, Any] | None = None,
        skip: int = 0,
        limit: int = 0,
        no_cursor_timeout: bool = False,
        sort: _Sort | None = None,
        batch_size: int = 0,
        session: AsyncIOMotorClientSession | None = None,
    ) -> AsyncIOMotorGridOutCursor: ...
    def new_file(self, **kwargs: Any) -> AsyncIOMotorGridIn: ...
    @overload
    def delete(
        self,
        file_id: Any,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def delete(
        self,
        file_id: Any,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[None],
    ) -> None: ...
    @overload
    def exists(
        self,
        document_or_id: Any | None = None,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[bool]: ...
    @overload
    def exists(
        self,
        document_or_id: Any | None = None,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[bool],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def find_one(
        self,
        filter: Any | None = None,
        session: AsyncIOMotorClientSession | None = None,
        *args: Any,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[AsyncIOMotorGridOut | None]: ...
    @overload
    def find_one(
        self,
        filter: Any | None = None,
        session: AsyncIOMotorClientSession | None = None,
        *args: Any,
        callback: _Callback[AsyncIOMotorGridOut | None],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def get(
        self,
        file_id: Any,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[AsyncIOMotorGridOut]: ...
    @overload
    def get(
        self,
        file_id: Any,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[AsyncIOMotorGridOut],
    ) -> None: ...
    @overload
    def get_last_version(
        self,
        filename: str | None = None,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[AsyncIOMotorGridOut]: ...
    @overload
    def get_last_version(
        self,
        filename: str | None = None,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[AsyncIOMotorGridOut],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def get_version(
        self,
        filename: str | None = None,
        version: int | None = -1,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[AsyncIOMotorGridOut]: ...
    @overload
    def get_version(
        self,
        filename: str | None = None,
        version: int | None = -1,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[AsyncIOMotorGridOut],
        **kwargs: Any,
    ) -> None: ...
    # Stores bytes, a str (with an encoding=...), or what a (maybe asynchronous) reader holds.
    @overload
    def put(
        self,
        data: bytes | str | _Reader,
        *,
        callback: None = None,
        **kwargs: Any,
    ) -> asyncio.Future[Any]: ...
    @overload
    def put(
        self,
        data: bytes | str | _Reader,
        *,
        callback: _Callback[Any],
        **kwargs: Any,
    ) -> None: ...
    @overload
    def list(
        self,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: None = None,
    ) -> asyncio.Future[builtins.list[str]]: ...
    @overload
    def list(
        self,
        session: AsyncIOMotorClientSession | None = None,
        *,
        callback: _Callback[builtins.list[str]],
    ) -> None: ...

class AsyncIOMotorGridIn:
    delegate: GridIn
    def __init__(
        self,
        root_collection: AsyncIOMotorCollection[Any],
        delegate: GridIn | None = None,
        session: AsyncIOMotorClientSession | None = None,
        **kwargs: Any,
    ) -> None: ...
    @property
    def _id(self) -> Any: ...
    @property
    def chunk_size(self) -> int: ...
    @property
    def closed(self) -> bool: ...
    @property
    def length(self) -> int: ...
    @property
    def md5(self) -> str | None: ...
    @property
    def upload_date(self) -> datetime.datetime: ...
    # Settable until the file is closed (then: await grid_in.set(name, value)).
    content_type: str | None
    filename: str | None
    name: str | None
    def get_io_loop(self) -> _IOLoop: ...
    @property
    def io_loop(self) -> _IOLoop: ...
    # Other fields of the file document, and (until closed) any field to set.
    def __getattr__(self, name: str) -> Any: ...
    def __setattr__(self, name: str, value: Any) -> None: ...
    def read(self, size: int = -1) -> NoReturn: ...
    def readable(self) -> bool: ...
    def seekable(self) -> bool: ...
    def writeable(self) -> bool: ...
    @overload
    def abort(self, *, callback: None = None) -> asyncio.Future[None]: ...
    @overload
    def abort(self, *, callback: _Callback[None]) -> None: ...
    @overload
    def close(self, *, callback: None = None) -> asyncio.Future[None]: ...
    @overload
    def close(self, *, callback: _Callback[None]) -> None: ...
    @overload
    def set(self, name: str, value: Any, *, callback: None = None) -> asyncio.Future[None]: ...
    @overload
    def set(self, name: str, value: Any, *, callback: _Callback[None]) -> None: ...
    @overload
    def write(
        self,
        data: bytes | str | _Reader,
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def write(self, data: bytes | str | _Reader, *, callback: _Callback[None]) -> None: ...
    @overload
    def writelines(
        self,
        sequence: Iterable[bytes | str],
        *,
        callback: None = None,
    ) -> asyncio.Future[None]: ...
    @overload
    def writelines(self, sequence: Iterable[bytes | str], *, callback: _Callback[None]) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class AsyncIOMotorGridOut:
    delegate: GridOut
    def __init__(
        self,
        root_collection: AsyncIOMotorCollection[Any],
        file_id: Any = None,
        file_document: Any = None,
        delegate: GridOut | None = None,
        session: AsyncIOMotorClientSession | None = None,
    ) -> None: ...
    # Fields of the file document: readable once the file is opened (no I/O).
    @property
    def _id(self) -> Any: ...
    @property
    def aliases(self) -> list[str] | None: ...
    @property
    def chunk_size(self) -> int: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def filename(self) -> str: ...
    @property
    def length(self) -> int: ...
    @property
    def md5(self) -> str | None: ...
    @property
    def metadata(self) -> Mapping[str, Any] | None: ...
    @property
    def name(self) -> str: ...
    @property
    def upload_date(self) -> datetime.datetime: ...
    @property
    def closed(self) -> bool: ...
    def get_io_loop(self) -> _IOLoop: ...
    @property
    def io_loop(self) -> _IOLoop: ...
    def __getattr__(self, name: str) -> Any: ...
    def fileno(self) -> NoReturn: ...
    def flush(self) -> None: ...
    def isatty(self) -> bool: ...
    def readable(self) -> bool: ...
    def seekable(self) -> bool: ...
    def seek(self, pos: int, whence: int = 0) -> int: ...
    def tell(self) -> int: ...
    def truncate(self, size: int | None = None) -> NoReturn: ...
    def writable(self) -> bool: ...
    def write(self, value: Any) -> NoReturn: ...
    def writelines(self, lines: Any) -> NoReturn: ...
    @overload
    def open(self, *, callback: None = None) -> asyncio.Future[Self]: ...
    @overload
    def open(self, *, callback: _Callback[Self]) -> None: ...
    @overload
    def close(self, *, callback: None = None) -> asyncio.Future[None]: ...
    @overload
    def close(self, *, callback: _Callback[None]) -> None: ...
    @overload
    def read(self, size: int = -1, *, callback: None = None) -> asyncio.Future[bytes]: ...
    @overload
    def read(self, size: int = -1, *, callback: _Callback[bytes]) -> None: ...
    @overload
    def readchunk(self, *, callback: None = None) -> asyncio.Future[bytes]: ...
    @overload
    def readchunk(self, *, callback: _Callback[bytes]) -> None: ...
    @overload
    def readline(self, size: int = -1, *, callback: None = None) -> asyncio.Future[bytes]: ...
    @overload
    def readline(self, size: int = -1, *, callback: _Callback[bytes]) -> None: ...
    @overload
    def readlines(
        self,
        hint: int = -1,
        *,
        callback: None = None,
    ) -> asyncio.Future[list[bytes]]: ...
    @overload
    def readlines(self, hint: int = -1, *, callback: _Callback[list[bytes]]) -> None: ...
    def __aiter__(self) -> Self: ...
    def __anext__(self) -> asyncio.Future[bytes]: ...
    async def copy_to(self, write: Callable[[bytes], object], length: int | None = None) -> int: ...
    async def stream_to_handler(self, request_handler: RequestHandler) -> int: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class AsyncIOMotorGridOutCursor(AsyncIOMotorCursor[AsyncIOMotorGridOut]):
    # Each item is a MotorGridOut, opened.
    @overload  # type: ignore[override]
    def explain(self, *, callback: None = None) -> asyncio.Future[Mapping[str, Any]]: ...
    @overload
    def explain(self, *, callback: _Callback[Mapping[str, Any]]) -> None: ...
