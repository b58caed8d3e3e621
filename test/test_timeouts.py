"""Unreachable servers and timeouts: PyMongo's errors, on time, with a responsive loop.

Each scenario runs with a 5 ms periodic timer on the loop (``LoopLag``); its worst
lateness while Motor waits for a dead, silent or slow server must stay under 50 ms.
Errors are compared with plain PyMongo's on the same scenario (run on a thread).

The servers are this module's own: a ``Standalone`` that keeps running (its commands
slowed down by ``failCommand`` fail points, or killed mid-cursor and restarted), and the
address of one that was started and stopped (nothing listens there any more).
"""

from __future__ import annotations

import asyncio
import os
import time

import pymongo
import pytest
from pymongo import WriteConcern, common
from pymongo.errors import (
    AutoReconnect,
    NetworkTimeout,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from test.mongod import Standalone
from test.reliability import (
    Blackhole,
    IgnoringListener,
    LoopLag,
    Silent,
    checked_out,
    direct_client,
    fail_point,
    figure,
)

# This module starts its own servers and never uses the session's deployment, so it
# runs in the standalone environment only: the replica-set run would repeat it.
pytestmark = pytest.mark.skipif(
    os.environ.get("MOTOR_TEST_TOPOLOGY") == "replset",
    reason="own servers; runs in the standalone environment",
)

MAX_LAG = 0.050  # the bound on the loop's lag while the server is unreachable
# How late an error may come, past the configured timeout: scheduling slack only.
SLACK = 0.25
# PyMongo re-checks server selection every MIN_HEARTBEAT_INTERVAL (0.5 s) unless the
# topology changes, so a selection timeout can end up to that much late in PyMongo too.
SELECTION_GRANULARITY = common.MIN_HEARTBEAT_INTERVAL


@pytest.fixture(scope="module")
def server():
    """This module's own running mongod."""
    standalone = Standalone()
    standalone.start()
    yield standalone.server
    standalone.stop()


@pytest.fixture(scope="module")
def down_address():
    """Where a mongod ran and was stopped: connecting is refused."""
    standalone = Standalone()
    standalone.start()
    address = standalone.server.address
    standalone.stop()
    return address


@pytest.fixture
def make_client(framework):
    """Clients with their topology opened at once (see open_topology)."""
    clients = []

    def make(host, port, **kwargs):
        client = framework.client_class()(host, port, **kwargs)
        clients.append(client)
        make.opened = open_topology(client)
        return client

    yield make
    for client in clients:
        client.delegate.close()


@pytest.fixture
def server_admin(server):
    """A PyMongo client straight to this module's server (fail points, setup)."""
    with direct_client(server.address) as client:
        yield client


def open_topology(client):
    """Start the client's monitor threads now; return the seconds it took.

    A client's first operation opens its topology, starting PyMongo's monitor threads;
    ``Thread.start()`` waits for each new thread to run, which on a loaded machine can
    hold the loop for tens of milliseconds (182 ms seen once). That is start-up, not
    waiting for an unreachable server, so it happens (and is reported) before the lag
    is measured.
    """
    started = time.monotonic()
    client.delegate._get_topology()
    return time.monotonic() - started


async def in_thread(fn, *args):
    """Run a blocking call (PyMongo reference, process control) off the loop."""
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


def pymongo_outcome(call, host, port, **kwargs):
    """(exception or None, seconds) of ``call(client)`` with a plain PyMongo client."""
    with pymongo.MongoClient(host, port, **kwargs) as client:
        started = time.monotonic()
        try:
            call(client)
        except PyMongoError as exc:
            return exc, time.monotonic() - started
        return None, time.monotonic() - started


async def timed(awaitable):
    started = time.monotonic()
    try:
        await awaitable
    except PyMongoError as exc:
        return exc, time.monotonic() - started
    raise AssertionError("expected a PyMongo error, the operation succeeded")


def report(record_property, name, elapsed, lag, reference=None):
    figure(record_property, f"{name}_elapsed_s", round(elapsed, 3), "s")
    lag.figures(record_property, name)
    if reference is not None:
        figure(record_property, f"{name}_pymongo_elapsed_s", round(reference, 3), "s")
    assert lag.ticks > 0
    assert lag.worst_own < MAX_LAG, f"loop lag {lag.worst_own * 1000:.1f} ms while waiting"


# --- server selection ----------------------------------------------------------------


@pytest.mark.parametrize("concurrent", [1, 50])
async def test_server_selection_timeout(make_client, down_address, concurrent, record_property):
    timeout = 1.0
    client = make_client(*down_address, serverSelectionTimeoutMS=int(timeout * 1000))
    collection = client.motor_test.unreachable
    opened = make_client.opened
    async with LoopLag() as lag:
        started = time.monotonic()
        results = await asyncio.gather(
            *(collection.find_one({}) for _ in range(concurrent)), return_exceptions=True
        )
        elapsed = time.monotonic() - started
    reference, ref_elapsed = await in_thread(
        lambda: pymongo_outcome(
            lambda c: c.motor_test.unreachable.find_one({}),
            *down_address,
            serverSelectionTimeoutMS=int(timeout * 1000),
        )
    )
    figure(
        record_property, f"selection_x{concurrent}_topology_open_ms", round(opened * 1000, 1), "ms"
    )
    report(record_property, f"selection_x{concurrent}", elapsed, lag, ref_elapsed)
    for exc in results:
        assert type(exc) is ServerSelectionTimeoutError is type(reference)
        assert exc.timeout
        assert "%s:%d" % down_address in str(exc)
        assert "Connection refused" in str(exc)
    assert timeout <= elapsed <= timeout + SELECTION_GRANULARITY + SLACK
    assert checked_out(client) == 0


async def test_csot_bounds_server_selection(make_client, down_address, record_property):
    # serverSelectionTimeoutMS is long; pymongo.timeout() is what ends the wait.
    client = make_client(*down_address, serverSelectionTimeoutMS=30000)
    async with LoopLag() as lag:
        started = time.monotonic()
        with pymongo.timeout(0.5):
            exc, _ = await timed(client.motor_test.unreachable.insert_one({"x": 1}))
        elapsed = time.monotonic() - started

    def reference_call(c):
        with pymongo.timeout(0.5):
            c.motor_test.unreachable.insert_one({"x": 1})

    reference, ref_elapsed = await in_thread(
        lambda: pymongo_outcome(reference_call, *down_address, serverSelectionTimeoutMS=30000)
    )
    report(record_property, "csot_selection", elapsed, lag, ref_elapsed)
    assert type(exc) is ServerSelectionTimeoutError is type(reference)
    assert exc.timeout
    assert 0.5 <= elapsed <= 0.5 + SELECTION_GRANULARITY + SLACK


# --- connecting ----------------------------------------------------------------------


async def test_connect_timeout_on_a_blackhole(make_client, record_property):
    """connectTimeoutMS bounds Motor's own (green) TCP connect.

    ``loadBalanced=true`` has no monitor: the operation's pool connects at once, through
    the bridge's connect (motor/bridge/connect.py), to a port whose SYNs go unanswered.
    """
    hole = Blackhole()
    try:
        options = dict(loadBalanced=True, connectTimeoutMS=400, retryReads=False)
        client = make_client(*hole.address, **options)
        async with LoopLag() as lag:
            exc, elapsed = await timed(client.motor_test.c.find_one({}))
        reference, ref_elapsed = await in_thread(
            lambda: pymongo_outcome(lambda c: c.motor_test.c.find_one({}), *hole.address, **options)
        )
    finally:
        hole.close()
    report(record_property, "connect_timeout", elapsed, lag, ref_elapsed)
    assert type(exc) is NetworkTimeout is type(reference)
    assert "timed out" in str(exc) and "connectTimeoutMS: 400.0ms" in str(exc)
    assert "%s:%d" % hole.address in str(exc)
    assert 0.4 <= elapsed <= 0.4 + SLACK
    assert checked_out(client) == 0


async def test_connect_timeout_through_the_monitor(make_client, record_property):
    # Without loadBalanced the monitor meets the blackhole first; selection reports it.
    hole = Blackhole()
    try:
        client = make_client(*hole.address, connectTimeoutMS=300, serverSelectionTimeoutMS=1000)
        async with LoopLag() as lag:
            exc, elapsed = await timed(client.motor_test.c.find_one({}))
    finally:
        hole.close()
    report(record_property, "connect_timeout_monitor", elapsed, lag)
    assert type(exc) is ServerSelectionTimeoutError
    assert "timed out" in str(exc) and "connectTimeoutMS: 300.0ms" in str(exc)
    assert 1.0 <= elapsed <= 1.0 + SELECTION_GRANULARITY + SLACK


async def test_socket_timeout_in_the_handshake(make_client, record_property):
    # A server that accepts and never answers: the handshake's hello times out.
    silent = Silent()
    try:
        options = dict(
            loadBalanced=True, connectTimeoutMS=400, socketTimeoutMS=400, retryReads=False
        )
        client = make_client(*silent.address, **options)
        async with LoopLag() as lag:
            exc, elapsed = await timed(client.motor_test.c.find_one({}))
        reference, ref_elapsed = await in_thread(
            lambda: pymongo_outcome(
                lambda c: c.motor_test.c.find_one({}), *silent.address, **options
            )
        )
    finally:
        silent.close()
    report(record_property, "handshake_timeout", elapsed, lag, ref_elapsed)
    assert type(exc) is type(reference)
    assert isinstance(exc, NetworkTimeout)
    assert "timed out" in str(exc)
    assert 0.4 <= elapsed <= 0.4 + SLACK


# --- a slow server -------------------------------------------------------------------


def blocked(appname, commands, ms):
    return {
        "failCommands": commands,
        "blockConnection": True,
        "blockTimeMS": ms,
        "appName": appname,
    }


async def test_socket_timeout(make_client, server, server_admin, record_property):
    appname = "motor-socket-timeout"
    options = dict(appname=appname, socketTimeoutMS=300, retryReads=False, directConnection=True)
    client = make_client(*server.address, **options)
    collection = client.motor_test.slow
    await collection.drop()
    await collection.insert_one({"_id": 1})
    with fail_point(server_admin, blocked(appname, ["find"], 1000)):
        async with LoopLag() as lag:
            exc, elapsed = await timed(collection.find_one({"_id": 1}))
        reference, ref_elapsed = await in_thread(
            lambda: pymongo_outcome(
                lambda c: c.motor_test.slow.find_one({"_id": 1}), *server.address, **options
            )
        )
    report(record_property, "socket_timeout", elapsed, lag, ref_elapsed)
    assert type(exc) is NetworkTimeout is type(reference)
    assert "timed out" in str(exc) and "socketTimeoutMS: 300.0ms" in str(exc)
    assert 0.3 <= elapsed <= 0.3 + SLACK
    assert checked_out(client) == 0
    # The timed-out connection was discarded; the next operation gets a fresh one.
    assert await collection.find_one({"_id": 1}) == {"_id": 1}


async def test_csot_timeout_on_a_slow_server(make_client, server, server_admin, record_property):
    appname = "motor-csot"
    options = dict(appname=appname, directConnection=True)
    client = make_client(*server.address, **options)
    collection = client.motor_test.slow
    await collection.drop()
    await collection.insert_one({"_id": 2})

    def reference_call(c):
        with pymongo.timeout(0.3):
            c.motor_test.slow.find_one({"_id": 2})

    with fail_point(server_admin, blocked(appname, ["find"], 1000)):
        async with LoopLag() as lag:
            started = time.monotonic()
            with pymongo.timeout(0.3):
                exc, _ = await timed(collection.find_one({"_id": 2}))
            elapsed = time.monotonic() - started
        reference, ref_elapsed = await in_thread(
            lambda: pymongo_outcome(reference_call, *server.address, **options)
        )
    report(record_property, "csot_slow_server", elapsed, lag, ref_elapsed)
    assert type(exc) is type(reference)
    assert exc.timeout and reference.timeout
    assert 0.3 <= elapsed <= 0.3 + SLACK
    assert checked_out(client) == 0
    assert await collection.find_one({"_id": 2}) == {"_id": 2}


# --- a server killed mid-cursor ------------------------------------------------------


class GetMoreStarted(IgnoringListener):
    """Counts getMores sent (from any thread) and wakes the loop at each."""

    def __init__(self):
        self.loop = self.event = None
        self.count = 0

    def arm(self):
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()
        self.count = 0

    def started(self, event):
        if event.command_name == "getMore" and self.event is not None:
            self.count += 1
            self.loop.call_soon_threadsafe(self.event.set)

    async def wait_for(self, n, timeout=10):
        async def reached():
            while self.count < n:
                self.event.clear()
                await self.event.wait()

        await asyncio.wait_for(reached(), timeout)


def pymongo_rest(cursor):
    """Exhaust a PyMongo cursor on a thread: (exception, seconds)."""
    started = time.monotonic()
    try:
        list(cursor)
    except PyMongoError as exc:
        return exc, time.monotonic() - started
    raise AssertionError("expected a PyMongo error, the cursor was exhausted")


@pytest.mark.slow
async def test_server_killed_mid_cursor(make_client, server, server_admin, record_property):
    """SIGKILL between batches, then during an in-flight getMore: a clear error, never a hang.

    A plain PyMongo cursor on the same server goes through the same steps beside Motor's.
    Between batches, the server is already known to be down when the next getMore
    selects it, so both wait out serverSelectionTimeoutMS; in flight, the read fails at
    once (socketTimeoutMS is infinite, so a hang would show).
    """
    appname = "motor-killed-cursor"
    selection = 2.0
    options = dict(appname=appname, directConnection=True, serverSelectionTimeoutMS=2000)
    listener = GetMoreStarted()
    client = make_client(*server.address, event_listeners=[listener], **options)
    reference = pymongo.MongoClient(*server.address, event_listeners=[listener], **options)
    collection = client.motor_test.killed_cursor
    ref_collection = reference.motor_test.killed_cursor
    await collection.drop()
    # Journaled, so the documents survive the SIGKILLs below.
    await collection.with_options(write_concern=WriteConcern(w=1, j=True)).insert_many(
        [{"_id": i} for i in range(100)]
    )
    figures = {}
    try:
        # 1. Killed between batches.
        cursor = collection.find({}, batch_size=10).sort("_id")
        ref_cursor = ref_collection.find({}, batch_size=10).sort("_id")
        assert len(await cursor.to_list(10)) == 10
        assert len([next(ref_cursor) for _ in range(10)]) == 10
        async with LoopLag() as lag:
            await in_thread(server.kill)
            (exc, elapsed), (ref_exc, ref_elapsed) = await asyncio.gather(
                timed(cursor.to_list(None)), in_thread(pymongo_rest, ref_cursor)
            )
        figures["between_batches_error_s"] = round(elapsed, 3)
        figures["between_batches_pymongo_error_s"] = round(ref_elapsed, 3)
        figures["between_batches_loop_lag_ms"] = round(lag.worst_own * 1000, 1)
        # Which error depends on a race, the same for PyMongo: a getMore that selects
        # the server after the monitor has seen it die waits for selection to time out
        # (ServerSelectionTimeoutError); one that gets there first meets the closed
        # connection (AutoReconnect).
        for error in (exc, ref_exc):
            assert isinstance(error, AutoReconnect), repr(error)
            assert "%s:%d" % server.address in str(error)
        assert elapsed <= selection + SELECTION_GRANULARITY + SLACK
        assert lag.worst_own < MAX_LAG
        await in_thread(server.restart)

        # 2. Killed while both getMores wait on the server.
        listener.arm()
        cursor = collection.find({}, batch_size=10).sort("_id")
        ref_cursor = ref_collection.find({}, batch_size=10).sort("_id")
        assert len(await cursor.to_list(10)) == 10
        assert len([next(ref_cursor) for _ in range(10)]) == 10
        with fail_point(server_admin, blocked(appname, ["getMore"], 20000)):
            async with LoopLag() as lag:
                pending = asyncio.gather(
                    timed(cursor.to_list(None)), in_thread(pymongo_rest, ref_cursor)
                )
                await listener.wait_for(2)
                killed_at = time.monotonic()
                await in_thread(server.kill)
                (exc, _), (ref_exc, _) = await asyncio.wait_for(pending, 10)  # a hang fails here
                in_flight = time.monotonic() - killed_at
            figures["in_flight_error_s"] = round(in_flight, 3)
            figures["in_flight_loop_lag_ms"] = round(lag.worst_own * 1000, 1)
            assert type(exc) is type(ref_exc) is AutoReconnect, (exc, ref_exc)
            assert "%s:%d" % server.address in str(exc)
            assert "connection closed" in str(exc) or "reset" in str(exc), str(exc)
            assert in_flight < 1.0, "the error came at once, not after a timeout"
            assert lag.worst_own < MAX_LAG
            await in_thread(server.restart)
    finally:
        reference.close()
        for name, value in figures.items():
            figure(record_property, f"killed_{name}", value)
        if not server.is_running:
            await in_thread(server.restart)
    assert checked_out(client) == 0
    # The client recovers once the server is back.
    assert await collection.count_documents({}) == 100
