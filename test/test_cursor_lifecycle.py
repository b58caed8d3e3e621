"""A cursor's life: never iterated synchronously, never silently cut short by a
cancellation, paused (not killed) by ``each``, and an exhaust cursor's connection
never handed out again after the cursor is abandoned mid-stream."""

from __future__ import annotations

import asyncio
import contextlib
import gc

import pytest
from pymongo import CursorType, monitoring
from pymongo.errors import InvalidOperation

from test.reliability import IgnoringListener, wait_until
from test.test_cursor import collect, ids

N = 20


@pytest.fixture
def filled(coll, sync_client):
    sync_client[coll.database.name][coll.name].insert_many([{"_id": i} for i in range(N)])
    return coll


# -- no synchronous iteration ---------------------------------------------------------------


async def _command_cursor(coll, motor_class):
    return await coll.database.list_collections()


CURSOR_KINDS = {
    "find": lambda coll, motor_class: coll.find(),
    "find_raw_batches": lambda coll, motor_class: coll.find_raw_batches(),
    "aggregate": lambda coll, motor_class: coll.aggregate([]),
    "aggregate_raw_batches": lambda coll, motor_class: coll.aggregate_raw_batches([]),
    "command_cursor": _command_cursor,
    "gridfs_find": lambda coll, motor_class: motor_class("GridFSBucket")(coll.database).find(),
    "change_stream": lambda coll, motor_class: coll.watch(),  # nothing sent until used
}


@pytest.mark.parametrize("kind", CURSOR_KINDS)
async def test_synchronous_iteration_is_refused(coll, motor_class, kind):
    cursor = CURSOR_KINDS[kind](coll, motor_class)
    if asyncio.iscoroutine(cursor):
        cursor = await cursor
    # iter() first: if it succeeded, list() or a for loop would call cursor[0],
    # cursor[1], ... forever.
    with pytest.raises(TypeError, match="not iterable.*async for"):
        iter(cursor)
    with pytest.raises(TypeError, match="async for"):
        list(cursor)
    with pytest.raises(TypeError, match="async for"):
        for _ in cursor:
            pass
    with pytest.raises(TypeError, match="async for"):
        _ = {} in cursor


# -- a cancelled fetch is not the end of the results -----------------------------------------


class CommandStarted(IgnoringListener):
    """Sets ``event`` when the named command is sent (listeners run on the loop's thread)."""

    def __init__(self, name):
        self.name = name
        self.sent = asyncio.Event()

    def started(self, event):
        if event.command_name == self.name:
            self.sent.set()


@contextlib.contextmanager
def reply_held_back(sync_client, command, listener):
    """The server holds the next ``command`` for a second before it runs it (once).

    Turned off after the block only if the command never came: changing a fail point
    waits for the commands it holds (so the next test's may wait up to that second).
    """
    block = {"failCommands": [command], "blockConnection": True, "blockTimeMS": 1000}
    sync_client.admin.command("configureFailPoint", "failCommand", mode={"times": 1}, data=block)
    try:
        yield
    finally:
        if not listener.sent.is_set():
            sync_client.admin.command("configureFailPoint", "failCommand", mode="off")


CANCELLED_WHILE = {
    "fetch_next": lambda cursor: cursor.fetch_next,
    "next": lambda cursor: cursor.next(),
    "async_for": lambda cursor: cursor.__anext__(),
    "to_list": lambda cursor: cursor.to_list(None),
}


@pytest.fixture
def make_client(deployment, framework, io_loop):
    """``make_client(**options)``: a Motor client for this test, closed after it."""
    clients = []

    def make(**options):
        clients.append(framework.client_class()(deployment.uri, **options))
        return clients[-1]

    async def close_all():
        for client in clients:
            await client.close()

    yield make
    framework.run(io_loop, close_all)


