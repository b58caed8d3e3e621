"""Run one benchmark workload on one client implementation; print one JSON line.

    python bench/workloads.py FAMILY WORKLOAD --uri URI [--quick] [--profile REPORT.txt]

FAMILY is how the client is driven, not which package provides it:

* ``motor-tornado``  ``motor.MotorClient``                    (Motor 4 or Motor 3)
* ``motor-asyncio``  ``motor.motor_asyncio.AsyncIOMotorClient`` (Motor 4 or Motor 3)
* ``pymongo-async``  ``pymongo.AsyncMongoClient``
* ``pymongo-sync``   ``pymongo.MongoClient`` (threads where the workload is concurrent)

run.py picks the interpreter (and so which ``motor`` is imported). Every async family
runs inside ``asyncio.run``; Tornado's IOLoop wraps that loop. The data the read
workloads need (``DOCS``) is created once by run.py with ``create_docs``.
"""

import argparse
import asyncio
import contextlib
import inspect
import itertools
import json
import os
import statistics
import sys
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import stalls

DB = "motor_bench"
DOCS = "docs"  # N_DOCS documents with _id 0 .. N_DOCS-1
SCRATCH = "scratch"  # dropped before each write workload
N_DOCS = 50_000
CONCURRENCY = 64
IN_FLIGHT = 1000
HTTP_CLIENTS = 100

SIZES = {
    "full": dict(
        seq_ops=2000,
        conc_ops=5000,
        cursor_docs=50_000,
        insert_many_docs=50_000,
        gridfs_mb=10,
        reps=3,
        http_warmup=1.0,
        http_seconds=4.0,
        heap_ops=200,
        stall_reps=3,
    ),
    "quick": dict(
        seq_ops=300,
        conc_ops=1280,
        cursor_docs=5000,
        insert_many_docs=5000,
        gridfs_mb=10,
        reps=1,
        http_warmup=0.3,
        http_seconds=1.0,
        heap_ops=20,
        stall_reps=1,
    ),
}

# metric -> (unit, which way is better, what it measures)
METRICS = {
    "find_one_seq": ("µs/op", "lower", "find_one by _id, one at a time"),
    "find_one_seq_cpu": ("CPU µs/op", "lower", "client process CPU time (all threads) per op"),
    "find_one_seq_runq": (
        "µs/op",
        "lower",
        "time the client's threads sat runnable, waiting "
        "for a CPU (Linux schedstat run delay, summed over threads), per op",
    ),
    "find_one_c64": ("ops/s", "higher", f"find_one by _id from {CONCURRENCY} concurrent tasks"),
    "find_one_c64_cpu": ("CPU µs/op", "lower", "client process CPU time per op"),
    "find_one_c64_runq": ("µs/op", "lower", "client threads' run-queue wait per op"),
    "insert_one_c64": ("ops/s", "higher", f"insert_one from {CONCURRENCY} concurrent tasks"),
    "insert_one_c64_cpu": ("CPU µs/op", "lower", "client process CPU time per op"),
    "insert_one_c64_runq": ("µs/op", "lower", "client threads' run-queue wait per op"),
    "cursor_50k": ("ms", "lower", "iterate a 50,000-document find cursor"),
    "insert_many_50k": ("ms", "lower", "insert_many of 50,000 documents"),
    "gridfs_upload_10mb": ("ms", "lower", "GridFS upload_from_stream, 10 MB"),
    "gridfs_download_10mb": ("ms", "lower", "GridFS open_download_stream + read, 10 MB"),
    "http_find_one": (
        "req/s",
        "higher",
        f"Tornado handler doing one find_one, {HTTP_CLIENTS} keep-alive HTTP clients",
    ),
    "rss_peak_1000": ("MB", "lower", f"peak RSS of the process, {IN_FLIGHT} find_one in flight"),
    "rss_growth_1000": ("MB", "lower", f"peak RSS minus RSS before the {IN_FLIGHT}-op bursts"),
    "heap_per_inflight_op": (
        "KiB",
        "lower",
        f"tracemalloc peak during a {IN_FLIGHT}-op burst, per operation",
    ),
    "heap_per_op": ("KiB", "lower", "tracemalloc high-water of one sequential find_one"),
    **stalls.metrics(),
}

