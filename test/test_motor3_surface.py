"""Motor 3.7.1's surface in Motor 4: its module paths and names, and its behaviour where
programs rely on it (issue 13). Each Motor 3 behaviour is checked on a real server, on
both frameworks; doc/migration.rst lists what differs and what is deliberately absent.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import types
import uuid
import warnings

import pytest
from pymongo.driver_info import DriverInfo
from pymongo.errors import DuplicateKeyError, InvalidOperation
from tornado import gen

import motor
from test.conftest import TEST_DB

_MOTOR3_CLASSES = [
    "ChangeStream",
    "Client",
    "ClientEncryption",
    "ClientSession",
    "Collection",
    "CommandCursor",
    "Cursor",
    "Database",
    "GridFSBucket",
    "GridIn",
    "GridOut",
    "GridOutCursor",
    "LatentCommandCursor",
]
_AGNOSTIC = [
    "AgnosticBase",
    "AgnosticBaseCursor",
    "AgnosticChangeStream",
    "AgnosticClient",
    "AgnosticClientEncryption",
    "AgnosticClientSession",
    "AgnosticCollection",
    "AgnosticCommandCursor",
    "AgnosticCursor",
    "AgnosticDatabase",
    "AgnosticLatentCommandCursor",
    "AgnosticRawBatchCommandCursor",
    "AgnosticRawBatchCursor",
]
_DOCSTRINGS = [
    "bulk_write_doc",
    "close_doc",
    "cmd_doc",
    "create_data_key_doc",
    "create_index_doc",
    "create_indexes_doc",
    "cursor_sort_doc",
    "delete_many_doc",
    "delete_one_doc",
    "drop_doc",
    "find_one_and_delete_doc",
    "find_one_and_replace_doc",
    "find_one_and_update_doc",
    "find_one_doc",
    "get_database_doc",
    "get_default_database_doc",
    "gridfs_delete_doc",
    "gridfs_download_to_stream_by_name_doc",
    "gridfs_download_to_stream_doc",
    "gridfs_open_download_stream_by_name_doc",
    "gridfs_open_download_stream_doc",
    "gridfs_open_upload_stream_doc",
    "gridfs_open_upload_stream_with_id_doc",
    "gridfs_rename_doc",
    "gridfs_upload_from_stream_doc",
    "gridfs_upload_from_stream_with_id_doc",
    "index_information_doc",
    "insert_many_doc",
    "insert_one_doc",
    "list_collection_names_doc",
    "replace_one_doc",
    "start_session_doc",
    "update_many_doc",
    "update_one_doc",
    "where_doc",
]

# Every public name of Motor 3.7.1's modules that Motor 4 keeps (the others, Motor 3's
# thread-pool and metaprogramming internals, are listed in doc/migration.rst).
MOTOR3_NAMES = {
    "motor": [
        *("Motor" + name for name in _MOTOR3_CLASSES),
        *("core", "docstrings", "metaprogramming", "motor_common", "motor_gridfs"),
        *("motor_tornado", "get_version_string", "version", "version_tuple"),
    ],
    "motor.core": _AGNOSTIC,
    "motor.motor_asyncio": [
        *("AsyncIOMotor" + name for name in _MOTOR3_CLASSES),
        *("core", "create_asyncio_class"),
    ],
    "motor.motor_tornado": [*("Motor" + name for name in _MOTOR3_CLASSES), "create_motor_class"],
    "motor.motor_gridfs": [
        *("AgnosticGridFSBucket", "AgnosticGridIn", "AgnosticGridOut", "AgnosticGridOutCursor"),
        *("AgnosticCollection", "AgnosticCursor", "AgnosticDatabase", "DEFAULT_CHUNK_SIZE"),
        *("_hash_gridout", "create_class_with_framework"),
    ],
    "motor.motor_common": [],
    "motor.metaprogramming": ["create_class_with_framework"],
    "motor.docstrings": _DOCSTRINGS,
    "motor.web": ["GridFSHandler", "_hash_gridout"],
    "motor.aiohttp": [
        *("AIOHTTPGridFS", "get_cache_time", "get_gridfs_file", "set_extra_headers"),
        *("AsyncIOMotorDatabase", "AsyncIOMotorGridFSBucket", "_hash_gridout"),
    ],
    "motor.frameworks.asyncio": ["CLASS_PREFIX"],
    "motor.frameworks.tornado": ["CLASS_PREFIX"],
}
COMPATIBILITY_MODULES = ["motor_common", "motor_gridfs", "metaprogramming", "docstrings"]


@pytest.mark.parametrize("module_name", list(MOTOR3_NAMES))
def test_motor3_modules_and_names_resolve(module_name):
    module = importlib.import_module(module_name)
    missing = [name for name in MOTOR3_NAMES[module_name] if not hasattr(module, name)]
    assert not missing, f"{module_name} lacks {missing}"


def test_motor3_names_are_the_motor4_objects():
    from motor import core, motor_asyncio, motor_gridfs, motor_tornado
    from motor.gridfs import AgnosticGridFSBucket
    from motor.web._http import hash_gridout

    assert motor_gridfs.AgnosticGridFSBucket is AgnosticGridFSBucket
    assert motor_gridfs._hash_gridout is motor.web._hash_gridout is hash_gridout
    assert motor.get_version_string() == motor.version
    assert issubclass(core.AgnosticCursor, core.AgnosticBaseCursor)
    for module, make in (
        (motor_tornado, motor_tornado.create_motor_class),
        (motor_asyncio, motor_asyncio.create_asyncio_class),
    ):
        prefix = "Motor" if module is motor_tornado else "AsyncIOMotor"
        assert make(core.AgnosticCollection) is getattr(module, prefix + "Collection")
    # Each docstring is the one of the Motor 4 method it documented in Motor 3.
    assert motor.docstrings.insert_one_doc == motor.MotorCollection.insert_one.__doc__
    assert all(isinstance(getattr(motor.docstrings, name), str) for name in _DOCSTRINGS)


@pytest.mark.parametrize("name", COMPATIBILITY_MODULES)
def test_compatibility_modules_only_reexport(name):
    module = getattr(motor, name)  # importable as an attribute of motor, as with Motor 3
    assert module is importlib.import_module(f"motor.{name}")
    assert "ompatibility" in module.__doc__
    defined_here = [
        attr
        for attr, value in vars(module).items()
        if (inspect.isclass(value) or callable(value))
        and getattr(value, "__module__", None) == module.__name__
    ]
    assert not defined_here, f"{module.__name__} defines {defined_here}"
    assert name in dir(motor)


# -- cursors, wrap(), GridFS --------------------------------------------------------------


async def test_cursor_started_and_closed(coll):
    await coll.insert_many([{"_id": i} for i in range(5)])
    cursor = coll.find().batch_size(2)
    assert cursor.started is False and cursor.closed is False
    assert await cursor.fetch_next and cursor.started is True
    cursor.rewind()
    assert cursor.started is False
    await cursor.to_list(None)
    assert cursor.started is True
    latent = coll.aggregate([])
    assert latent.started is False
    assert len([doc async for doc in latent]) == 5 and latent.started is True
    assert latent.closed is False
    await latent.close()
    await cursor.close()
    assert latent.closed is True and cursor.closed is True


async def test_wrap(client, db, coll, motor_class):
    await coll.insert_one({"_id": 1})
    bucket = motor_class("GridFSBucket")(db)
    wrapped = [
        (client, client.delegate.get_database(db.name), "Database"),
        (client, client.delegate.start_session(), "ClientSession"),
        (db, db.delegate.get_collection(coll.name), "Collection"),
        (db, db.delegate.list_collections(), "CommandCursor"),
        (coll, coll.delegate.find(), "Cursor"),
        (bucket, bucket.delegate.open_upload_stream("f"), "GridIn"),
        (bucket, bucket.delegate.find(), "GridOutCursor"),
    ]
    for owner, pymongo_object, short_name in wrapped:
        motor_object = owner.wrap(pymongo_object)
        assert isinstance(motor_object, motor_class(short_name)), short_name
        assert motor_object.delegate is pymongo_object
    assert await owner.wrap(coll.delegate.find()).to_list(None) == [{"_id": 1}]
    await client.wrap(client.delegate.start_session()).end_session()
    plain = {"not": "a PyMongo object"}
    assert all(owner.wrap(plain) is plain for owner in (client, db, coll, bucket))


async def test_bucket_collection_alias(db, motor_class, sync_client):
    with pytest.warns(DeprecationWarning, match="bucket_name"):
        bucket = motor_class("GridFSBucket")(db, collection="motor3_alias")
    assert bucket.bucket_name == "motor3_alias"
    assert isinstance(bucket.collection, motor_class("Collection"))
    assert bucket.collection.name == "motor3_alias"
    file_id = await bucket.upload_from_stream("a.txt", b"data")
    assert sync_client[TEST_DB]["motor3_alias.files"].find_one({"_id": file_id}) is not None
    assert motor_class("GridFSBucket")(db).collection.name == "fs"
    await bucket.drop()


async def test_grid_in_read_only_attributes(db, motor_class):
    bucket = motor_class("GridFSBucket")(db, "motor3_read_only")
    grid_in = bucket.open_upload_stream("before.txt")
    for name in ("_id", "chunk_size", "closed", "length"):
        with pytest.raises(AttributeError):
            setattr(grid_in, name, "x")
    grid_in.filename = "renamed.txt"  # settable until closed, as PyMongo's GridIn
    await grid_in.write(b"data")
    await grid_in.close()
    for name in ("filename", "content_type", "color"):
        with pytest.raises(AttributeError, match="set"):
            setattr(grid_in, name, "late")
        with pytest.raises(InvalidOperation):  # what Motor 4 raised before: still caught
            setattr(grid_in, name, "late")
    assert (await bucket.open_download_stream(grid_in._id)).filename == "renamed.txt"
    await bucket.drop()


async def test_hash_gridout_is_motor3s_etag(db, motor_class):
    bucket = motor_class("GridFSBucket")(db, "motor3_etag")
    file_id = await bucket.upload_from_stream("a.txt", b"some data")
    grid_out = await bucket.open_download_stream(file_id)
    text = f"{file_id}{len(b'some data')}{grid_out.upload_date}"
    expected = hashlib.sha256(text.encode()).hexdigest()
    assert motor.motor_gridfs._hash_gridout(grid_out) == expected
    assert motor.motor_gridfs._hash_gridout(grid_out.delegate) == expected  # PyMongo's too
    await bucket.drop()


async def test_client_encryption_surface(client, db, coll, motor_class, io_loop):
    pytest.importorskip("pymongocrypt")
    from bson.binary import UuidRepresentation
    from bson.codec_options import CodecOptions

    key_vault = db[coll.name + "_keys"]
    options = CodecOptions(uuid_representation=UuidRepresentation.STANDARD)
    encryption = motor_class("ClientEncryption")(
        {"local": {"key": b"k" * 96}}, key_vault.full_name, client, options
    )
    try:
        assert encryption.io_loop is client.io_loop is io_loop
        with pytest.raises(RuntimeError, match="async with"):
            with encryption:
                pass
        key_id = await encryption.create_data_key("local")
        cursor = await encryption.get_keys()  # Motor 3: a coroutine resolving to a cursor
        assert isinstance(cursor, motor_class("Cursor"))
        assert [key["_id"] async for key in cursor] == [key_id]
        assert [key["_id"] async for key in encryption.get_keys()] == [key_id]
    finally:
        await encryption.close()
        await key_vault.drop()


# -- misuse fails as in Motor 3 -----------------------------------------------------------


async def test_with_instead_of_async_with(client, coll):
    with pytest.raises(RuntimeError, match="async with"):
        with coll.watch():
            pass
    session = await client.start_session()
    try:
        with pytest.raises(AttributeError, match="async with await"):
            with session:
                pass
    finally:
        await session.end_session()


async def test_calling_a_missing_method(client, db, coll):
    calls = [
        (lambda: client.list_dbs(), "'list_dbs'"),  # a database named "list_dbs"
        (lambda: db.list_colls(), "'list_colls'"),  # a collection
        (lambda: coll.fnd_one({}), "'fnd_one'"),  # a sub-collection
        (lambda: client(), "MotorClient"),
    ]
    for call, names in calls:
        with pytest.raises(TypeError, match="no such method exists") as info:
            call()
        assert names in str(info.value)


async def test_collection_needs_a_motor_database_of_its_framework(db, motor_class):
    assert motor_class("Collection")(db, "c").name == "c"
    for wrong in (db.delegate, "motor_test"):
        with pytest.raises(TypeError, match="must be .*MotorDatabase"):
            motor_class("Collection")(wrong, "c")


async def test_database_and_collection_refuse_truth_testing(client, db, coll):
    assert bool(client) is True
    for obj in (db, coll):
        with pytest.raises(NotImplementedError, match="is not None"):
            bool(obj)


async def test_gridfs_objects_have_io_loop(db, motor_class, io_loop):
    bucket = motor_class("GridFSBucket")(db, "motor3_io_loop")
    grid_in = bucket.open_upload_stream("a.txt")
    await grid_in.close()
    grid_out = await bucket.open_download_stream(grid_in._id)
    assert bucket.io_loop is grid_in.io_loop is grid_out.io_loop is io_loop
    await bucket.drop()


async def test_aiohttp_handler_misrouted(db):
    """As Motor 3's: 405 for other methods than GET and HEAD, 500 without {filename}."""
    import aiohttp
    from aiohttp import web

    import motor.aiohttp

    app = web.Application()
    app.router.add_route("*", "/any/{filename}", motor.aiohttp.AIOHTTPGridFS(db))
    app.router.add_get("/wrong/{name}", motor.aiohttp.AIOHTTPGridFS(db))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{base}/any/a.txt") as response:
                assert response.status == 405
                assert response.headers["Allow"] == "GET,HEAD"
            async with session.get(f"{base}/wrong/a.txt") as response:
                assert response.status == 500
                assert "{filename}" in await response.text()
    finally:
        await runner.cleanup()


