"""The greenlet bridge under load: the loop never freezes, cancellation is clean, contexts flow."""

from __future__ import annotations

import asyncio
import threading
import time

import pymongo
import pytest
from pymongo import monitoring
from pymongo.errors import PyMongoError, ServerSelectionTimeoutError

from motor.bridge import NestedOperationError
from motor.bridge.greenlets import live_greenlets

SLOW = {"$where": "sleep(300) || true"}  # server-side JavaScript sleep: 300 ms per document


class CommandThreads(monitoring.CommandListener):
    """Records the thread every command was started on."""

    def __init__(self):
        self.threads = {}

    def started(self, event):
        self.threads.setdefault(event.command_name, set()).add(threading.get_ident())

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


class LoopLag:
    """A periodic timer on the loop; the longest delay past its due time is the loop's lag."""

    def __init__(self, interval=0.005):
        self.interval = interval
        self.worst = 0.0
        self.ticks = 0
        self._task = None

    async def _run(self):
        while True:
            due = time.monotonic() + self.interval
            await asyncio.sleep(self.interval)
            self.worst = max(self.worst, time.monotonic() - due)
            self.ticks += 1

    def __enter__(self):
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc):
        self._task.cancel()




def app_pools(client):
    return [server.pool for server in client.delegate._topology._servers.values()]


def checked_out(client):
    return sum(pool.requests for pool in app_pools(client))


@pytest.fixture
def make_client(deployment, framework):
    clients = []

    def make(uri=None, **kwargs):
        client = framework.client_class()(uri or deployment.uri, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.delegate.close()


async def test_500_concurrent_operations_on_a_pool_of_5(make_client, coll, record_property):
    listener = CommandThreads()
    client = make_client(maxPoolSize=5, event_listeners=[listener])
    collection = client[coll.database.name][coll.name]
    await collection.insert_many([{"_id": i} for i in range(100)])
    with LoopLag() as lag:
        started = time.monotonic()
        docs = await asyncio.gather(*(collection.find_one({"_id": i % 100}) for i in range(500)))
        elapsed = time.monotonic() - started
    assert [d["_id"] for d in docs] == [i % 100 for i in range(500)]
    assert lag.ticks > 0
    assert all(len(pool.conns) <= 5 for pool in app_pools(client))
    assert checked_out(client) == 0
    # Every operation ran on the loop's own thread.
    loop_thread = threading.get_ident()
    assert {name: threads for name, threads in listener.threads.items()} == {
        "insert": {loop_thread},
        "find": {loop_thread},
    }
    record_property("loop_lag_ms", round(lag.worst * 1000, 2))
    record_property("elapsed_s", round(elapsed, 3))
    print(f"\n500 find_one, maxPoolSize=5: {elapsed:.3f}s, worst loop lag {lag.worst * 1000:.1f} ms")


async def test_full_pool_suspends_only_the_waiter(make_client, coll):
    client = make_client(maxPoolSize=1)
    collection = client[coll.database.name][coll.name]
    await collection.insert_one({"_id": 1})
    holder = collection.find_one(SLOW)  # holds the only connection for ~300 ms
    waiter = collection.find_one({"_id": 1})  # waits for the pool
    # The loop keeps running other work meanwhile: a coroutine round-trips while both wait.
    await asyncio.sleep(0)
    assert not holder.done() and not waiter.done()
    assert (await holder)["_id"] == 1
    assert (await waiter)["_id"] == 1


async def test_server_selection_wait_does_not_block_the_loop(make_client):
    # Nothing listens on port 1: selection waits out its timeout, suspended.
    client = make_client("mongodb://127.0.0.1:1/", serverSelectionTimeoutMS=300)
    selection = asyncio.ensure_future(client.admin.command("ping"))
    ticks = 0
    while not selection.done():
        await asyncio.sleep(0.01)
        ticks += 1
    assert ticks >= 5, "the loop ran while the server selection waited"
    with pytest.raises(ServerSelectionTimeoutError):
        await selection


@pytest.mark.parametrize("how", ["wait_for", "task_cancel", "future_cancel"])
async def test_cancellation_interrupts_the_operation(make_client, coll, how):
    client = make_client(maxPoolSize=2)
    collection = client[coll.database.name][coll.name]
    await collection.insert_one({"_id": 1})
    running_before = live_greenlets()

    if how == "wait_for":
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(collection.find_one(SLOW), 0.05)
    elif how == "task_cancel":

        async def op():
            return await collection.find_one(SLOW)

        task = asyncio.ensure_future(op())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    else:
        future = collection.find_one(SLOW)
        await asyncio.sleep(0.05)
        future.cancel()
        await asyncio.sleep(0)  # let the cancellation reach the greenlet

    assert live_greenlets() == running_before, "no greenlet left suspended"
    assert checked_out(client) == 0, "no connection left checked out"
    for pool in app_pools(client):
        assert all(not c.closed for c in pool.conns), "the interrupted connection was discarded"
    assert (await collection.find_one({"_id": 1}))["_id"] == 1


async def test_pymongo_timeout_context_reaches_the_greenlet(coll):
    await coll.insert_one({"_id": 1})
    with pymongo.timeout(0.05):
        with pytest.raises(PyMongoError) as info:
            await coll.find_one(SLOW)
    assert info.value.timeout
    assert (await coll.find_one({"_id": 1}))["_id"] == 1


async def test_nested_operation_is_refused(make_client, coll):
    errors = []

    class Nested(monitoring.CommandListener):
        def started(self, event):
            if event.command_name == "find":
                try:
                    collection.find_one({})
                except NestedOperationError as exc:
                    errors.append(exc)

        def succeeded(self, event):
            pass

        def failed(self, event):
            pass

    client = make_client(event_listeners=[Nested()])
    collection = client[coll.database.name][coll.name]
    await collection.find_one({})
    assert len(errors) == 1


async def test_messages_larger_than_the_socket_buffers(coll):
    # Sends and receives span many EAGAINs: the greenlet waits for writable, then readable.
    big = "x" * (15 * 1024 * 1024)
    await coll.insert_one({"_id": 1, "big": big})
    assert (await coll.find_one({"_id": 1}))["big"] == big