WORKLOADS = {  # workload (one subprocess) -> the metrics it reports
    "find_one_seq": ["find_one_seq", "find_one_seq_cpu", "find_one_seq_runq"],
    "find_one_c64": ["find_one_c64", "find_one_c64_cpu", "find_one_c64_runq"],
    "insert_one_c64": ["insert_one_c64", "insert_one_c64_cpu", "insert_one_c64_runq"],
    "cursor": ["cursor_50k"],
    "insert_many": ["insert_many_50k"],
    "gridfs": ["gridfs_upload_10mb", "gridfs_download_10mb"],
    "http": ["http_find_one"],
    "memory": ["rss_peak_1000", "rss_growth_1000", "heap_per_inflight_op", "heap_per_op"],
    "stalls": list(stalls.metrics()),
}

LOADGEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "httpload.py")


class Skip(Exception):
    """This workload cannot run on this implementation (reported, not an error)."""


def make_doc(i, with_id=True):
    """A document of about 200 BSON bytes; without ``_id`` the driver adds an ObjectId."""
    doc = {"name": f"user{i}", "n": i, "score": 0.5, "tags": ["a", "b", "c"], "text": "x" * 100}
    if with_id:
        doc["_id"] = i
    return doc


def create_docs(uri):
    """(Re)create DOCS with PyMongo; called once by run.py before any round."""
    import pymongo

    with pymongo.MongoClient(uri) as client:
        coll = client[DB][DOCS]
        coll.drop()
        coll.insert_many([make_doc(i) for i in range(N_DOCS)])


def _status_mb(field):
    """VmRSS (now) or VmHWM (peak) of this process, from /proc (Linux only).

    Not getrusage's ru_maxrss: Linux carries that across exec, so a child would report
    its parent's peak if it was higher.
    """
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def _ms(seconds):
    return seconds * 1000


def run_queue_seconds():
    """Seconds this process's threads have spent runnable but not running (Linux schedstat).

    On a loaded machine this is the part of the wall-clock time that is the scheduler's,
    not the client's: the ``*_runq`` metrics. None where schedstat is unavailable.
    """
    total = 0
    try:
        for task in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{task}/schedstat") as f:
                    total += int(f.read().split()[1])
            except (OSError, IndexError, ValueError):
                continue  # a thread that just ended
    except OSError:
        return None
    return total / 1e9


class Timer:
    """Wall time, process CPU time and run-queue wait of a ``with`` block; ``rates(name, n)``
    reports all three."""

    def __enter__(self):
        self.runq = run_queue_seconds()
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        end = run_queue_seconds()
        self.runq = None if end is None or self.runq is None else end - self.runq

    def rates(self, name, n, per_second=True):
        main = n / self.wall if per_second else self.wall / n * 1e6
        out = {name: main, name + "_cpu": self.cpu / n * 1e6}
        if self.runq is not None:
            out[name + "_runq"] = self.runq / n * 1e6
        return out


# -- clients ------------------------------------------------------------------------
def client_class(family):
    if family == "motor-tornado":
        import motor

        return motor.MotorClient
    if family == "motor-asyncio":
        import motor.motor_asyncio

        return motor.motor_asyncio.AsyncIOMotorClient
    import pymongo

    return pymongo.AsyncMongoClient if family == "pymongo-async" else pymongo.MongoClient


def bucket_class(family):
    """The GridFSBucket class for ``family``; Skip if it cannot be imported."""
    try:
        if family == "motor-tornado":
            import motor.motor_tornado

            return motor.motor_tornado.MotorGridFSBucket
        if family == "motor-asyncio":
            import motor.motor_asyncio

            return motor.motor_asyncio.AsyncIOMotorGridFSBucket
        import gridfs

        return gridfs.AsyncGridFSBucket if family == "pymongo-async" else gridfs.GridFSBucket
    except (ImportError, AttributeError) as exc:
        raise Skip(f"no GridFS bucket class: {exc}") from None


