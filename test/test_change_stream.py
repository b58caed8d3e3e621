"""Change streams from client, database and collection: iteration forms, resume tokens, options."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.replset


@pytest.fixture(params=["client", "database", "collection"])
def watched(request, client, db, coll):
    return {"client": client, "database": db, "collection": coll}[request.param]


def key(change):
    return change["documentKey"]["_id"]


async def test_iteration_forms(watched, coll):
    async with watched.watch([{"$match": {"ns.coll": coll.name}}]) as stream:
        assert stream.alive
        await coll.insert_many([{"_id": i} for i in range(4)])
        assert key(await stream.next()) == 0
        got = []
        async for change in stream:
            got.append(key(change))
            if len(got) == 2:
                break
        assert got == [1, 2]
        change = await stream.try_next()
        assert key(change) == 3 and stream.resume_token == change["_id"]
        assert await stream.try_next() is None
    assert not stream.alive


async def test_resume_after_and_start_after(coll):
    async with coll.watch() as stream:
        await coll.insert_many([{"_id": 1}, {"_id": 2}])
        first = await stream.next()
    async with coll.watch(resume_after=first["_id"]) as stream:
        assert key(await stream.next()) == 2
    async with coll.watch(start_after=first["_id"]) as stream:
        assert key(await stream.next()) == 2


async def test_full_document_option(coll):
    await coll.insert_one({"_id": 1, "v": 0})
    async with coll.watch(full_document="updateLookup") as stream:
        await coll.update_one({"_id": 1}, {"$set": {"v": 1}})
        change = await stream.next()
    assert change["operationType"] == "update"
    assert change["fullDocument"] == {"_id": 1, "v": 1}


async def test_resumes_after_a_resumable_error(coll, sync_client):
    async with coll.watch() as stream:
        await coll.insert_one({"_id": 1})
        assert key(await stream.next()) == 1
        # The next getMore fails with a resumable error; PyMongo resumes transparently.
        sync_client.admin.command(
            "configureFailPoint",
            "failCommand",
            mode={"times": 1},
            data={
                "failCommands": ["getMore"],
                "errorCode": 10107,
                "errorLabels": ["ResumableChangeStreamError"],
            },
        )
        try:
            await coll.insert_one({"_id": 2})
            assert key(await stream.next()) == 2
        finally:
            sync_client.admin.command("configureFailPoint", "failCommand", mode="off")


async def test_close_ends_iteration(coll):
    stream = coll.watch()
    await stream.close()
    assert not stream.alive
    assert [c async for c in stream] == []
