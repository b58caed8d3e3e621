"""The ``stalls`` workload: how long one big operation holds the event loop (issue #14).

A ticker task on the same loop sleeps 1 ms at a time; the longest gap between two of its
wake-ups while an operation runs, less the 1 ms it asked for, is that operation's worst
loop stall: the longest any other request of a web server would have waited. Each
operation's wall-clock time is reported too. Run by workloads.py (families other than
pymongo-sync, which has no loop to stall).
"""

import asyncio
import gc
import os
import statistics
import threading
import time

DB = "motor_bench"
COLL = "stalls"
BIG = "stalls_big"
TICK = 0.001

# operation -> what it does (the metrics are stall_<op> and time_<op>)
OPERATIONS = {
    "insert_many_50k": "insert_many of 50,000 documents of about 260 bytes",
    "to_list_50k": "find().to_list(None) of those 50,000",
    "cursor_50k": "async for over the same find",
    "bulk_write_25k": "bulk_write of 25,000 UpdateOne",
    "gridfs_upload_16mb": "GridFS upload_from_stream, 16 MB",
    "gridfs_download_16mb": "GridFS open_download_stream + read, 16 MB",
    "insert_many_100k": "insert_many of 100,000 documents of about 260 bytes",
    "doc_16mb": "insert_one then find_one of one 16 MB document (a 16,000,000-byte binary)",
}
SCALE = {"full": 1, "quick": 10}  # the quick run divides the document counts


def metrics():
    """metric -> (unit, better, description), for workloads.METRICS."""
    out = {}
    for op, what in OPERATIONS.items():
        out["stall_" + op] = ("ms", "lower", f"worst loop stall during: {what}")
    for op, what in OPERATIONS.items():
        out["time_" + op] = ("ms", "lower", f"time of: {what}")
    for op, what in OPERATIONS.items():
        out["cpustall_" + op] = (
            "CPU ms",
            "lower",
            f"most CPU time the loop's thread used between two ticks during: {what} "
            "less garbage collection (not counting waits for a CPU; blind to other threads)",
        )
    for op, what in OPERATIONS.items():
        out["gc_" + op] = ("ms", "lower", f"longest garbage collection pass during: {what}")
    return out


def stall_doc(i):
    """About 260 BSON bytes once the driver adds an ObjectId ``_id``."""
    return {"name": f"user{i}", "n": i, "score": 0.5, "tags": ["a", "b", "c"], "text": "x" * 148}


class GCPauses:
    """Garbage collection passes while active: the longest one (wall clock, any thread: a
    pass holds the GIL), and the loop thread's CPU time spent in passes it ran."""

    def __init__(self):
        self.worst = 0.0
        self.loop_cpu = 0.0
        self._thread = threading.get_ident()
        self._started = None

    def _callback(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter(), time.thread_time()
        elif self._started is not None:
            wall, cpu = self._started
            self.worst = max(self.worst, time.perf_counter() - wall)
            if threading.get_ident() == self._thread:
                self.loop_cpu += time.thread_time() - cpu
            self._started = None

    def __enter__(self):
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self._callback)


class Ticker:
    """Sleeps TICK at a time on the running loop; ``worst`` is the longest overshoot.

    ``worst_cpu`` is the most CPU time the loop's thread used between two wake-ups, less
    what garbage collection passes took of it: on a loaded machine the wall-clock gaps
    also count the time the process waited for a CPU, and a full GC pass over a large
    heap is the interpreter's, not the driver's. It misses work done on other threads
    (Motor 3's thread pool).
    """

    def __init__(self, pauses):
        self.worst = self.worst_cpu = 0.0
        self._pauses = pauses
        self._running = True
        self._task = None

    async def _run(self):
        pauses = self._pauses
        last, last_cpu = time.perf_counter(), time.thread_time() - pauses.loop_cpu
        while self._running:
            await asyncio.sleep(TICK)
            now, cpu = time.perf_counter(), time.thread_time() - pauses.loop_cpu
            self.worst = max(self.worst, now - last - TICK)
            self.worst_cpu = max(self.worst_cpu, cpu - last_cpu)
            last, last_cpu = now, cpu

    async def __aenter__(self):
        self._task = asyncio.ensure_future(self._run())
        await asyncio.sleep(3 * TICK)  # the ticker is running before the operation starts
        self.worst = self.worst_cpu = 0.0
        return self

    async def __aexit__(self, *exc):
        self._running = False
        await self._task


