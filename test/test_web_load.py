"""Connection growth under web load: a Tornado app on Motor, real HTTP on loopback.

The app serves thousands of requests, first one at a time, then 200 at a time, each
request one Motor operation (find_one, insert_one, a sorted page of a cursor, a count).
Measured throughout:

* in this process: the file descriptors, and the TCP sockets connected to the
  deployment's mongods that did not exist before the client (so only this client's);
* in the client: the pools' connections (idle + checked out);
* on the server, from a separate observer process polling ``$currentOp`` with
  ``idleConnections``: the connections whose appname is this client's.

All must stay within ``maxPoolSize`` plus the monitors' two connections per server,
and, once the load stops, come back to a steady state: no HTTP socket left, every
mongod socket either a monitor's or a pooled connection, and with ``maxIdleTimeMS`` the
pool drains back to the monitors alone.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import time

import pytest
import tornado.httpclient
import tornado.httpserver
import tornado.testing
import tornado.web

from test.reliability import (
    MONITOR_CONNECTIONS_PER_SERVER,
    NewSockets,
    figure,
    open_fds,
    pool_state,
    socket_ports,
    wait_until,
)

pytestmark = [pytest.mark.tornado_only, pytest.mark.slow]

MAX_POOL = 20
MAX_IDLE_MS = 500
SERIAL = 1000
CONCURRENT = 2000
IN_FLIGHT = 200
SEED = 200

# Polls every server of the deployment for the connections of one appname; answers
# "now" with the current count and "peak" with the highest count seen since the last
# "peak"; exits at end of input.
OBSERVER = r"""
import json, sys, threading, time
import pymongo
appname, hosts = sys.argv[1], sys.argv[2:]
clients = [pymongo.MongoClient(h, directConnection=True, appname="motor-observer") for h in hosts]
pipeline = [
    {"$currentOp": {"allUsers": True, "idleConnections": True, "localOps": True}},
    {"$match": {"appName": appname}},
    {"$group": {"_id": "$connectionId"}},
    {"$count": "n"},
]
lock = threading.Lock()
state = {"peak": 0, "samples": 0}
def count():
    total = 0
    for c in clients:
        result = list(c.admin.aggregate(pipeline))
        total += result[0]["n"] if result else 0
    return total
def poll():
    while True:
        n = count()
        with lock:
            state["peak"] = max(state["peak"], n)
            state["samples"] += 1
        time.sleep(0.02)
threading.Thread(target=poll, daemon=True).start()
print(json.dumps({"ready": count()}), flush=True)
for line in sys.stdin:
    if line.strip() == "now":
        print(json.dumps({"now": count()}), flush=True)
    elif line.strip() == "peak":
        with lock:
            print(json.dumps({"peak": state["peak"], "samples": state["samples"]}), flush=True)
            state["peak"] = 0
            state["samples"] = 0