@pytest.mark.parametrize("kind", ["find", "aggregate"])
@pytest.mark.parametrize("stage", ["first_batch", "get_more"])
@pytest.mark.parametrize("cancelled", CANCELLED_WHILE)
async def test_cancelled_fetch_is_not_the_end(
    make_client, filled, sync_client, kind, stage, cancelled
):
    command = {"first_batch": kind, "get_more": "getMore"}[stage]
    listener = CommandStarted(command)
    coll = make_client(event_listeners=[listener])[filled.database.name][filled.name]
    if kind == "find":
        cursor = coll.find().sort("_id").batch_size(2)
    else:
        cursor = coll.aggregate([{"$sort": {"_id": 1}}]).batch_size(2)
    if stage == "get_more":
        assert ids([await cursor.next(), await cursor.next()]) == [0, 1]  # the first batch

    async def wait_for_documents():
        return await CANCELLED_WHILE[cancelled](cursor)

    # The reply is held back, so the task is cancelled while it waits for it; the caller
    # sees CancelledError, on a command cursor as on a find cursor.
    with reply_held_back(sync_client, command, listener):
        task = asyncio.ensure_future(wait_for_documents())
        await listener.sent.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    # The documents of that batch may be gone: going on must say so, not end early.
    for style in ("fetch_next", "async_for", "next", "each", "to_list"):
        with pytest.raises(InvalidOperation, match="cancelled"):
            await collect(cursor, style)
    assert not cursor.alive
    if kind == "find":
        # rewind() starts over, as the message suggests.
        assert ids(await cursor.rewind().to_list(None)) == list(range(N))


@pytest.mark.replset
async def test_cancelled_change_stream_wait_is_not_the_end(make_client, coll):
    listener = CommandStarted("getMore")
    stream = make_client(event_listeners=[listener])[coll.database.name][coll.name].watch(
        max_await_time_ms=30000
    )
    task = asyncio.ensure_future(stream.next())
    await listener.sent.wait()  # the server holds the getMore until a change (or 30 s)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await coll.insert_one({"_id": "missed?"})
    with pytest.raises(InvalidOperation, match="cancelled"):
        await stream.next()
    with pytest.raises(InvalidOperation, match="cancelled"):
        await stream.try_next()
    with pytest.raises(InvalidOperation, match="cancelled"):
        async for _ in stream:
            pass
    assert not stream.alive


# -- each() paused by its callback -----------------------------------------------------------


async def test_each_paused_by_false_goes_on_with_the_next_call(filled):
    cursor = filled.find().sort("_id").batch_size(4)
    seen = []
    paused = asyncio.get_running_loop().create_future()

    def until_pause(doc, error):
        assert error is None and doc is not None
        seen.append(doc["_id"])
        if len(seen) == 6:  # mid-batch, with a getMore behind it
            asyncio.get_running_loop().call_soon(paused.set_result, None)
            return False
        return None

    cursor.each(until_pause)
    await paused
    assert cursor.alive and cursor.cursor_id
    # The rest arrives through a second each(): nothing lost, nothing repeated.
    rest = await collect(cursor, "each")
    assert seen + ids(rest) == list(range(N))
    assert not cursor.alive


# -- exhaust cursors abandoned mid-stream ----------------------------------------------------


class PoolEvents(monitoring.ConnectionPoolListener):
    def __init__(self):
        self.checked_out = []
        self.closed = []

    def connection_checked_out(self, event):
        self.checked_out.append(event.connection_id)

    def connection_closed(self, event):
        self.closed.append(event.connection_id)


for _name in dir(monitoring.ConnectionPoolListener):
    if _name.startswith(("connection_", "pool_")) and _name not in vars(PoolEvents):
        setattr(PoolEvents, _name, lambda self, event: None)  # every other pool event


@pytest.mark.parametrize(
    "how",
    [
        "close",
        "drop",
    ],
)
async def test_exhaust_cursor_left_mid_stream_closes_its_connection(
    deployment, make_client, filled, how
):
    if deployment.topology not in ("standalone", "replset"):
        pytest.skip("exhaust cursors need a mongod")
    events = PoolEvents()
    client = make_client(maxPoolSize=1, event_listeners=[events])
    coll = client[filled.database.name][filled.name]
    cursor = coll.find(cursor_type=CursorType.EXHAUST, batch_size=2).sort("_id")
    assert ids([await cursor.next() for _ in range(3)]) == [0, 1, 2]
    conn_id = events.checked_out[-1]
    if how == "close":
        await cursor.close()
    else:
        del cursor
        gc.collect()
    # The server is still streaming replies down that connection: it must be closed
    # (at once on close(), by the client's background thread for a dropped cursor).
    await wait_until(lambda: conn_id in events.closed, 10, "exhaust connection closed")
    # Every later operation gets a fresh connection, and the right answers.
    later = len(events.checked_out)
    assert ids(await coll.find().sort("_id").to_list(None)) == list(range(N))
    assert await coll.count_documents({}) == N
    again = coll.find(cursor_type=CursorType.EXHAUST, batch_size=3).sort("_id")
    assert ids(await again.to_list(None)) == list(range(N))
    assert conn_id not in events.checked_out[later:]
