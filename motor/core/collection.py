"""AgnosticCollection: MotorCollection's framework-independent core."""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection

from motor.core.base import AgnosticBase, NotIterable
from motor.core.change_stream import AgnosticChangeStream
from motor.core.cursor import AgnosticLatentCommandCursor
from motor.core.database import AgnosticDatabase
from motor.core.declare import Async, Latent, ReadOnly, Sync


class AgnosticCollection(NotIterable, AgnosticBase):
    """A collection whose I/O methods return Futures; wraps ``pymongo.collection.Collection``."""

    __motor_class_name__ = "MotorCollection"
    __delegate_class__ = Collection

    codec_options = ReadOnly()
    full_name = ReadOnly()
    name = ReadOnly()
    read_concern = ReadOnly()
    read_preference = ReadOnly()
    write_concern = ReadOnly()

    find = Sync(wrap=True)
    find_raw_batches = Sync(wrap=True)
    with_options = Sync(wrap=True)

    aggregate = Latent(cursor=AgnosticLatentCommandCursor)
    aggregate_raw_batches = Latent(cursor=AgnosticLatentCommandCursor)
    list_indexes = Latent(cursor=AgnosticLatentCommandCursor)
    list_search_indexes = Latent(cursor=AgnosticLatentCommandCursor)
    watch = Latent(cursor=AgnosticChangeStream)

    bulk_write = Async()
    count_documents = Async()
    create_index = Async()
    create_indexes = Async()
    create_search_index = Async()
    create_search_indexes = Async()
    delete_many = Async()
    delete_one = Async()
    distinct = Async()
    drop = Async()
    drop_index = Async()
    drop_indexes = Async()
    drop_search_index = Async()
    estimated_document_count = Async()
    find_one = Async()
    find_one_and_delete = Async()
    find_one_and_replace = Async()
    find_one_and_update = Async()
    index_information = Async()
    insert_many = Async()
    insert_one = Async()
    options = Async()
    rename = Async()
    replace_one = Async()
    update_many = Async()
    update_one = Async()
    update_search_index = Async()

    def __init__(
        self,
        database: Any,
        name: str,
        codec_options: Any = None,
        read_preference: Any = None,
        write_concern: Any = None,
        read_concern: Any = None,
        _delegate: Collection[Any] | None = None,
    ) -> None:
        expected = self._motor_class(AgnosticDatabase)
        if not isinstance(database, expected):
            raise TypeError(
                f"First argument to {type(self).__name__} must be {expected.__name__},"
                f" not {database!r}"
            )
        if _delegate is None:
            _delegate = Collection(
                database.delegate,
                name,
                codec_options=codec_options,
                read_preference=read_preference,
                write_concern=write_concern,
                read_concern=read_concern,
            )
        super().__init__(_delegate)
        self._database = database
        self._client = database._client

    @classmethod
    def _from_delegate(cls, delegate: Collection[Any], parent: Any) -> AgnosticCollection:
        if isinstance(parent, AgnosticCollection):
            database = parent._database
        elif isinstance(parent, AgnosticDatabase):
            database = parent
        else:
            database = parent._wrap(delegate.database)
        return cls(database, delegate.name, _delegate=delegate)

    @property
    def database(self) -> Any:
        return self._database

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            full_name = f"{self.name}.{name}"
            raise AttributeError(
                f"{type(self).__name__} has no attribute {name!r}. To access the {full_name}"
                f" collection, use database['{full_name}']."
            )
        return self[name]

    def __getitem__(self, name: str) -> Any:
        return self._wrap(self.delegate[name])

    def __bool__(self) -> bool:
        # As PyMongo and Motor 3: NotImplementedError, "compare with None instead".
        return bool(self.delegate.__bool__())

    def wrap(self, obj: Any) -> Any:
        """``obj`` (a PyMongo collection, cursor...) in its Motor class; else ``obj``."""
        return self._wrap(obj)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # db.fnd_one() reaches a collection named "fnd_one": say so.
        parent, _, method = self.name.rpartition(".")
        owner = type(self).__name__ if parent else type(self._database).__name__
        raise TypeError(
            f"'{type(self).__name__}' object is not callable. {owner} has no method"
            f" {method!r}: no such method exists, so {self.name!r} was taken for a"
            " collection name"
        )