def versions(family):
    import bson
    import pymongo
    import tornado

    info = {
        "python": sys.version.split()[0],
        "pymongo": pymongo.version,
        "pymongo_c": pymongo.has_c(),
        "bson_c": bson.has_c(),
        "tornado": tornado.version,
    }
    if family.startswith("motor"):
        info["motor"] = sys.modules["motor"].version
    if "greenlet" in sys.modules:  # Motor 4 imports it; Motor 3 does not
        info["greenlet"] = sys.modules["greenlet"].__version__
    return info


# -- async workloads (Motor 4, Motor 3, AsyncMongoClient) -----------------------------
async def gather_workers(op, total, workers):
    """Run ``op(i)`` for i in range(total), split over ``workers`` concurrent tasks."""
    per = total // workers

    async def worker(w):
        for i in range(w * per, (w + 1) * per):
            await op(i)

    await asyncio.gather(*(worker(w) for w in range(workers)))
    return per * workers


async def a_find_one_seq(db, size, family):
    coll = db[DOCS]
    for i in range(200):
        await coll.find_one({"_id": i})
    n = size["seq_ops"]
    with Timer() as timer:
        for i in range(n):
            await coll.find_one({"_id": i % N_DOCS})
    return timer.rates("find_one_seq", n, per_second=False)


async def a_find_one_c64(db, size, family):
    coll = db[DOCS]

    async def op(i):
        await coll.find_one({"_id": i * 7919 % N_DOCS})

    await gather_workers(op, CONCURRENCY * 10, CONCURRENCY)  # warm the pool
    with Timer() as timer:
        n = await gather_workers(op, size["conc_ops"], CONCURRENCY)
    return timer.rates("find_one_c64", n)


async def a_insert_one_c64(db, size, family):
    coll = db[SCRATCH]
    await coll.drop()

    async def op(i):
        await coll.insert_one(make_doc(i, with_id=False))

    await gather_workers(op, CONCURRENCY * 10, CONCURRENCY)
    with Timer() as timer:
        n = await gather_workers(op, size["conc_ops"], CONCURRENCY)
    return timer.rates("insert_one_c64", n)


async def a_cursor(db, size, family):
    n = size["cursor_docs"]
    times = []
    for _rep in range(size["reps"] + 1):  # the first is a warm-up
        start = time.perf_counter()
        count = 0
        async for _ in db[DOCS].find({}).limit(n):
            count += 1
        times.append(time.perf_counter() - start)
        assert count == n, count
    return {"cursor_50k": _ms(statistics.median(times[1:]))}


async def a_insert_many(db, size, family):
    coll = db[SCRATCH]
    times = []
    for _rep in range(size["reps"] + 1):
        await coll.drop()
        docs = [make_doc(i, with_id=False) for i in range(size["insert_many_docs"])]
        start = time.perf_counter()
        await coll.insert_many(docs)
        times.append(time.perf_counter() - start)
    return {"insert_many_50k": _ms(statistics.median(times[1:]))}


async def a_gridfs(db, size, family):
    bucket = bucket_class(family)(db)
    data = os.urandom(size["gridfs_mb"] * 2**20)
    await db.fs.files.drop()
    await db.fs.chunks.drop()
    up, down = [], []
    for rep in range(size["reps"] + 1):
        start = time.perf_counter()
        file_id = await bucket.upload_from_stream(f"bench{rep}", data)
        up.append(time.perf_counter() - start)
        start = time.perf_counter()
        stream = await bucket.open_download_stream(file_id)
        got = await stream.read()
        down.append(time.perf_counter() - start)
        assert got == data
        await bucket.delete(file_id)
    return {
        "gridfs_upload_10mb": _ms(statistics.median(up[1:])),
        "gridfs_download_10mb": _ms(statistics.median(down[1:])),
    }


