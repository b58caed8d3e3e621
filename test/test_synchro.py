"""Synchro, the synchronous facade over Motor that runs PyMongo's own test suite.

A handful of direct checks; the real exercise is ``python -m synchro.runner``.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import threading
import types

import pymongo
import pytest
from pymongo.errors import OperationFailure

import motor.motor_asyncio
import synchro
from motor.core.declare import io_methods
from synchro import redirect
from test.reliability import IgnoringListener


@pytest.fixture
def sync_motor(deployment):
    """A Synchro client; the main thread's event loop is put back afterwards."""
    policy = asyncio.get_event_loop_policy()
    previous = policy._local._loop  # noqa: SLF001 - restore exactly what was there
    client = synchro.MongoClient(deployment.uri)
    yield client
    client.close()
    asyncio.set_event_loop(previous)


@pytest.fixture
def scoll(sync_motor, request):
    coll = sync_motor.motor_test[f"synchro_{request.node.name}"[:60]]
    coll.drop()
    return coll


def test_methods_generated_from_motor_declarations():
    pairs = {
        synchro.MongoClient: motor.motor_asyncio.AsyncIOMotorClient,
        synchro.Database: motor.motor_asyncio.AsyncIOMotorDatabase,
        synchro.Collection: motor.motor_asyncio.AsyncIOMotorCollection,
        synchro.Cursor: motor.motor_asyncio.AsyncIOMotorCursor,
        synchro.ClientSession: motor.motor_asyncio.AsyncIOMotorClientSession,
        synchro.GridFSBucket: motor.motor_asyncio.AsyncIOMotorGridFSBucket,
    }
    for synchro_class, motor_class in pairs.items():
        for name in io_methods(motor_class):
            method = getattr(synchro_class, name)
            assert method.__synchro_kind__ == "I/O", (synchro_class, name)


def test_crud_cursor_and_identity(sync_motor, scoll):
    scoll.insert_many([{"_id": i} for i in range(10)])
    assert scoll.database.client is sync_motor
    assert isinstance(scoll.find(), synchro.Cursor)
    assert [d["_id"] for d in scoll.find().sort("_id", -1).limit(3)] == [9, 8, 7]
    assert scoll.find().sort("_id")[4] == {"_id": 4}
    assert [d["_id"] for d in scoll.find().sort("_id")[2:4]] == [2, 3]
    cursor = scoll.find().sort("_id")
    assert next(cursor) == {"_id": 0}
    clone = cursor.clone()
    assert next(clone) == {"_id": 0}
    with scoll.find(batch_size=2) as cursor:
        assert len(cursor.to_list()) == 10
    assert not cursor.alive
    with pytest.raises(TypeError, match="'Collection' object is not iterable"):
        next(scoll)
    with pytest.raises(OperationFailure):
        scoll.aggregate([{"$bogus": 1}])  # sent at the call, as PyMongo does


def test_session_identity_and_with_transaction(sync_motor, scoll, deployment):
    if not deployment.is_replica_set:
        pytest.skip("transactions need a replica set")
    scoll.insert_one({"_id": "x"})
    with sync_motor.start_session() as session:
        calls = []

        def callback(s):
            assert s is session
            calls.append(1)
            scoll.insert_one({"n": len(calls)}, session=s)
            # A cursor inside the callback: several waits on the running loop.
            return [d for d in scoll.find({}, session=s, batch_size=1)]

        docs = session.with_transaction(callback)
        assert len(docs) == 2 and calls == [1]
        assert scoll.find({}, session=session).session is session

        def failing(s):
            scoll.insert_one({"n": "lost"}, session=s)
            raise ValueError("boom")

        with pytest.raises(ValueError, match="boom"):
            session.with_transaction(failing)
    assert scoll.count_documents({"n": "lost"}) == 0
    assert scoll.count_documents({}) == 2


def test_threads_each_use_their_own_loop(sync_motor, scoll):
    errors = []

    def work(i):
        try:
            for j in range(10):
                scoll.insert_one({"t": i, "j": j})
                assert scoll.find_one({"t": i, "j": j})["j"] == j
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert scoll.count_documents({}) == 40


def test_gridfs(sync_motor):
    db = sync_motor.motor_test
    fs = synchro.GridFS(db, "synchro_fs")
    file_id = fs.put(b"line one\nline two\n", filename="f.txt")
    grid_out = fs.get(file_id)
    assert grid_out.filename == "f.txt"
    assert list(grid_out) == [b"line one\n", b"line two\n"]  # lines, like PyMongo's GridOut
    bucket = synchro.GridFSBucket(db, "synchro_bucket")
    bucket_id = bucket.upload_from_stream("b", io.BytesIO(b"x" * 300000))
    destination = io.BytesIO()
    bucket.download_to_stream(bucket_id, destination)
    assert destination.getvalue() == b"x" * 300000
    assert [f.filename for f in bucket.find({"_id": bucket_id})] == ["b"]
    fs.delete(file_id)
    bucket.drop()


def test_redirect_only_affects_the_test_package():
    redirector = redirect.Redirector(lambda name: name == "fake_pymongo_test")
    redirector.install()
    try:
        module = types.ModuleType("fake_pymongo_test")
        exec(
            "import pymongo\n"
            "from pymongo.synchronous.collection import Collection\n"
            "import gridfs\n",
            module.__dict__,
        )
    finally:
        redirector.uninstall()
    assert module.pymongo.MongoClient is synchro.MongoClient
    assert module.pymongo.synchronous.mongo_client.MongoClient is synchro.MongoClient
    assert module.Collection is synchro.Collection
    assert module.gridfs.GridFS is synchro.GridFS
    assert module.pymongo.errors.OperationFailure is pymongo.errors.OperationFailure
    assert sys.modules["pymongo"] is pymongo
    assert pymongo.MongoClient is not synchro.MongoClient


def test_client_encryption(sync_motor):
    pytest.importorskip("pymongocrypt")
    from bson.binary import STANDARD
    from bson.codec_options import CodecOptions
    from pymongo.encryption import Algorithm

    sync_motor.motor_test.drop_collection("synchro_keys")
    kms = {"local": {"key": os.urandom(96)}}
    options = CodecOptions(uuid_representation=STANDARD)
    with synchro.ClientEncryption(
        kms, "motor_test.synchro_keys", sync_motor, options
    ) as encryption:
        key_id = encryption.create_data_key("local", key_alt_names=["synchro"])
        encrypted = encryption.encrypt(
            "secret", Algorithm.AEAD_AES_256_CBC_HMAC_SHA_512_Deterministic, key_id=key_id
        )
        assert encryption.decrypt(encrypted) == "secret"
        assert encryption.get_key_by_alt_name("synchro")["_id"] == key_id
        keys = encryption.get_keys()
        assert isinstance(keys, synchro.Cursor)
        assert [k["_id"] for k in keys] == [key_id]


def test_synchro_call_from_an_event_listener(sync_motor, scoll, deployment):
    # PyMongo calls event listeners synchronously in the middle of an operation, that is,
    # inside the operation's bridge greenlet; a Synchro call made there runs inline (as
    # PyMongo's tests do when a listener configures a fail point).
    seen = []

    class Listener(IgnoringListener):
        def started(self, event):
            if event.command_name == "insert":
                seen.append(scoll.count_documents({}))

    scoll.insert_one({"_id": 0})
    client = synchro.MongoClient(deployment.uri, event_listeners=[Listener()])
    try:
        client.motor_test[scoll.name].insert_one({"_id": 1})
    finally:
        client.close()
    assert seen == [1]
    assert scoll.count_documents({}) == 2
