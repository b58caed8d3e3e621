"""A program written for Motor 3 runs unchanged, on asyncio and on Tornado, through a step-down."""

from __future__ import annotations

import pytest

import motor
from motor import motor_gridfs
from motor.frameworks import asyncio as asyncio_framework
from motor.frameworks import tornado as tornado_framework
from motor.metaprogramming import create_class_with_framework
from test.mongod import ReplicaSet


def motor_gridfs_class(client):
    """MotorGridFSBucket for the client's framework, as a library on Motor 3 made it."""
    framework = tornado_framework if isinstance(client, motor.MotorClient) else asyncio_framework
    return create_class_with_framework(
        motor_gridfs.AgnosticGridFSBucket, framework, type(client).__module__
    )


pytestmark = pytest.mark.slow


async def motor3_program(client, step_down):
    """Everyday Motor 3 code, as its users wrote it."""
    db = client.motor3_app
    await db.items.drop()
    await db.accounts.drop()
    await db.create_collection("accounts")
    result = await db.items.insert_many([{"n": i} for i in range(10)])
    assert len(result.inserted_ids) == 10
    await db.items.update_many({"n": {"$lt": 3}}, {"$set": {"small": True}})
    assert await db.items.count_documents({"small": True}) == 3

    total = 0
    cursor = db.items.find({"n": {"$gte": 5}}).sort("n", 1)
    assert not cursor.started
    async for doc in cursor:
        total += doc["n"]
    assert total == 5 + 6 + 7 + 8 + 9 and cursor.started
    assert len(await db.items.find().to_list(length=4)) == 4

    # GridFS, with names from Motor 3's modules.
    bucket = motor_gridfs_class(client)(db, "attachments")
    file_id = await bucket.upload_from_stream("a.txt", b"attached")
    grid_out = await bucket.open_download_stream(file_id)
    assert await grid_out.read() == b"attached"
    assert len(motor.motor_gridfs._hash_gridout(grid_out)) == 64  # GridFSHandler's ETag

    async def transfer(session):
        await db.accounts.insert_one({"_id": "alice", "balance": 100}, session=session)
        await db.items.delete_one({"n": 0}, session=session)

    async with await client.start_session() as session:
        await session.with_transaction(transfer)
    assert await db.accounts.find_one({"_id": "alice"}) == {"_id": "alice", "balance": 100}

    seen = []
    async with db.items.watch() as stream:
        await db.items.insert_one({"n": 100})
        seen.append((await stream.next())["fullDocument"]["n"])
        await step_down()
        await db.items.insert_one({"n": 101})  # a retryable write, after the election
        seen.append((await stream.next())["fullDocument"]["n"])  # the stream resumed
    return seen


@pytest.fixture(scope="module")
def own_replica_set():
    """A replica set of the test's own: its elections must not disturb other tests."""
    with ReplicaSet(name="rs_stepdown") as servers:
        yield servers


async def test_motor3_program_survives_step_down(own_replica_set, framework):
    client = framework.client_class()(own_replica_set.uri)
    stepped_down = []

    async def step_down():
        old = own_replica_set.primary()
        with old.client() as direct:
            # Succeeds only once this member is no longer primary.
            direct.admin.command("replSetStepDown", 10, secondaryCatchUpPeriodSecs=5)
        stepped_down.append(old)

    try:
        assert await motor3_program(client, step_down) == [100, 101]
    finally:
        await client.close()
    assert len(stepped_down) == 1