async def a_http(db, size, family):
    import tornado.web

    coll = db[DOCS]
    ids = itertools.count()

    if family == "pymongo-sync":

        class Handler(tornado.web.RequestHandler):
            def get(self):  # blocks the IOLoop for each query
                self.write(coll.find_one({"_id": next(ids) % N_DOCS})["name"])
    else:

        class Handler(tornado.web.RequestHandler):
            async def get(self):
                doc = await coll.find_one({"_id": next(ids) % N_DOCS})
                self.write(doc["name"])

    return {"http_find_one": await serve_and_load(Handler, size)}


async def serve_and_load(handler, size):
    """Serve ``handler`` on a free port; return req/s measured by httpload.py."""
    import tornado.httpserver
    import tornado.netutil
    import tornado.web

    app = tornado.web.Application([("/", handler)], log_function=lambda _: None)
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        LOADGEN,
        str(port),
        "--clients",
        str(HTTP_CLIENTS),
        "--warmup",
        str(size["http_warmup"]),
        "--seconds",
        str(size["http_seconds"]),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    server.stop()
    if proc.returncode:
        raise RuntimeError(f"httpload.py exited with {proc.returncode}")
    return json.loads(out)["rps"]


async def a_memory(db, size, family):
    coll = db[DOCS]

    def burst():
        return asyncio.gather(*(coll.find_one({"_id": i}) for i in range(IN_FLIGHT)))

    await coll.find_one({"_id": 0})
    before = _status_mb("VmRSS")
    for _ in range(2):
        await burst()
    peak = _status_mb("VmHWM")
    result = {"rss_peak_1000": peak, "rss_growth_1000": peak - before}
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    await burst()
    result["heap_per_inflight_op"] = (tracemalloc.get_traced_memory()[1] - base) / IN_FLIGHT / 1024
    total = 0
    for i in range(size["heap_ops"]):
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        await coll.find_one({"_id": i})
        total += tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    result["heap_per_op"] = total / size["heap_ops"] / 1024
    return result


async def a_stalls(db, size, family):
    return await stalls.run(db, bucket_class(family), size is SIZES["quick"], size["stall_reps"])


# -- synchronous PyMongo: the same operations, threads for concurrency ---------------------
def run_threads(op, total, workers):
    per = total // workers

    def worker(w):
        for i in range(w * per, (w + 1) * per):
            op(i)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(worker, range(workers)))
    return per * workers


def s_find_one_seq(db, size, family):
    coll = db[DOCS]
    for i in range(200):
        coll.find_one({"_id": i})
    n = size["seq_ops"]
    with Timer() as timer:
        for i in range(n):
            coll.find_one({"_id": i % N_DOCS})
    return timer.rates("find_one_seq", n, per_second=False)


def s_find_one_c64(db, size, family):
    coll = db[DOCS]

    def op(i):
        coll.find_one({"_id": i * 7919 % N_DOCS})

    run_threads(op, CONCURRENCY * 10, CONCURRENCY)
    with Timer() as timer:
        n = run_threads(op, size["conc_ops"], CONCURRENCY)
    return timer.rates("find_one_c64", n)


def s_insert_one_c64(db, size, family):
    coll = db[SCRATCH]
    coll.drop()

    def op(i):
        coll.insert_one(make_doc(i, with_id=False))

    run_threads(op, CONCURRENCY * 10, CONCURRENCY)
    with Timer() as timer:
        n = run_threads(op, size["conc_ops"], CONCURRENCY)
    return timer.rates("insert_one_c64", n)


def s_cursor(db, size, family):
    n = size["cursor_docs"]
    times = []
    for _rep in range(size["reps"] + 1):
        start = time.perf_counter()
        count = sum(1 for _ in db[DOCS].find({}).limit(n))
        times.append(time.perf_counter() - start)
        assert count == n, count
    return {"cursor_50k": _ms(statistics.median(times[1:]))}