# -- the handshake ------------------------------------------------------------------------


async def test_handshake_metadata_is_motor3s(deployment, framework, sync_client):
    """What the server records of each connection's handshake (in $currentOp)."""
    import tornado

    platform = f"Tornado {tornado.version}" if framework.name == "tornado" else "asyncio"
    for driver, suffix in [
        (None, ("|Motor", f"|{motor.version}", f"|{platform}")),
        (DriverInfo("Foo", "1.0", "FooOS"), ("|Motor|Foo", f"|{motor.version}|1.0", "|FooOS")),
        (DriverInfo("Bar"), ("|Motor|Bar", f"|{motor.version}|", f"|{platform}")),
    ]:
        app_name = f"motor-handshake-{uuid.uuid4().hex[:8]}"
        client = framework.client_class()(deployment.uri, appname=app_name, driver=driver)
        try:
            await client.admin.command("ping")
            connections = list(
                sync_client.admin.aggregate(
                    [
                        {"$currentOp": {"allUsers": True, "idleConnections": True}},
                        {"$match": {"appName": app_name}},
                    ]
                )
            )
        finally:
            await client.close()
        assert connections  # the operation's and the monitors' connections
        for connection in connections:
            metadata = connection["clientMetadata"]
            name, version = metadata["driver"]["name"], metadata["driver"]["version"]
            assert (name.endswith(suffix[0]), version.endswith(suffix[1])) == (True, True)
            assert f"|{platform}" in metadata["platform"]
            assert metadata["platform"].endswith(suffix[2])


