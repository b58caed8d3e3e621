"""MotorCursor and the command cursors: fetch_next/next_object, async for, to_list, each."""

from __future__ import annotations

import asyncio

import pytest
from pymongo import CursorType
from pymongo.errors import OperationFailure
from tornado import gen

N = 25  # documents; batch sizes below make cursors span several getMores


@pytest.fixture
def filled(coll, sync_client):
    sync_client[coll.database.name][coll.name].insert_many([{"_id": i} for i in range(N)])
    return coll


def ids(docs):
    return [d["_id"] for d in docs]


async def collect(cursor, style):
    """Iterate ``cursor`` to the end in one of Motor's iteration idioms."""
    if style == "fetch_next":

        @gen.coroutine
        def legacy():
            docs = []
            while (yield cursor.fetch_next):
                docs.append(cursor.next_object())
            return docs

        return await legacy()
    if style == "async_for":
        return [doc async for doc in cursor]
    if style == "next":
        docs = []
        while True:
            try:
                docs.append(await cursor.next())
            except StopAsyncIteration:
                return docs
    if style == "each":
        done = asyncio.get_running_loop().create_future()
        docs = []

        def callback(doc, error):
            if error is not None:
                done.set_exception(error)
            elif doc is None:
                done.set_result(docs)
            else:
                docs.append(doc)

        assert cursor.each(callback) is None
        return await done
    assert style == "to_list", style
    return await cursor.to_list(None)


ITERATION = ("fetch_next", "async_for", "next", "each", "to_list")


@pytest.mark.parametrize("style", ITERATION)
async def test_find_iterates_across_batches(filled, style):
    cursor = filled.find().sort("_id").batch_size(4)
    assert ids(await collect(cursor, style)) == list(range(N))
    assert not cursor.alive


@pytest.mark.parametrize("style", ITERATION)
async def test_empty_result(coll, style):
    assert await collect(coll.find({"nothing": "matches"}), style) == []


@pytest.mark.parametrize("style", ITERATION)
async def test_aggregate_iterates(filled, style):
    cursor = filled.aggregate([{"$match": {"_id": {"$lt": 10}}}, {"$sort": {"_id": 1}}]).batch_size(
        3
    )
    assert ids(await collect(cursor, style)) == list(range(10))


async def test_fetch_next_uses_the_local_batch(filled, client):
    cursor = filled.find().sort("_id").batch_size(10)
    assert await cursor.fetch_next
    assert cursor.cursor_id  # server cursor open: more batches to come
    for expected in range(10):
        fetched = cursor.fetch_next
        assert fetched.done(), "a buffered document must not need the server"
        assert await fetched
        assert cursor.next_object()["_id"] == expected
    assert cursor.next_object() is None  # batch used up; next_object never does I/O
    assert await cursor.fetch_next
    assert cursor.next_object()["_id"] == 10


async def test_fetch_next_false_when_nothing_matched(coll):
    cursor = coll.find({"_id": "missing"})
    assert await cursor.fetch_next is False
    assert cursor.next_object() is None
    assert await cursor.fetch_next is False


@pytest.mark.parametrize(
    ("length", "expected"), [(None, N), (0, 0), (1, 1), (7, 7), (N, N), (N + 5, N)]
)
async def test_to_list_lengths(filled, length, expected):
    cursor = filled.find().sort("_id").batch_size(4)
    docs = await cursor.to_list(length)
    assert ids(docs) == list(range(expected))


async def test_to_list_continues_where_it_stopped(filled):
    cursor = filled.find().sort("_id").batch_size(4)
    first = await cursor.to_list(10)
    rest = await cursor.to_list(None)
    assert ids(first + rest) == list(range(N))
    assert await cursor.to_list(5) == []


@pytest.mark.parametrize(
    ("length", "error"), [("3", TypeError), (2.5, TypeError), (True, TypeError), (-1, ValueError)]
)
def test_to_list_bad_length(coll, length, error):
    with pytest.raises(error) as info:
        coll.find().to_list(length)
    if error is TypeError:
        assert type(length).__name__ in str(info.value)


