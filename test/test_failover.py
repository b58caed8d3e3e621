"""Failover: writers and a reader keep going through a step-down and a SIGKILL of the primary.

The replica set is this module's own (three members, equal priorities, 2 s election
timeout), so its elections disturb no other test. Writers insert with retryable writes
and ``w="majority"``; every write Motor acknowledged must be in the collection
afterwards (read back with majority read concern from the primary). A reader with
``secondaryPreferred`` must keep getting answers throughout.

Figures: acknowledged writes vs found, write errors, longest gap between acknowledged
writes (the unavailability), longest gap between reads, reads by server, and for each
new primary how long after the last write the client learnt of it and how soon after
that the next write was acknowledged (up to ~1 s: a new primary's first w:"majority"
write waits for a secondary to sync from it; plain PyMongo shows the same). Runs in
the ``replset`` environment only (it needs no deployment of the session's, and the
standalone run would only repeat it).
"""

from __future__ import annotations

import asyncio
import os
import time

import pymongo
import pytest
from pymongo import ReadPreference, monitoring
from pymongo.errors import PyMongoError
from pymongo.read_concern import ReadConcern

from test.mongod import ReplicaSet
from test.reliability import IgnoringListener, checked_out, figure

pytestmark = [pytest.mark.slow, pytest.mark.replset]

WRITERS = 2
SETTLE = 50  # acknowledged writes (and reads) that must follow each event
MAX_UNAVAILABLE = 15.0  # s; an election here takes ~2-4 s, a selection timeout 30 s
MAX_READ_GAP = 1.0  # s; reads on secondaries never wait for an election


@pytest.fixture(scope="module")
def replset():
    # Module fixtures come before the autouse check of the replset mark: skip here, so
    # that the standalone run does not start three mongods for nothing.
    if os.environ.get("MOTOR_TEST_TOPOLOGY", "standalone") != "replset":
        pytest.skip("needs MOTOR_TEST_TOPOLOGY=replset")
    rs = ReplicaSet(members=3, name="failover")
    rs.start()
    try:
        with pymongo.MongoClient(rs.uri) as client:
            config = client.admin.command("replSetGetConfig")["config"]
            for member in config["members"]:
                member["priority"] = 1  # no priority takeover after a restart
            config["settings"]["electionTimeoutMillis"] = 2000
            config["settings"]["heartbeatIntervalMillis"] = 500
            config["version"] += 1
            client.admin.command("replSetReconfig", config)
        rs.wait_healthy()
        yield rs
    finally:
        rs.stop()


@pytest.fixture
def healthy(replset):
    """The module's replica set with every member up, one primary, two secondaries."""
    for member in replset.members:
        if not member.is_running:
            member.restart()
    replset.wait_healthy()
    return replset


class ServedBy(IgnoringListener):
    """Counts the reader's finds by the server that answered."""

    def __init__(self):
        self.finds = {}

    def succeeded(self, event):
        if event.command_name == "find":
            self.finds[event.connection_id] = self.finds.get(event.connection_id, 0) + 1


class PrimaryChanges(monitoring.TopologyListener):
    """Times (monotonic) at which the client's topology learnt of a new primary."""

    def __init__(self):
        self.times = []  # (time, address)

    def opened(self, event):
        pass

    def description_changed(self, event):
        old = event.previous_description
        new = event.new_description
        old_primary = next(
            (
                s.address
                for s in old.server_descriptions().values()
                if s.server_type_name == "RSPrimary"
            ),
            None,
        )
        new_primary = next(
            (
                s.address
                for s in new.server_descriptions().values()
                if s.server_type_name == "RSPrimary"
            ),
            None,
        )
        if new_primary is not None and new_primary != old_primary:
            self.times.append((time.monotonic(), new_primary))

    def closed(self, event):
        pass


class Traffic:
    """Writer tasks and a reader task, recording what was acknowledged and when."""

    def __init__(self, collection, reader_collection):
        self.collection = collection
        self.reader_collection = reader_collection
        self.acked = []  # (completion time, _id)
        self.attempted = 0
        self.write_errors = []  # (time, repr)
        self.reads = []  # completion times
        self.read_errors = []
        self.stopping = False
        self.changed = asyncio.Event()
        self.tasks = []
        self.events = {}  # name -> time

    def mark(self, name):
        self.events[name] = time.monotonic()
        return self.events[name]

    def first_write_after(self, t):
        return min((done for done, _ in self.acked if done > t), default=float("inf")) - t

    def last_write_before(self, t):
        return max((done for done, _ in self.acked if done <= t), default=float("-inf"))

    def start(self):
        self.tasks = [asyncio.ensure_future(self._write(w)) for w in range(WRITERS)]
        self.tasks.append(asyncio.ensure_future(self._read()))

    async def _write(self, writer):
        i = 0
        while not self.stopping:
            _id = f"{writer}-{i}"
            i += 1
            self.attempted += 1
            try:
                await self.collection.insert_one({"_id": _id, "writer": writer})
            except PyMongoError as exc:
                self.write_errors.append((time.monotonic(), repr(exc)[:300]))
            else:
                self.acked.append((time.monotonic(), _id))
                self.changed.set()

    async def _read(self):
        while not self.stopping:
            last = self.acked[-1][1] if self.acked else None
            try:
                await self.reader_collection.find_one({"_id": last})
            except PyMongoError as exc:
                self.read_errors.append((time.monotonic(), repr(exc)[:300]))
            else:
                self.reads.append(time.monotonic())
                self.changed.set()

    async def until(self, predicate, timeout, what):
        async def wait():
            while not predicate():
                self.changed.clear()
                await self.changed.wait()

        try:
            await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"{what} not within {timeout}s; last write errors: {self.write_errors[-3:]}"
            ) from None

    def writes_since(self, t):
        return sum(1 for done, _ in self.acked if done > t)

    def reads_since(self, t):
        return sum(1 for done in self.reads if done > t)

    async def stop(self):
        self.stopping = True
        await asyncio.gather(*self.tasks)

    @staticmethod
    def longest_gap(times, since):
        times = sorted(t for t in times if t >= since)
        return max((b - a for a, b in zip(times, times[1:], strict=False)), default=0.0)


