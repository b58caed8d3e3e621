"""Each Motor class offers the public attributes of the PyMongo class it wraps.

Motor declares the public surface of PyMongo 4.20; on an older PyMongo (down to 4.9), the
methods PyMongo added since (``NEWER``) fail when called, as they would on PyMongo's own
object, and nothing else is missing.
"""

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

# (PyMongo class, method) -> the PyMongo minor that added it, for methods newer than 4.9.
NEWER = {
    ("MongoClient", "eq_props"): (4, 12),
    ("MongoClient", "append_metadata"): (4, 14),
    ("ClientSession", "bind"): (4, 17),
    ("GridFSBucket", "delete_by_name"): (4, 12),
    ("GridFSBucket", "rename_by_name"): (4, 12),
}
PYMONGO_MINOR = tuple(pymongo.version_tuple[:2])


def pymongo_lacks(class_name, name):
    """True if the installed PyMongo predates ``class_name.name`` (see ``NEWER``)."""
    added = NEWER.get((class_name, name))
    return added is not None and PYMONGO_MINOR < added


def requires_pymongo(class_name, name):
    """Skip a test of ``class_name.name`` on a PyMongo that predates it."""
    added = NEWER[(class_name, name)]
    return pytest.mark.skipif(
        PYMONGO_MINOR < added,
        reason=f"{class_name}.{name} is new in PyMongo {added[0]}.{added[1]}",
    )


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
            if pymongo_lacks(pymongo_class.__name__, attr):
                continue
            assert callable(getattr(pymongo_class, attr, None)), f"{short_name}.{name} -> {attr}"


def test_newer_methods_table_matches_pymongo():
    """``NEWER`` says exactly which declared methods the installed PyMongo has."""
    import gridfs

    classes = {
        "MongoClient": pymongo.MongoClient,
        "ClientSession": ClientSession,
        "GridFSBucket": gridfs.GridFSBucket,
    }
    for class_name, name in NEWER:
        has = hasattr(classes[class_name], name)
        assert has != pymongo_lacks(class_name, name), (class_name, name, pymongo.version)


async def test_methods_newer_than_pymongo_fail_as_pymongo_does(client, db, motor_class):
    """On an older PyMongo, a declared method it lacks raises what PyMongo's own object raises:
    AttributeError, or TypeError for MongoClient (whose unknown attributes are databases)."""
    lacking = [key for key in NEWER if pymongo_lacks(*key)]
    if not lacking:
        pytest.skip(f"PyMongo {pymongo.version} has every method Motor declares")
    session = await client.start_session()
    bucket = motor_class("GridFSBucket")(db)
    objects = {"MongoClient": client, "ClientSession": session, "GridFSBucket": bucket}
    try:
        for class_name, name in lacking:
            obj = objects[class_name]
            if class_name == "MongoClient":  # "'Database' object is not callable"
                expected, match = TypeError, "not callable"
            else:
                expected, match = AttributeError, name
            with pytest.raises(expected, match=match):
                getattr(obj.delegate, name)()  # PyMongo's own behaviour
            with pytest.raises(expected, match=match):
                getattr(obj, name)()
    finally:
        await session.end_session()


async def test_client_database_collection_are_not_iterable(client, db, coll):
    for obj in (client, db, coll):
        with pytest.raises(TypeError, match="not iterable"):
            next(iter(obj))
        with pytest.raises(TypeError, match="not iterable"):
            obj.next()