"""


class Observer:
    """The server-side connection counter, in its own process (its sockets are not ours)."""

    def __init__(self, appname, hosts):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", OBSERVER, appname, *hosts],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ask(None)

    def ask(self, command):
        if command is not None:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the observer process died")
        return json.loads(line)

    def now(self):
        return self.ask("now")["now"]

    def peak(self):
        return self.ask("peak")

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(10)


class Sampler:
    """Samples fds, mongod sockets and pool size on the loop, keeping the peaks."""

    def __init__(self, client, sockets, interval=0.05):
        self.client = client
        self.sockets = sockets
        self.interval = interval
        self.reset()
        self._task = None

    def reset(self):
        self.peak_fds = 0
        self.peak_mongo = 0
        self.peak_pool = 0
        self.samples = 0

    def sample(self):
        state = pool_state(self.client)
        self.peak_pool = max(self.peak_pool, state["conns"] + state["active_sockets"])
        self.peak_fds = max(self.peak_fds, open_fds())
        self.peak_mongo = max(self.peak_mongo, self.sockets.count())
        self.samples += 1

    async def _run(self):
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def start(self):
        self._task = asyncio.ensure_future(self._run())

    async def stop(self):
        self._task.cancel()
        self.sample()


class DocHandler(tornado.web.RequestHandler):
    def initialize(self, collection):
        self.collection = collection

    async def get(self, n):
        doc = await self.collection.find_one({"_id": int(n)})
        if doc is None:
            raise tornado.web.HTTPError(404)
        self.write(doc)

    async def post(self):
        doc = json.loads(self.request.body)
        result = await self.collection.insert_one(doc)
        self.set_status(201)
        self.write({"inserted": result.inserted_id})


class PageHandler(tornado.web.RequestHandler):
    def initialize(self, collection):
        self.collection = collection

    async def get(self, skip):
        cursor = self.collection.find({"seed": True}).sort("_id").skip(int(skip)).limit(10)
        self.write({"ids": [doc["_id"] async for doc in cursor]})


class CountHandler(tornado.web.RequestHandler):
    def initialize(self, collection):
        self.collection = collection

    async def get(self):
        self.write({"n": await self.collection.count_documents({"seed": True})})


def make_app(collection):
    args = {"collection": collection}
    return tornado.web.Application(
        [
            (r"/doc/(\d+)", DocHandler, args),
            (r"/doc", DocHandler, args),
            (r"/page/(\d+)", PageHandler, args),
            (r"/count", CountHandler, args),
        ]
    )


class Load:
    """Requests the app over HTTP and checks every answer."""

    def __init__(self, base_url, max_clients):
        self.base_url = base_url
        self.http = tornado.httpclient.AsyncHTTPClient(force_instance=True, max_clients=max_clients)
        self.served = 0
        self.posted = 0

    async def request(self, i):
        kind = i % 4
        if kind == 0:
            n = i % SEED
            response = await self.http.fetch(f"{self.base_url}/doc/{n}", request_timeout=60)
            assert json.loads(response.body) == {"_id": n, "seed": True, "n": n * n}
        elif kind == 1:
            response = await self.http.fetch(
                f"{self.base_url}/doc",
                method="POST",
                body=json.dumps({"_id": 1_000_000 + i, "seed": False}),
                request_timeout=60,
            )
            assert response.code == 201 and json.loads(response.body) == {"inserted": 1_000_000 + i}
            self.posted += 1
        elif kind == 2:
            skip = i % (SEED - 10)
            response = await self.http.fetch(f"{self.base_url}/page/{skip}", request_timeout=60)
            assert json.loads(response.body) == {"ids": list(range(skip, skip + 10))}
        else:
            response = await self.http.fetch(f"{self.base_url}/count", request_timeout=60)
            assert json.loads(response.body) == {"n": SEED}
        self.served += 1

    async def serial(self, start, n):
        for i in range(start, start + n):
            await self.request(i)

    async def concurrent(self, start, n, in_flight):
        next_i = iter(range(start, start + n))

        async def worker():
            for i in next_i:
                await self.request(i)

        await asyncio.gather(*(worker() for _ in range(in_flight)))

    def close(self):
        self.http.close()


def http_sockets(port):
    """This process's sockets from or to the app's HTTP port."""
    return sum(1 for local, remote in socket_ports().values() if port in (local, remote))


def deployment_hosts(deployment, client):
    if deployment.servers is not None:
        return ["%s:%d" % m.address for m in deployment.servers.members]
    return ["%s:%d" % address for address in client.nodes]


# Thousands of loopback HTTP requests can outlast the default per-test limit on a
# loaded machine; this test drives its loop itself, with its own bound.
TIMEOUT = 300


def test_connections_and_fds_under_web_load(deployment, framework, io_loop, record_property):
    framework.run(
        io_loop, lambda: web_load(deployment, framework, record_property), timeout=TIMEOUT
    )


async def web_load(deployment, framework, record_property):
    appname = f"motor-web-load-{framework.name}"
    gc.collect()
    client = framework.client_class()(
        deployment.uri, maxPoolSize=MAX_POOL, maxIdleTimeMS=MAX_IDLE_MS, appname=appname
    )
    hosts = deployment_hosts(deployment, client)
    mongo_ports = {int(h.rsplit(":", 1)[1]) for h in hosts}
    monitors = MONITOR_CONNECTIONS_PER_SERVER * len(hosts)
    bound = MAX_POOL + monitors
    sockets = NewSockets(mongo_ports)
    observer = Observer(appname, hosts)
    collection = client.motor_test.web_load
    await collection.drop()
    await collection.insert_many([{"_id": n, "seed": True, "n": n * n} for n in range(SEED)])
    await client.open()

    sock, port = tornado.testing.bind_unused_port()
    server = tornado.httpserver.HTTPServer(make_app(collection))
    server.add_sockets([sock])
    load = Load(f"http://127.0.0.1:{port}", IN_FLIGHT)
    sampler = Sampler(client, sockets)
    baseline_fds = open_fds()
    baseline_mongo = sockets.count()
    observer.peak()
    figures = {"monitors": monitors, "bound_pool_plus_monitors": bound}
    cpu = time.process_time()
    try:
        sampler.start()
        started = time.monotonic()
        await load.serial(0, SERIAL)
        figures["serial_requests_per_s"] = round(SERIAL / (time.monotonic() - started))
        await sampler.stop()
        serial_server = observer.peak()
        figures["serial_peak_pool"] = sampler.peak_pool
        figures["serial_peak_mongod_sockets"] = sampler.peak_mongo
        figures["serial_peak_server_connections"] = serial_server["peak"]
        figures["serial_peak_fds_over_baseline"] = sampler.peak_fds - baseline_fds

        sampler.reset()
        sampler.start()
        started = time.monotonic()
        await load.concurrent(SERIAL, CONCURRENT, IN_FLIGHT)
        figures["concurrent_requests_per_s"] = round(CONCURRENT / (time.monotonic() - started))
        await sampler.stop()
        concurrent_server = observer.peak()
        figures["concurrent_peak_pool"] = sampler.peak_pool
        figures["concurrent_peak_mongod_sockets"] = sampler.peak_mongo
        figures["concurrent_peak_server_connections"] = concurrent_server["peak"]
        figures["concurrent_peak_fds_over_baseline"] = sampler.peak_fds - baseline_fds
        figures["server_samples"] = serial_server["samples"] + concurrent_server["samples"]
        figures["requests_served"] = load.served
        figures["process_cpu_s"] = round(time.process_time() - cpu, 1)
    finally:
        load.close()
        server.stop()
        await server.close_all_connections()

    try:
        # Steady state 1: no HTTP socket left; every mongod socket is a monitor's or pooled.
        def settled():
            # Every mongod socket a monitor's or pooled; no HTTP socket left; no fd
            # beyond the baseline's but this client's (other fds may close meanwhile).
            state = pool_state(client)
            mongo = sockets.count()
            return (
                mongo == monitors + state["conns"]
                and http_sockets(port) == 0
                and open_fds() <= baseline_fds - 1 + mongo - baseline_mongo  # -1: the listener
            )

        figures["settle_s"] = round(await wait_until(settled, 10, "sockets settled"), 3)
        state = pool_state(client)
        figures["idle_pool_after_load"] = state["conns"]

        # Steady state 2: idle connections pruned after maxIdleTimeMS, monitors remain.
        # PyMongo's periodic thread closes them at once; their fd numbers are freed on
        # the loop's next turn (see motor/bridge/socket.py).
        def pruned():
            return (
                pool_state(client)["conns"] == 0
                and sockets.count() == monitors
                and open_fds() - baseline_fds <= monitors - baseline_mongo - 1
            )

        figures["prune_s"] = round(await wait_until(pruned, 10, "idle connections pruned"), 3)
        # The server learns of a closed connection on its own time (its thread must see
        # the EOF): wait, bounded, for its count too. observer.now() answers in a few ms.
        figures["server_settle_s"] = round(
            await wait_until(lambda: observer.now() == monitors, 10, "server's connection count"),
            3,
        )
        server_after = observer.now()
        figures["server_connections_after"] = server_after
        figures["mongod_sockets_after"] = sockets.count()
        figures["fds_after_minus_baseline"] = open_fds() - baseline_fds
        stored = await collection.count_documents({"seed": False})
    finally:
        for name, value in figures.items():
            figure(record_property, f"web_{name}", value)
        observer.close()
        await client.close()

    assert load.served == SERIAL + CONCURRENT
    assert stored == load.posted == (SERIAL + CONCURRENT) // 4
    # One request at a time needs one connection.
    assert figures["serial_peak_pool"] == 1
    assert figures["serial_peak_mongod_sockets"] <= 1 + monitors
    assert serial_server["peak"] <= 1 + monitors
    # 200 at a time: within maxPoolSize plus the monitors.
    assert figures["concurrent_peak_pool"] <= MAX_POOL
    assert figures["concurrent_peak_mongod_sockets"] <= bound
    assert concurrent_server["peak"] <= bound
    # Each in-flight request holds two loopback sockets (client and server side).
    assert figures["concurrent_peak_fds_over_baseline"] <= 2 * IN_FLIGHT + bound
    assert state["requests"] == state["active_sockets"] == state["pending"] == 0
    assert server_after == monitors
    assert figures["fds_after_minus_baseline"] <= monitors - baseline_mongo - 1