@pytest.fixture
def make_client(framework):
    clients = []

    def make(uri, **kwargs):
        client = framework.client_class()(uri, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.delegate.close()


async def run_failover(make_client, replset, record_property, name, event):
    """Start traffic, call ``await event(traffic, client)``, stop, check, report."""
    served = ServedBy()
    primaries = PrimaryChanges()
    client = make_client(
        replset.uri,
        w="majority",
        retryWrites=True,
        retryReads=True,
        serverSelectionTimeoutMS=30000,
        event_listeners=[served, primaries],
    )
    collection = client.motor_test[f"failover_{name}"]
    await collection.drop()
    reader = collection.with_options(read_preference=ReadPreference.SECONDARY_PREFERRED)
    traffic = Traffic(collection, reader)
    began = time.monotonic()
    traffic.start()
    try:
        await traffic.until(
            lambda: len(traffic.acked) >= SETTLE and len(traffic.reads) >= SETTLE, 30, "warm-up"
        )
        warm = time.monotonic()
        await event(traffic, client)
    finally:
        await traffic.stop()

    # Everything acknowledged is there, read from the primary with majority read concern.
    check = collection.with_options(
        read_preference=ReadPreference.PRIMARY, read_concern=ReadConcern("majority")
    )
    found = {doc["_id"] for doc in await check.find({}, {"_id": 1}).to_list(None)}
    acked = {_id for _, _id in traffic.acked}
    lost = acked - found
    write_gap = traffic.longest_gap([t for t, _ in traffic.acked], warm)
    read_gap = traffic.longest_gap(traffic.reads, warm)
    secondaries = {replset.members[i].address for i in range(3)} - {client.primary}
    on_secondaries = sum(n for addr, n in served.finds.items() if addr in secondaries)
    figures = {
        "writes_attempted": traffic.attempted,
        "writes_acknowledged": len(acked),
        "writes_found": len(found & acked),
        "writes_lost": len(lost),
        "writes_unacknowledged_but_present": len(found - acked),
        "write_errors": len(traffic.write_errors),
        "longest_write_gap_s": round(write_gap, 3),
        "reads": len(traffic.reads),
        "read_errors": len(traffic.read_errors),
        "longest_read_gap_s": round(read_gap, 3),
        "finds_by_server": {"%s:%d" % addr: n for addr, n in sorted(served.finds.items())},
        "duration_s": round(time.monotonic() - began, 1),
    }
    # Each change of primary after the event: how long writes had stopped before the
    # client learnt of it, and how soon after it the next write was acknowledged.
    for n, (when, _address) in enumerate(t for t in primaries.times if t[0] > warm):
        figures[f"new_primary_{n}_known_after_last_write_s"] = round(
            when - traffic.last_write_before(when), 3
        )
        figures[f"new_primary_{n}_first_write_after_s"] = round(traffic.first_write_after(when), 3)
    for key, value in figures.items():
        figure(record_property, f"{name}_{key}", value)
    for when, error in traffic.write_errors + traffic.read_errors:
        print(f"  error at +{when - began:.2f}s: {error}")
    assert not lost, f"{len(lost)} acknowledged writes are missing: {sorted(lost)[:10]}"
    assert found <= {f"{w}-{i}" for w in range(WRITERS) for i in range(traffic.attempted)}
    assert write_gap < MAX_UNAVAILABLE
    assert read_gap < MAX_READ_GAP, "secondaryPreferred reads stalled"
    assert not traffic.read_errors
    assert on_secondaries > 0
    assert checked_out(client) == 0
    return traffic


async def test_primary_step_down(healthy, make_client, record_property):
    async def step_down(traffic, client):
        old = client.primary
        traffic.mark("step_down")
        await client.admin.command("replSetStepDown", 10, secondaryCatchUpPeriodSecs=5)
        stepped = time.monotonic()
        await traffic.until(
            lambda: (
                client.primary not in (None, old)
                and traffic.writes_since(stepped) >= SETTLE
                and traffic.reads_since(stepped) >= SETTLE
            ),
            30,
            "writes on a new primary after the step-down",
        )

    await run_failover(make_client, healthy, record_property, "step_down", step_down)


async def test_primary_killed_and_restarted(healthy, make_client, record_property):
    loop = asyncio.get_running_loop()

    async def kill_and_restart(traffic, client):
        old = client.primary
        victim = next(m for m in healthy.members if m.address == old)
        killed = traffic.mark("sigkill")
        await loop.run_in_executor(None, victim.kill)
        await traffic.until(
            lambda: (
                client.primary not in (None, old)
                and traffic.writes_since(killed) >= SETTLE
                and traffic.reads_since(killed) >= SETTLE
            ),
            30,
            "writes on a new primary after the SIGKILL",
        )
        traffic.mark("restart")
        await loop.run_in_executor(None, victim.restart)
        restarted = traffic.mark("restarted")
        # Back as a secondary in the client's view, and traffic still flowing.
        await traffic.until(
            lambda: (
                old in client.secondaries
                and traffic.writes_since(restarted) >= SETTLE
                and traffic.reads_since(restarted) >= SETTLE
            ),
            60,
            "the restarted member back as a secondary",
        )

    await run_failover(make_client, healthy, record_property, "kill", kill_and_restart)
