"""Shared pytest fixtures for Motor's tests.

Which deployment the tests use:

* ``MOTOR_TEST_URI`` set: that existing deployment; nothing is started.
  ``MOTOR_TEST_TOPOLOGY`` (see ``TOPOLOGIES``) says what it is; if unset, the
  topology is detected with the ``hello`` command.  The URI carries whatever
  TLS and credential options the deployment needs.
* otherwise ``MOTOR_TEST_TOPOLOGY`` picks what test/mongod.py starts, once per
  session (``MOTOR_MONGOD`` may name the mongod binary):

  - "standalone" (default): one mongod;
  - "replset": a three-member replica set;
  - "tls": one mongod that requires TLS and a client certificate (a CA and
    certificates made by test/certs.py); the URI has ``tls=true``,
    ``tlsCAFile`` and ``tlsCertificateKeyFile``;
  - "auth": one mongod with ``--auth`` and a root user; the URI has the
    user's credentials (SCRAM-SHA-256).

  Every client the fixtures make, and every test that builds its own from
  ``deployment.uri``, gets those options from the URI.

``async def`` tests run on a fresh event loop per test, once per framework
in ``FRAMEWORKS`` (see ``Framework``; ``tornado_only`` limits a test to
Tornado; ``MOTOR_TEST_FRAMEWORK=tornado`` or ``asyncio`` keeps one), and fail
if they take longer than ``MOTOR_TEST_TIMEOUT`` seconds (default 60).  Tests
marked ``replset`` are skipped unless the deployment is a replica set.
"""

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import importlib
import inspect
import os
import re
import signal
import threading

import pymongo
import pytest
import tornado.ioloop

TOPOLOGIES = ("standalone", "replset", "tls", "auth")
TEST_DB = "motor_test"
TEST_TIMEOUT = float(os.environ.get("MOTOR_TEST_TIMEOUT", 60))
# If a test blocks its event loop the loop's own timeout cannot fire; SIGALRM
# interrupts it this many seconds later.
HARD_TIMEOUT_GRACE = 10


# --- async frameworks ------------------------------------------------------


class Framework:
    """How to run coroutine functions on one async framework's event loops."""

    name = None

    def new_loop(self):
        raise NotImplementedError

    def run(self, loop, async_fn, timeout=TEST_TIMEOUT):
        """Run ``async_fn()`` to completion on ``loop``; fail after ``timeout``."""
        raise NotImplementedError

    def close_loop(self, loop):
        raise NotImplementedError

    module_name = None
    prefix = None

    def motor_class(self, short_name):
        """This framework's Motor class for ``short_name``: "Client" -> MotorClient."""
        module = importlib.import_module(self.module_name)
        return getattr(module, self.prefix + short_name)

    def client_class(self):
        """The Motor client class for this framework (imported lazily)."""
        return self.motor_class("Client")


class TornadoFramework(Framework):
    name = "tornado"
    module_name = "motor.motor_tornado"
    prefix = "Motor"

    def new_loop(self):
        # A new IOLoop on a new asyncio loop.  We make it current ourselves:
        # IOLoop(make_current=True) would first create (and later leak) an
        # implicit asyncio loop via asyncio.get_event_loop().
        loop = tornado.ioloop.IOLoop(make_current=False)
        asyncio.set_event_loop(loop.asyncio_loop)
        return loop

    def run(self, loop, async_fn, timeout=TEST_TIMEOUT):
        return loop.run_sync(async_fn, timeout=timeout)

    def close_loop(self, loop):
        _cancel_leftover_tasks(loop.asyncio_loop)
        asyncio.set_event_loop(None)
        # Not all_fds=True: sockets are owned by their Python objects.
        loop.close()


class AsyncioFramework(Framework):
    name = "asyncio"
    module_name = "motor.motor_asyncio"
    prefix = "AsyncIOMotor"

    def new_loop(self):
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop

    def run(self, loop, async_fn, timeout=TEST_TIMEOUT):
        async def bounded():
            return await asyncio.wait_for(async_fn(), timeout)

        return loop.run_until_complete(bounded())

    def close_loop(self, loop):
        _cancel_leftover_tasks(loop)
        asyncio.set_event_loop(None)
        loop.close()


FRAMEWORKS = {"tornado": TornadoFramework(), "asyncio": AsyncioFramework()}


def selected_frameworks():
    """The framework names that ``MOTOR_TEST_FRAMEWORK`` keeps (all if unset)."""
    names = os.environ.get("MOTOR_TEST_FRAMEWORK", "").replace(",", " ").split()
    return [name for name in FRAMEWORKS if not names or name in names]


def run_on_new_loop(framework, async_fn, timeout=TEST_TIMEOUT):
    """Run ``async_fn()`` on a fresh event loop of ``framework``, then close it."""
    loop = framework.new_loop()
    try:
        return framework.run(loop, async_fn, timeout)
    finally:
        framework.close_loop(loop)