def s_insert_many(db, size, family):
    coll = db[SCRATCH]
    times = []
    for _rep in range(size["reps"] + 1):
        coll.drop()
        docs = [make_doc(i, with_id=False) for i in range(size["insert_many_docs"])]
        start = time.perf_counter()
        coll.insert_many(docs)
        times.append(time.perf_counter() - start)
    return {"insert_many_50k": _ms(statistics.median(times[1:]))}


def s_gridfs(db, size, family):
    bucket = bucket_class(family)(db)
    data = os.urandom(size["gridfs_mb"] * 2**20)
    db.fs.files.drop()
    db.fs.chunks.drop()
    up, down = [], []
    for rep in range(size["reps"] + 1):
        start = time.perf_counter()
        file_id = bucket.upload_from_stream(f"bench{rep}", data)
        up.append(time.perf_counter() - start)
        start = time.perf_counter()
        got = bucket.open_download_stream(file_id).read()
        down.append(time.perf_counter() - start)
        assert got == data
        bucket.delete(file_id)
    return {
        "gridfs_upload_10mb": _ms(statistics.median(up[1:])),
        "gridfs_download_10mb": _ms(statistics.median(down[1:])),
    }


def s_stalls(db, size, family):
    raise Skip("a synchronous client has no event loop to stall")


def s_http(db, size, family):
    return asyncio.run(a_http(db, size, family))


def s_memory(db, size, family):
    coll = db[DOCS]

    def burst():
        threads = [
            threading.Thread(target=coll.find_one, args=({"_id": i},)) for i in range(IN_FLIGHT)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    coll.find_one({"_id": 0})
    before = _status_mb("VmRSS")
    for _ in range(2):
        burst()
    peak = _status_mb("VmHWM")
    result = {"rss_peak_1000": peak, "rss_growth_1000": peak - before}
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    burst()
    result["heap_per_inflight_op"] = (tracemalloc.get_traced_memory()[1] - base) / IN_FLIGHT / 1024
    total = 0
    for i in range(size["heap_ops"]):
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        coll.find_one({"_id": i})
        total += tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    result["heap_per_op"] = total / size["heap_ops"] / 1024
    return result


# -- entry point ------------------------------------------------------------------------
async def run_async(family, workload, uri, size, profiler):
    client = client_class(family)(uri)
    try:
        db = client[DB]
        await db.command("ping")
        with profiler:
            return await globals()["a_" + workload](db, size, family)
    finally:
        closing = client.close()
        if inspect.isawaitable(closing):
            await closing


def run_sync(family, workload, uri, size, profiler):
    client = client_class(family)(uri)
    try:
        db = client[DB]
        db.command("ping")
        with profiler:
            return globals()["s_" + workload](db, size, family)
    finally:
        client.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "family", choices=["motor-tornado", "motor-asyncio", "pymongo-async", "pymongo-sync"]
    )
    parser.add_argument("workload", choices=list(WORKLOADS))
    parser.add_argument("--uri", required=True)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="sample the workload's CPU time "
        "(warm-up included) with cpuprofile.py; write the report to FILE",
    )
    args = parser.parse_args(argv)
    size = SIZES["quick" if args.quick else "full"]
    profiler = contextlib.nullcontext()
    if args.profile:
        from cpuprofile import Sampler

        profiler = Sampler()
    out = {"family": args.family, "workload": args.workload}
    try:
        if args.family == "pymongo-sync":
            out["metrics"] = run_sync(args.family, args.workload, args.uri, size, profiler)
        else:
            out["metrics"] = asyncio.run(
                run_async(args.family, args.workload, args.uri, size, profiler)
            )
    except Skip as exc:
        out["skipped"] = str(exc)
    out["versions"] = versions(args.family)
    if args.profile:
        with open(args.profile, "w") as f:
            f.write(profiler.report())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