async def test_to_list_tailable_returns_what_is_available(client, db):
    # Like PyMongo's: the documents there now, then [] while none are new; the cursor
    # stays open and a later call returns the documents inserted since.
    await db.drop_collection("capped_tail")
    capped = await db.create_collection("capped_tail", capped=True, size=4096)
    await capped.insert_many([{"i": 0}, {"i": 1}])
    cursor = capped.find(cursor_type=CursorType.TAILABLE)
    assert [d["i"] for d in await cursor.to_list(None)] == [0, 1]
    assert await cursor.to_list(None) == []
    assert cursor.alive
    await capped.insert_one({"i": 2})
    assert [d["i"] for d in await cursor.to_list(None)] == [2]
    await cursor.close()
    await db.drop_collection("capped_tail")


async def test_each_stops_when_callback_returns_false(filled):
    cursor = filled.find().sort("_id").batch_size(4)
    seen = []
    stopped = asyncio.get_running_loop().create_future()

    def callback(doc, error):
        seen.append(doc["_id"])
        if len(seen) == 3:
            asyncio.get_running_loop().call_soon(stopped.set_result, None)
            return False
        return None

    cursor.each(callback)
    await stopped
    assert seen == [0, 1, 2]


async def test_each_delivers_errors(coll):
    done = asyncio.get_running_loop().create_future()
    coll.find({"$bogus": 1}).each(lambda doc, error: done.set_result((doc, error)))
    doc, error = await done
    assert doc is None and isinstance(error, OperationFailure)


async def test_chaining_modifiers(filled):
    cursor = filled.find({}, {"_id": 1})
    chained = (
        cursor.sort("_id", -1)
        .skip(2)
        .limit(5)
        .batch_size(2)
        .max_time_ms(10000)
        .comment("motor")
        .hint([("_id", 1)])
        .collation({"locale": "en"})
        .allow_disk_use(True)
    )
    assert chained is cursor
    assert ids(await cursor.to_list(None)) == [22, 21, 20, 19, 18]


async def test_close_rewind_clone(filled):
    cursor = filled.find().sort("_id").batch_size(2)
    assert (await cursor.next())["_id"] == 0
    assert cursor.cursor_id and cursor.alive
    clone = cursor.clone()
    assert cursor.rewind() is cursor
    assert ids(await cursor.to_list(3)) == [0, 1, 2]
    assert ids(await clone.to_list(None)) == list(range(N))
    await cursor.close()
    # As in PyMongo, a closed cursor still yields what it had buffered, then stops.
    assert ids(await cursor.to_list(None)) == [3]
    assert not cursor.alive


async def test_cursor_distinct_explain_and_properties(filled):
    cursor = filled.find({"_id": {"$lt": 5}})
    assert sorted(await cursor.distinct("_id")) == [0, 1, 2, 3, 4]
    plan = await filled.find({"_id": 3}).explain()
    assert "queryPlanner" in plan
    assert cursor.collection is filled
    assert cursor.cursor_id is None and cursor.alive
    assert cursor.address is None


async def test_slice_applies_skip_and_limit(filled):
    cursor = filled.find().sort("_id")[3:6]
    assert ids(await cursor.to_list(None)) == [3, 4, 5]
    assert (await filled.find().sort("_id")[4])["_id"] == 4


async def test_latent_command_cursor_defers_the_command(coll):
    cursor = coll.aggregate([{"$bogus": {}}])  # nothing sent yet: no error
    assert cursor.alive and cursor.cursor_id is None
    with pytest.raises(OperationFailure):
        await cursor.to_list(None)


async def test_command_cursor_from_list_collections(db, coll):
    await coll.insert_one({})
    cursor = await db.list_collections(filter={"name": coll.name})
    assert [c["name"] async for c in cursor] == [coll.name]
    assert not cursor.alive