def _cancel_leftover_tasks(aio_loop):
    tasks = [t for t in asyncio.all_tasks(aio_loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        aio_loop.run_until_complete(asyncio.wait(tasks, timeout=5))
    aio_loop.run_until_complete(aio_loop.shutdown_asyncgens())


class AsyncTestTimeout(Exception):
    pass


@contextlib.contextmanager
def _hard_timeout(seconds):
    """Raise AsyncTestTimeout in the main thread after ``seconds`` (POSIX)."""
    if not hasattr(signal, "setitimer") or (
        threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def on_alarm(signum, frame):
        raise AsyncTestTimeout(f"test still running after {seconds}s; is its event loop blocked?")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """Give every ``async def`` test the ``io_loop`` fixture.

    Done at collection, not in a fixture, so that the test is parametrised
    over the frameworks like any test that asks for ``io_loop`` itself.
    """
    if inspect.iscoroutinefunction(obj) and collector.funcnamefilter(name):
        pytest.mark.usefixtures("io_loop")(obj)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests on the loop of their ``io_loop`` fixture."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    funcargs = pyfuncitem.funcargs
    framework, loop = funcargs["framework"], funcargs["io_loop"]
    kwargs = {name: funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    # ``@pytest.mark.loop_timeout(seconds)``: a test whose work is long by design (a soak).
    marker = pyfuncitem.get_closest_marker("loop_timeout")
    timeout = max(marker.args[0], TEST_TIMEOUT) if marker else TEST_TIMEOUT
    with _hard_timeout(timeout + HARD_TIMEOUT_GRACE):
        framework.run(loop, functools.partial(pyfuncitem.obj, **kwargs), timeout)
    return True


@pytest.fixture(params=selected_frameworks())
def framework(request):
    """The async framework the test runs on: every test that uses a loop runs on each.

    ``@pytest.mark.tornado_only`` keeps a test to Tornado; ``MOTOR_TEST_FRAMEWORK``
    keeps the run to one framework (the matrix's framework axis).
    """
    if request.param != "tornado" and request.node.get_closest_marker("tornado_only"):
        pytest.skip("Tornado-specific test")
    return FRAMEWORKS[request.param]


@pytest.fixture
def motor_class(framework):
    """``motor_class("GridFSBucket")`` is MotorGridFSBucket or AsyncIOMotorGridFSBucket."""
    return framework.motor_class


@pytest.fixture
def io_loop(framework):
    """A fresh event loop, current during the test and closed after it."""
    loop = framework.new_loop()
    yield loop
    framework.close_loop(loop)


# --- deployment ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Deployment:
    uri: str
    topology: str  # one of TOPOLOGIES
    servers: object = None  # a test.mongod deployment; None if external

    @property
    def is_replica_set(self):
        return self.topology == "replset"


def _configured_topology():
    """The topology named by the environment, or None if it must be detected."""
    topology = os.environ.get("MOTOR_TEST_TOPOLOGY")
    if topology or os.environ.get("MOTOR_TEST_URI"):
        return topology
    return "standalone"


def _detect_topology(uri):
    with pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000) as client:
        hello = client.admin.command("hello")
    return "replset" if "setName" in hello else "standalone"


def pytest_configure(config):
    topology = os.environ.get("MOTOR_TEST_TOPOLOGY")
    if topology and topology not in TOPOLOGIES:
        raise pytest.UsageError(f"MOTOR_TEST_TOPOLOGY={topology!r}; expected one of {TOPOLOGIES}")
    names = os.environ.get("MOTOR_TEST_FRAMEWORK", "").replace(",", " ").split()
    unknown = [name for name in names if name not in FRAMEWORKS]
    if unknown:
        raise pytest.UsageError(
            f"MOTOR_TEST_FRAMEWORK={os.environ['MOTOR_TEST_FRAMEWORK']!r}; "
            f"expected one or more of {tuple(FRAMEWORKS)}"
        )


@pytest.fixture(scope="session")
def deployment():
    """The MongoDB deployment under test (see the module docstring)."""
    uri = os.environ.get("MOTOR_TEST_URI")
    if uri:
        yield Deployment(uri, _configured_topology() or _detect_topology(uri))
        return
    from test.mongod import make_deployment

    topology = _configured_topology()
    servers = make_deployment(topology)
    servers.start()
    try:
        yield Deployment(servers.uri, topology, servers)
    finally:
        servers.stop()


# Tests that fail on one deployment for a reason of the test's own, each with the fix it
# waits for; marked xfail (not strict) there, so the matrix and CI stay readable.
@pytest.fixture(autouse=True)
def _skip_by_topology(request):
    if request.node.get_closest_marker("replset"):
        topology = _configured_topology()
        if topology is None:
            topology = request.getfixturevalue("deployment").topology
        if topology != "replset":
            pytest.skip("needs a replica set (MOTOR_TEST_TOPOLOGY=replset)")


# --- clients ---------------------------------------------------------------


@pytest.fixture(scope="session")
def sync_client(deployment):
    """A PyMongo client for setting up and checking test data."""
    client = pymongo.MongoClient(deployment.uri)
    yield client
    client.close()


@pytest.fixture
def client(deployment, framework, io_loop):
    """A Motor client created on the test's loop and closed after the test."""
    client_class = framework.client_class()

    async def create():
        return client_class(deployment.uri)

    async def close():
        result = motor_client.close()
        if inspect.isawaitable(result):
            await result

    motor_client = framework.run(io_loop, create)
    yield motor_client
    framework.run(io_loop, close)


@pytest.fixture
def db(client):
    """The Motor database ``motor_test``."""
    return client[TEST_DB]


def collection_name(node_name):
    """A valid, unique collection name for a test node name."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", node_name)[:80]
    if name != node_name:
        name += "_" + hashlib.sha1(node_name.encode()).hexdigest()[:8]
    return name


@pytest.fixture
def coll(db, sync_client, request):
    """A Motor collection named after the test, empty when the test starts."""
    name = collection_name(request.node.name)
    sync_client[TEST_DB].drop_collection(name)
    return db[name]
