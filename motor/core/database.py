"""AgnosticDatabase: MotorDatabase's framework-independent core."""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from motor.core.base import AgnosticBase, NotIterable
from motor.core.change_stream import AgnosticChangeStream
from motor.core.cursor import AgnosticLatentCommandCursor
from motor.core.declare import Async, Latent, ReadOnly, Sync


class AgnosticDatabase(NotIterable, AgnosticBase):
    """A database whose I/O methods return Futures; wraps ``pymongo.database.Database``."""

    __motor_class_name__ = "MotorDatabase"
    __delegate_class__ = Database

    codec_options = ReadOnly()
    name = ReadOnly()
    read_concern = ReadOnly()
    read_preference = ReadOnly()
    write_concern = ReadOnly()

    get_collection = Sync(wrap=True)
    with_options = Sync(wrap=True)

    aggregate = Latent(cursor=AgnosticLatentCommandCursor)
    command = Async()
    create_collection = Async(wrap=True)
    cursor_command = Async(wrap=True)
    dereference = Async()
    drop_collection = Async()
    list_collection_names = Async()
    list_collections = Async(wrap=True)
    validate_collection = Async()
    watch = Latent(cursor=AgnosticChangeStream)

    def __init__(
        self, client: Any, name: str, _delegate: Database[Any] | None = None, **kwargs: Any
    ):
        super().__init__(
            _delegate if _delegate is not None else Database(client.delegate, name, **kwargs)
        )
        self._client = client

    @classmethod
    def _from_delegate(cls, delegate: Database[Any], parent: Any) -> AgnosticDatabase:
        return cls(parent._client, delegate.name, _delegate=delegate)

    @property
    def client(self) -> Any:
        return self._client

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(
                f"{type(self).__name__} has no attribute {name!r}. To access the {name}"
                f" collection, use database[{name!r}]."
            )
        return self[name]

    def __getitem__(self, name: str) -> Any:
        return self._wrap(self.delegate[name])

    def __bool__(self) -> bool:
        # As PyMongo and Motor 3: NotImplementedError, "compare with None instead".
        return bool(self.delegate.__bool__())

    def wrap(self, obj: Any) -> Any:
        """``obj`` (a PyMongo collection, database, cursor...) in its Motor class; else ``obj``."""
        return self._wrap(obj)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # db = client.test; client.tset() reaches a database named "tset": say so.
        raise TypeError(
            f"'{type(self).__name__}' object is not callable. {type(self._client).__name__}"
            f" has no method {self.name!r}: no such method exists, so {self.name!r} was"
            " taken for a database name"
        )
