"""The greenlet bridge under load: the loop never freezes, cancellation is clean, contexts flow."""

from __future__ import annotations

import asyncio
import threading
import time

import pymongo
import pytest
from pymongo.errors import PyMongoError, ServerSelectionTimeoutError

from motor.bridge import NestedOperationError
from motor.bridge.greenlets import live_greenlets
from test.reliability import IgnoringListener, LoopLag, app_pools, checked_out

SLOW = {"$where": "sleep(300) || true"}  # server-side JavaScript sleep: 300 ms per document


class CommandThreads(IgnoringListener):
    """Records the thread every command was started on."""

    def __init__(self):
        self.threads = {}

    def started(self, event):
        self.threads.setdefault(event.command_name, set()).add(threading.get_ident())


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
    # No "the loop ticked meanwhile": an operation whose reply is already there when it
    # reads never suspends, and on a loaded machine (the kernel running mongod between
    # our send and our recv) all 500 can finish inside the 500 calls, before the first
    # tick. That the waiters suspend is test_full_pool_suspends_only_the_waiter's job.
    assert all(len(pool.conns) <= 5 for pool in app_pools(client))
    assert checked_out(client) == 0
    # Every operation ran on the loop's own thread.
    loop_thread = threading.get_ident()
    # Every command (saslContinue too, with auth) ran on the loop's own thread.
    assert {"insert", "find"} <= listener.threads.keys()
    assert all(threads == {loop_thread} for threads in listener.threads.values()), listener.threads
    record_property("loop_lag_ms", round(lag.worst * 1000, 2))
    record_property("elapsed_s", round(elapsed, 3))
    print(
        f"\n500 find_one, maxPoolSize=5: {elapsed:.3f}s, worst loop lag {lag.worst * 1000:.1f} ms"
    )


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

    class Nested(IgnoringListener):
        def started(self, event):
            if event.command_name == "find":
                try:
                    collection.find_one({})
                except NestedOperationError as exc:
                    errors.append(exc)

    client = make_client(event_listeners=[Nested()])
    collection = client[coll.database.name][coll.name]
    await collection.find_one({})
    assert len(errors) == 1


async def test_messages_larger_than_the_socket_buffers(coll):
    # Sends and receives span many EAGAINs: the greenlet waits for writable, then readable.
    big = "x" * (15 * 1024 * 1024)
    await coll.insert_one({"_id": 1, "big": big})
    assert (await coll.find_one({"_id": 1}))["big"] == big


# --- the hot path: reused greenlets, fd registrations, no-I/O cursor steps -----


def bridge_hub(framework):
    """The bridge's Hub for the running loop, through the framework's own adapter."""
    import importlib

    adapter = importlib.import_module(f"motor.frameworks.{framework.name}")
    return adapter.hub(adapter.default_loop())


async def test_a_late_cancellation_does_not_reach_the_next_operation(framework):
    # The greenlet that ran A is idle again and runs B when A's cancellation callback
    # finally runs: that callback must see that its operation is over and leave B alone.
    from greenlet import getcurrent

    from motor.bridge.greenlets import await_future, spawn

    hub = bridge_hub(framework)
    loop = asyncio.get_running_loop()
    gate_a, gate_b = loop.create_future(), loop.create_future()
    ran_on = {}

    def op(name, gate):
        ran_on[name] = getcurrent()
        return await_future(gate)

    future_a = spawn(hub, op, "a", gate_a)
    started = {}
    gate_a.set_result("a")  # schedules A's wake-up first ...
    loop.call_soon(lambda: started.setdefault("b", spawn(hub, op, "b", gate_b)))
    future_a.cancel()  # ... then A's cancellation callback, after B has started
    for _ in range(5):
        await asyncio.sleep(0)
    assert future_a.cancelled()
    assert ran_on["a"] is ran_on["b"], "B ran on A's idle greenlet"
    future_b = started["b"]
    assert not future_b.done(), "B was not cancelled by A's late callback"
    gate_b.set_result("b")
    assert await future_b == "b"


async def test_a_reused_greenlet_gets_each_callers_context(framework):
    import contextvars

    from motor.bridge.greenlets import spawn

    hub = bridge_hub(framework)
    var = contextvars.ContextVar("var", default="unset")

    def op():
        seen = var.get()
        var.set("changed inside")  # must not leak into the next operation
        return seen

    var.set("first")
    assert await spawn(hub, op) == "first"
    var.set("second")
    assert await spawn(hub, op) == "second"
    assert var.get() == "second"


async def test_idle_greenlets_are_reused_and_bounded(framework):
    from greenlet import getcurrent

    from motor.bridge import greenlets

    hub = bridge_hub(framework)
    loop = asyncio.get_running_loop()
    gates = [loop.create_future() for _ in range(greenlets.MAX_IDLE + 20)]
    futures = [greenlets.spawn(hub, greenlets.await_future, gate) for gate in gates]
    for gate in gates:
        gate.set_result(None)
    await asyncio.gather(*futures)
    assert len(greenlets._idle_greenlets()) == greenlets.MAX_IDLE
    first = greenlets._idle_greenlets()[-1]
    assert await greenlets.spawn(hub, getcurrent) is first