# -- motor.Op -----------------------------------------------------------------------------


async def test_motor_op(coll):
    with pytest.warns(DeprecationWarning, match="await") as caught:
        result = await motor.Op(coll.insert_one, {"_id": 1})
    assert result.inserted_id == 1
    assert caught[0].filename == __file__  # points at the caller

    @gen.coroutine
    def legacy_handler():
        # The original Motor API, in a Tornado coroutine.
        document = yield motor.Op(coll.find_one, {"_id": 1})
        documents = yield motor.Op(coll.find().to_list, 10)
        try:
            yield motor.Op(coll.insert_one, {"_id": 1})
        except DuplicateKeyError:
            raise gen.Return((document, documents, "duplicate")) from None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert await legacy_handler() == ({"_id": 1}, [{"_id": 1}], "duplicate")
        with pytest.raises(DuplicateKeyError):
            await motor.Op(coll.insert_one, {"_id": 1})
        with pytest.raises(TypeError):
            motor.Op(coll.find)  # no callback= parameter: fails at once


def test_op_module_is_public():
    assert isinstance(motor.Op, types.FunctionType) and "Op" in motor.__all__


# -- documented in the reference: cursor indexing -------------------------------------------


async def test_cursor_indexing(coll):
    await coll.insert_many([{"_id": i} for i in range(10)])
    cursor = coll.find().sort("_id")
    assert await cursor[3] == {"_id": 3}
    assert await coll.find().sort("_id").skip(2)[3] == {"_id": 5}  # after the skip
    with pytest.raises(IndexError):
        await cursor[10]
    with pytest.raises(IndexError):
        await cursor[-1]
    sliced = coll.find().sort("_id").skip(1)[4:7]
    assert [doc["_id"] async for doc in sliced] == [4, 5, 6]  # replaces the skip
    with pytest.raises(InvalidOperation):
        sliced[0:1]
    with pytest.raises(InvalidOperation):
        await sliced[0]
