"""Sessions and transactions: start_session, start_transaction, with_transaction, causal consistency."""

from __future__ import annotations

import asyncio

import pytest
from pymongo.errors import OperationFailure, PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from test.test_api_surface import requires_pymongo


async def test_session_forms_and_state(client, motor_class):
    session = client.start_session()
    assert isinstance(session, motor_class("ClientSession"))
    assert await session is session  # Motor 3 code awaits start_session()
    assert session.client is client and not session.has_ended
    assert "id" in session.session_id
    await session.end_session()
    assert session.has_ended
    async with client.start_session(causal_consistency=True) as session:
        assert session.options.causal_consistency
    assert session.has_ended


@requires_pymongo("ClientSession", "bind")
async def test_session_is_passed_through(client, coll):
    async with client.start_session() as session:
        await coll.insert_one({"_id": 1}, session=session)
        cursor = coll.find({}, session=session)
        assert cursor.session is session
        assert [d async for d in cursor] == [{"_id": 1}]
        with session.bind():  # the bound session rides in contextvars into the greenlet
            assert await coll.find_one({"_id": 1}) == {"_id": 1}


@pytest.mark.replset
async def test_transaction_commits_and_aborts(client, coll):
    await coll.insert_one({"_id": 0})
    async with client.start_session() as session:
        async with session.start_transaction():
            await coll.insert_one({"_id": 1}, session=session)
            assert session.in_transaction
            assert await coll.count_documents({}, session=session) == 2
            assert await coll.count_documents({}) == 1  # not visible outside yet
        assert await coll.count_documents({}) == 2
        assert session.operation_time is not None and session.cluster_time is not None

        with pytest.raises(ZeroDivisionError):
            async with session.start_transaction():
                await coll.insert_one({"_id": 2}, session=session)
                1 / 0
        assert await coll.find_one({"_id": 2}) is None

        session.start_transaction(write_concern=WriteConcern("majority"))
        await coll.insert_one({"_id": 3}, session=session)
        await session.abort_transaction()
        assert await coll.find_one({"_id": 3}) is None


@pytest.mark.replset
async def test_with_transaction(client, coll):
    await coll.insert_one({"_id": 0})
    calls = []

    async def work(session):
        calls.append(session)
        await coll.insert_one({"_id": len(calls)}, session=session)
        return "result"

    async with client.start_session() as session:
        assert (
            await session.with_transaction(work, read_concern=ReadConcern("snapshot")) == "result"
        )
        assert calls == [session]
        assert await coll.count_documents({}) == 2
        done = asyncio.get_running_loop().create_future()
        assert session.with_transaction(work, callback=lambda r, e: done.set_result((r, e))) is None
        assert await done == ("result", None)

        async def fails(session):
            await coll.insert_one({"_id": 99}, session=session)
            raise OperationFailure("not transient", code=2)

        with pytest.raises(OperationFailure):
            await session.with_transaction(fails)
        assert not session.in_transaction
        assert await coll.find_one({"_id": 99}) is None


@pytest.mark.replset
async def test_with_transaction_retries_transient_errors(client, coll, sync_client):
    # The server fails the first commit with a TransientTransactionError label.
    sync_client.admin.command(
        "configureFailPoint",
        "failCommand",
        mode={"times": 1},
        data={
            "failCommands": ["commitTransaction"],
            "errorCode": 112,
            "errorLabels": ["TransientTransactionError"],
        },
    )
    calls = 0

    async def work(session):
        nonlocal calls
        calls += 1
        await coll.insert_one({"n": calls}, session=session)

    try:
        async with client.start_session() as session:
            await session.with_transaction(work)
    finally:
        sync_client.admin.command("configureFailPoint", "failCommand", mode="off")
    assert calls == 2
    assert [d["n"] async for d in coll.find({}, {"_id": 0})] == [2]


async def test_with_transaction_needs_a_callable(client):
    async with client.start_session() as session:
        with pytest.raises(TypeError):
            session.with_transaction("not callable")


async def test_ended_session_is_refused(client, coll):
    session = client.start_session()
    await session.end_session()
    with pytest.raises(PyMongoError):
        await coll.insert_one({}, session=session)
