"""Each Motor class offers the public attributes of the PyMongo class it wraps."""

from __future__ import annotations

import pymongo
import pytest
from pymongo.change_stream import ChangeStream
from pymongo.client_session import ClientSession
from pymongo.synchronous.command_cursor import CommandCursor
from pymongo.synchronous.cursor import Cursor

import motor.motor_asyncio
import motor.motor_tornado
from motor.core.declare import io_methods

PAIRS = {
    "Client": pymongo.MongoClient,
    "Database": pymongo.database.Database,
    "Collection": pymongo.collection.Collection,
    "Cursor": Cursor,
    "CommandCursor": CommandCursor,
    "LatentCommandCursor": CommandCursor,
    "ClientSession": ClientSession,
    "ChangeStream": ChangeStream,
}


def public(cls):
    return {name for name in dir(cls) if not name.startswith("_")}


@pytest.mark.parametrize(
    "module", [motor.motor_tornado, motor.motor_asyncio], ids=["tornado", "asyncio"]
)
@pytest.mark.parametrize("short_name", list(PAIRS))
def test_public_attributes_match_pymongo(module, short_name):
    prefix = "Motor" if module is motor.motor_tornado else "AsyncIOMotor"
    motor_class = getattr(module, prefix + short_name)
    missing = public(PAIRS[short_name]) - public(motor_class)
    assert not missing, f"{motor_class.__name__} lacks {sorted(missing)}"


def test_io_declarations_name_real_pymongo_methods():
    for short_name, pymongo_class in PAIRS.items():
        motor_class = getattr(motor.motor_tornado, "Motor" + short_name)
        for name, attr in io_methods(motor_class).items():
            assert callable(getattr(pymongo_class, attr, None)), f"{short_name}.{name} -> {attr}"


async def test_client_database_collection_are_not_iterable(client, db, coll):
    for obj in (client, db, coll):
        with pytest.raises(TypeError, match="not iterable"):
            next(iter(obj))
        with pytest.raises(TypeError, match="not iterable"):
            obj.next()