async def test_a_stray_switch_into_an_idle_greenlet_is_ignored(framework):
    # What a wake-up that missed every guard would do: the idle greenlet must stay
    # usable, or the next operation given to it would never run.
    from greenlet import getcurrent

    from motor.bridge import greenlets

    hub = bridge_hub(framework)
    idle = await greenlets.spawn(hub, getcurrent)
    assert idle in greenlets._idle_greenlets()
    idle.switch(True)
    assert not idle.dead
    assert await greenlets.spawn(hub, getcurrent) is idle


def registered(hub, fd):
    """Whether ``hub``'s loop watches ``fd`` (in its selector, or as a Tornado handler)."""
    io_loop = getattr(hub, "io_loop", None)
    if io_loop is not None and fd in io_loop.handlers:
        return True
    try:
        hub.loop._selector.get_key(fd)
    except KeyError:
        return False
    return True


async def test_no_registration_outlives_a_wait(framework):
    # The loop borrows the fd for one wait: between reads it does not know the fd, so
    # IOLoop.close(all_fds=True) cannot close it and the loop does not keep it alive.
    import socket

    from motor.bridge.greenlets import spawn
    from motor.bridge.socket import GreenSocket

    hub = bridge_hub(framework)
    ours, peer = socket.socketpair()
    green = GreenSocket(ours, 5.0)
    fd = ours.fileno()
    try:

        def read():
            buf = bytearray(4)
            return bytes(buf[: green.recv_into(buf)])

        for payload in (b"one", b"two"):
            reading = spawn(hub, read)
            assert not reading.done(), "the read waits on the loop"
            assert registered(hub, fd)
            peer.send(payload)
            assert await reading == payload
            assert not registered(hub, fd), "the registration ended with the wait"
    finally:
        green.close()
        peer.close()


async def test_close_from_another_thread_during_a_wait_keeps_the_number(framework):
    # Not something PyMongo does (it closes a connection in use on its operation's own
    # thread), but the fd number must not be reused while a loop still watches it.
    import socket

    from motor.bridge.greenlets import spawn
    from motor.bridge.socket import GreenSocket

    hub = bridge_hub(framework)
    ours, peer = socket.socketpair()
    green = GreenSocket(ours, 0.3)
    fd = ours.fileno()
    reading = spawn(hub, green.recv_into, bytearray(4))
    closer = threading.Thread(target=green.close)
    closer.start()
    closer.join()
    peer.setblocking(False)
    assert peer.recv(1) == b"", "the peer sees the close at once"
    assert ours.fileno() == fd, "fd number kept while the wait is registered"
    with pytest.raises(OSError):  # TimeoutError, or the closed socket's error
        await reading
    assert ours.fileno() == -1
    assert not registered(hub, fd)
    peer.close()


async def test_a_short_timeout_is_exact_and_a_long_one_is_swept(framework):
    import socket

    from motor.bridge.greenlets import spawn
    from motor.bridge.socket import GreenSocket

    hub = bridge_hub(framework)
    for timeout in (0.1, 0.6):  # a loop timer; the coarse deadline sweep
        ours, peer = socket.socketpair()
        green = GreenSocket(ours, timeout)
        try:
            started = time.monotonic()
            with pytest.raises(TimeoutError):
                await spawn(hub, green.recv_into, bytearray(4))
            elapsed = time.monotonic() - started
            assert timeout <= elapsed <= timeout + hub.SWEEP_INTERVAL + 0.25
            # The socket stays usable after a timeout (PyMongo's 0.5 s polls rely on it).
            peer.send(b"z")
            assert await spawn(hub, green.recv_into, bytearray(4)) == 1
        finally:
            green.close()
            peer.close()
    assert not hub._deadlines


async def test_buffered_documents_need_no_future_or_greenlet(coll, monkeypatch):
    from motor.bridge import greenlets

    await coll.insert_many([{"_id": i} for i in range(10)])
    cursor = coll.find().sort("_id").batch_size(5)
    assert await cursor.fetch_next  # the first batch: one operation
    started = []
    real_start = greenlets.start
    monkeypatch.setattr("motor.core.base.start", lambda *a: started.append(a) or real_start(*a))
    shared = cursor.fetch_next
    assert shared.done() and shared.result() is True
    assert cursor.fetch_next is shared, "one resolved Future, not one per document"
    seen = [cursor.next_object()["_id"]]
    async for doc in cursor:
        seen.append(doc["_id"])
    assert seen == list(range(10))
    # Only the getMores ran in greenlets, never a buffered document.
    assert len(started) == 2  # the second batch, then the empty one that ends the cursor
