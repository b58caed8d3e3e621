"""Lifecycles: who owns a pooled connection's fd, when an operation's objects are
released, what happens to operations whose loop closes, and starting an operation from
a signal handler (doc/bridge.rst). Every test runs against a real mongod.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import unittest
import weakref

import pytest
import tornado.testing
from pymongo import monitoring
from pymongo.errors import NetworkTimeout

from motor.bridge.greenlets import live_greenlets
from motor.motor_tornado import MotorClient
from test.conftest import TEST_DB, collection_name, run_on_new_loop
from test.reliability import app_pools, fail_point, open_fds, wait_until

# --- Tornado test cases that close their IOLoop with all_fds=True --------------------


class _Created(monitoring.ConnectionPoolListener):
    """Counts the connections a client opens."""

    def __init__(self):
        self.count = 0

    def connection_created(self, event):
        self.count += 1

    def __getattr__(self, name):  # every other pool event: ignored
        return lambda event: None


def _pooled_fds(client):
    return [conn.conn.conn.sock.fileno() for pool in app_pools(client) for conn in pool.conns]


def _peer_port(fd):
    """The remote port of the TCP socket ``fd`` refers to (on a dup, so ``fd`` stays)."""
    dup = socket.socket(fileno=os.dup(fd))
    try:
        return dup.getpeername()[1]
    finally:
        dup.close()


def _run_case(case_class, uri, sync_client):
    """Run a tornado.testing.AsyncTestCase class as unittest would; fail with its errors."""
    case_class.uri, case_class.sync_client = uri, sync_client
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case_class)
    result = unittest.TestResult()
    suite.run(result)
    problems = [text for _, text in result.errors + result.failures]
    assert not problems, "\n".join(problems)
    assert result.testsRun == suite.countTestCases()


class SharedClientCase(tornado.testing.AsyncTestCase):
    """Tests sharing one MotorClient; each runs on its own IOLoop, which tearDown closes
    with all_fds=True. Between the tests the fd numbers Tornado would have closed are
    taken by a foreign socket pair, as the OS would hand them to the next socket."""

    __test__ = False  # run by test_tornado_test_cases_share_a_client, not collected
    uri = sync_client = None
    shared: dict = {}

    @classmethod
    def setUpClass(cls):
        cls.created = _Created()
        # retryReads=False: a broken connection is not hidden by a retry.
        cls.client = MotorClient(
            cls.uri, event_listeners=[cls.created], retryReads=False, socketTimeoutMS=5000
        )
        cls.coll = cls.client[TEST_DB][collection_name("SharedClientCase")]
        cls.sync_client[TEST_DB].drop_collection(cls.coll.name)
        cls.sync_client[TEST_DB][cls.coll.name].insert_one({"_id": 1})

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    @tornado.testing.gen_test
    async def test_1_first(self):
        assert await self.coll.find_one() == {"_id": 1}
        self.shared["fds"] = _pooled_fds(self.client)
        self.shared["created"] = self.created.count
        assert self.shared["fds"]

    @tornado.testing.gen_test
    async def test_2_foreign_socket_between(self):
        mongod_port = self.client.address[1]
        foreign = []
        for fd in self.shared["fds"]:
            try:
                os.fstat(fd)
            except OSError:  # the number was freed: a foreign socket takes it
                ours, theirs = socket.socketpair()  # may take the number itself
                if theirs.fileno() == fd:
                    ours, theirs = theirs, ours
                elif ours.fileno() != fd:
                    os.dup2(ours.fileno(), fd)
                    ours.close()
                    ours = socket.socket(fileno=fd)
                ours.setblocking(False)  # a blocking one would freeze the loop in recv
                foreign.append((ours, theirs))
        try:
            assert await self.coll.find_one() == {"_id": 1}
            for _, theirs in foreign:
                theirs.setblocking(False)
                with pytest.raises(BlockingIOError):
                    theirs.recv(1024)  # no byte of Motor's reached a foreign socket
            assert not foreign, "the IOLoop closed pooled connections"
            for fd in self.shared["fds"]:
                assert _peer_port(fd) == mongod_port
            assert self.created.count == self.shared["created"], "a connection was replaced"
        finally:
            for pair in foreign:
                for sock in pair:
                    sock.close()

    @tornado.testing.gen_test
    async def test_3_socket_timeout_on_a_blocked_find(self):
        # A find the server holds longer than socketTimeoutMS times out, as in PyMongo,
        # after other test cases' loops closed with all_fds=True.
        timeout_client = MotorClient(self.uri, socketTimeoutMS=100, retryReads=False)
        try:
            await timeout_client.admin.command("ping")
            coll = timeout_client[TEST_DB][self.coll.name]
            data = {"failCommands": ["find"], "blockConnection": True, "blockTimeMS": 1000}
            with fail_point(self.sync_client, data):
                with pytest.raises(NetworkTimeout):
                    await coll.find_one()
        finally:
            await timeout_client.close()


@pytest.mark.tornado_only
def test_tornado_test_cases_share_a_client(deployment, sync_client, framework):
    # Run twice: the second time, the fds closed by the first's loops are reused too.
    for _ in range(2):
        _run_case(SharedClientCase, deployment.uri, sync_client)


# --- open_sync after asyncio.run ---------------------------------------------------------


def test_open_sync_after_asyncio_run(deployment):
    from motor.motor_asyncio import AsyncIOMotorClient

    async def nothing():
        pass

    asyncio.run(nothing())
    client = AsyncIOMotorClient(deployment.uri)
    try:
        assert client.open_sync() is client
    finally:
        client.close()


# --- what an operation leaves behind ---------------------------------------------------


class Doc(dict):
    """A document class that weak references can follow."""


async def test_a_finished_operation_is_not_kept(deployment, framework, sync_client, request):
    name = collection_name(request.node.name)
    sync_client[TEST_DB].drop_collection(name)
    sync_client[TEST_DB][name].insert_many([{"_id": i} for i in range(10)])
    client = framework.client_class()(deployment.uri, document_class=Doc)
    coll = client[TEST_DB][name]
    try:
        # Results of concurrent operations: nothing of them stays with the idle greenlets.
        async def fetch():
            docs = await coll.find().to_list()
            return weakref.ref(docs[0])

        refs = await asyncio.gather(*(fetch() for _ in range(20)))
        # A cursor dropped after its first batch: nothing keeps it, so PyMongo kills it.
        cursor = coll.find(batch_size=2)
        assert await cursor.next() == {"_id": 0}
        refs.append(weakref.ref(cursor.delegate))
        del cursor
        gc.collect()
        alive = sum(ref() is not None for ref in refs)
        assert alive == 0, f"{alive} of {len(refs)} results and cursors still alive"
        await wait_until(lambda: _open_cursors(sync_client, name) == 0, 5, "killCursors sent")
    finally:
        await client.close()


def _open_cursors(sync_client, coll_name):
    ns = f"{TEST_DB}.{coll_name}"
    return sum(
        1
        for op in sync_client.admin.aggregate([{"$currentOp": {"idleCursors": True}}])
        if op.get("type") == "idleCursor" and op.get("ns") == ns
    )


def test_dropped_clients_are_collected(deployment, framework):
    client_class = framework.client_class()
    refs = []

    async def use_and_drop():
        client = client_class(deployment.uri)
        await client[TEST_DB].command("ping")
        refs.append(weakref.ref(client.delegate))

    for _ in range(5):
        run_on_new_loop(framework, use_and_drop)
    gc.collect()
    alive = sum(ref() is not None for ref in refs)
    assert alive == 0, f"{alive} of 5 dropped clients still alive"


# --- operations whose loop closes under them ----------------------------------------


@pytest.mark.parametrize("max_pool_size", [100, 1])
def test_unawaited_writes_finish_after_their_loop_closes(
    deployment, framework, sync_client, request, max_pool_size
):
    # The "beginner's mistake": operations started and never awaited; the loop closes.
    name = collection_name(request.node.name)
    sync_client[TEST_DB].drop_collection(name)
    client = framework.client_class()(deployment.uri, maxPoolSize=max_pool_size)
    coll = client[TEST_DB][name]

    async def start_five():
        for i in range(5):
            coll.insert_one({"_id": i})

    run_on_new_loop(framework, start_five)

    async def next_loop():
        # A later loop uses the same client; the stranded writes finish meanwhile, so
        # with maxPoolSize=1 this waits for the connection they hold, then gets it.
        return await asyncio.wait_for(coll.find_one({"_id": 0}), 10)

    try:
        assert run_on_new_loop(framework, next_loop) in (None, {"_id": 0})
    finally:
        client.close()  # from no loop at all: must not raise
    assert sync_client[TEST_DB][name].count_documents({}) == 5
    assert live_greenlets() == 0


def test_close_finishes_writes_stranded_by_a_closed_loop(
    deployment, framework, sync_client, request
):
    name = collection_name(request.node.name)
    sync_client[TEST_DB].drop_collection(name)
    client = framework.client_class()(deployment.uri)
    coll = client[TEST_DB][name]

    async def start_five():
        for i in range(5):
            coll.insert_one({"_id": i})

    run_on_new_loop(framework, start_five)
    client.close()
    assert sync_client[TEST_DB][name].count_documents({}) == 5
    assert live_greenlets() == 0


def test_writes_stranded_at_the_programs_end_are_written(deployment, sync_client, request):
    # The program's last asyncio.run() returns with writes still in flight, and the
    # program ends without client.close(): the interpreter's exit finishes them.
    name = collection_name(request.node.name)
    sync_client[TEST_DB].drop_collection(name)
    program = textwrap.dedent(
        f"""
        import asyncio
        from motor.motor_asyncio import AsyncIOMotorClient

        client = AsyncIOMotorClient({deployment.uri!r})

        async def main():
            for i in range(5):
                client[{TEST_DB!r}][{name!r}].insert_one({{"_id": i}})

        asyncio.run(main())
        """
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root}
    subprocess.run([sys.executable, "-c", program], env=env, check=True, timeout=60)
    assert sync_client[TEST_DB][name].count_documents({}) == 5


# --- signal handlers -----------------------------------------------------------------


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="POSIX signals")
async def test_an_operation_started_from_a_signal_handler(coll, request):
    await coll.insert_many([{"_id": i, "v": i * 2} for i in range(50)])
    from_handler = []

    def handler(signum, frame):
        if len(from_handler) < 300:
            key = len(from_handler) % 50
            from_handler.append((key, coll.find_one({"_id": key})))

    stop = threading.Event()

    def send_signals():
        while not stop.wait(0.001):
            os.kill(os.getpid(), signal.SIGUSR1)

    previous = signal.signal(signal.SIGUSR1, handler)
    sender = threading.Thread(target=send_signals)
    sender.start()
    try:

        async def reader(offset):
            for n in range(50):
                key = (offset + n) % 50
                assert await coll.find_one({"_id": key}) == {"_id": key, "v": key * 2}

        await asyncio.gather(*(reader(i) for i in range(20)))
    finally:
        stop.set()
        sender.join()
        signal.signal(signal.SIGUSR1, previous)
    assert from_handler, "no signal arrived during the operations"
    for key, future in from_handler:
        assert await future == {"_id": key, "v": key * 2}


# --- soak: nothing accumulates -----------------------------------------------------------


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _server_open_cursors(sync_client):
    return sync_client.admin.command("serverStatus")["metrics"]["cursor"]["open"]["total"]


SOAK_OPS = 100_000
SOAK_DROPPED_CURSORS = 10_000
SOAK_WIDTH = 50  # operations in flight at once; more than maxPoolSize, so some wait


@pytest.mark.slow
@pytest.mark.loop_timeout(600)  # about a minute on 2 quiet cores; CI's may be busy
@pytest.mark.tornado_only  # one framework is enough here, and Tornado's hub is asyncio's + fds
async def test_soak(deployment, framework, sync_client, request, record_property):
    """Many operations and dropped cursors on one client leave nothing behind."""
    from test.reliability import figure

    name = collection_name(request.node.name)
    sync_client[TEST_DB].drop_collection(name)
    sync_client[TEST_DB][name].insert_many([{"_id": i, "v": i} for i in range(100)])
    client = framework.client_class()(deployment.uri, maxPoolSize=20)
    coll = client[TEST_DB][name]

    async def dropped_cursor(i):
        cursor = coll.find({}, batch_size=2)
        assert (await cursor.next())["_id"] == 0  # the server keeps the cursor open

    async def op(i):
        kind = i % 5
        if kind == 0:
            assert (await coll.find_one({"_id": i % 100}))["v"] == i % 100
        elif kind == 1:
            await coll.insert_one({"_id": f"n{i}"})
        elif kind == 2:
            await coll.update_one({"_id": i % 100}, {"$inc": {"hits": 1}})
        elif kind == 3:
            assert len(await coll.find({"_id": {"$lt": 5}}).to_list()) == 5
        else:
            await coll.delete_one({"_id": f"n{i - 3}"})  # inserted above

    async def run(fn, count, base=0):  # ``base``: a multiple of 5, new _ids each run
        for start in range(base, base + count, SOAK_WIDTH):
            end = min(start + SOAK_WIDTH, base + count)
            await asyncio.gather(*(fn(i) for i in range(start, end)))

    def settled():
        gc.collect()
        return _server_open_cursors(sync_client) <= cursors_before

    def fds_not_pooled():
        # The pool may grow up to maxPoolSize during the soak (it opens connections only
        # as demand outruns it): those fds are its own, idle here, and not a leak.
        return open_fds() - sum(len(pool.conns) for pool in app_pools(client))

    try:
        # Warm up: the pool fills, every code path has run once, first allocations are made.
        cursors_before = _server_open_cursors(sync_client)
        await run(op, 2_000)
        await run(dropped_cursor, 200)
        await wait_until(settled, 5, "the warm-up's dropped cursors are killed")
        gc.collect()
        rss_before, fds_before = _rss_mb(), fds_not_pooled()
        started = time.monotonic()
        await run(op, SOAK_OPS, base=10_000)
        await run(dropped_cursor, SOAK_DROPPED_CURSORS)
        figure(record_property, "soak_seconds", round(time.monotonic() - started, 1), "s")
        seconds = await wait_until(settled, 5, "the server's open cursors back to baseline")
        figure(record_property, "soak_cursors_killed_after", round(seconds, 2), "s")
        growth = _rss_mb() - rss_before
        figure(record_property, "soak_rss_growth", round(growth, 1), "MB")
        assert growth < 20
        assert fds_not_pooled() <= fds_before
        assert live_greenlets() == 0
    finally:
        await client.close()