async def measure(fn, freeze=False):
    """(stall, loop-thread CPU stall, time, longest GC pass), in ms, of one ``await fn()``.

    With ``freeze``, the heap built so far is kept out of the collector's passes
    (``gc.freeze()``) for the operation, as an application can do (gc_freeze.py).
    """
    if freeze:
        gc.collect()
        gc.freeze()
    try:
        with GCPauses() as pauses:
            async with Ticker(pauses) as ticker:
                start = time.perf_counter()
                await fn()
                took = time.perf_counter() - start
    finally:
        if freeze:
            gc.unfreeze()
    return ticker.worst * 1000, ticker.worst_cpu * 1000, took * 1000, pauses.worst * 1000


async def run(db, bucket_class, quick, reps, freeze=False):
    """Every operation ``reps`` times (after one warm-up round); medians per metric."""

    def timed(fn):
        return measure(fn, freeze)

    scale = SCALE["quick" if quick else "full"]
    n50, n100, n25 = 50_000 // scale, 100_000 // scale, 25_000 // scale
    coll, big = db[COLL], db[BIG]
    bucket = bucket_class(db)
    blob = os.urandom(16 * 2**20 // scale)
    from pymongo import UpdateOne

    results = {}

    async def one_round(record):
        await coll.drop()
        docs = [stall_doc(i) for i in range(n50)]
        record("insert_many_50k", await timed(lambda: coll.insert_many(docs)))
        docs = None  # the benchmark's own garbage would make every full GC pass longer

        kept = []

        async def to_list():
            # The result outlives the measurement: freeing 50,000 documents takes the
            # application 50 to 85 ms, whichever driver fetched them.
            kept.append(await coll.find().to_list(None))
            assert len(kept[0]) == n50, len(kept[0])

        record("to_list_50k", await timed(to_list))
        kept.clear()

        async def iterate():
            count = 0
            async for _ in coll.find():
                count += 1
            assert count == n50, count

        record("cursor_50k", await timed(iterate))

        requests = [UpdateOne({"n": i}, {"$set": {"score": 1.5}}) for i in range(n25)]
        await coll.create_index("n")
        record("bulk_write_25k", await timed(lambda: coll.bulk_write(requests)))
        requests = None

        await big.drop()
        docs = [stall_doc(i) for i in range(n100)]
        record("insert_many_100k", await timed(lambda: big.insert_many(docs)))
        docs = None
        await big.drop()

        file_id = []

        async def upload():
            file_id[:] = [await bucket.upload_from_stream("stalls", blob)]

        record("gridfs_upload_16mb", await timed(upload))

        async def download():
            stream = await bucket.open_download_stream(file_id[0])
            assert await stream.read() == blob

        record("gridfs_download_16mb", await timed(download))
        await bucket.delete(file_id[0])

        payload = os.urandom(16_000_000 // scale)

        async def doc_round_trip():
            await big.insert_one({"_id": "big", "data": payload})
            doc = await big.find_one({"_id": "big"})
            assert doc["data"] == payload

        record("doc_16mb", await timed(doc_round_trip))
        await big.drop()

    await one_round(lambda op, value: None)  # warm-up
    for _ in range(reps):

        def record(op, value):
            for prefix, figure in zip(("stall_", "cpustall_", "time_", "gc_"), value, strict=True):
                results.setdefault(prefix + op, []).append(figure)

        await one_round(record)
    await coll.drop()
    return {metric: statistics.median(values) for metric, values in results.items()}
