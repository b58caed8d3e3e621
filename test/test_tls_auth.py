"""TLS and authentication through the bridge's green connect (motor/bridge/connect.py).

This module starts its own servers: a TLS-only ``mongod`` (``--tlsMode requireTLS``,
client certificates required) and one with ``--auth``, with a CA, server and client
certificates made for the session by test/certs.py. mongod refuses to start with an
expired certificate, so the expired server certificate is presented by a small Python
TLS endpoint instead.

* TLS round trips, many handshakes at once, a 15 MB document over TLS, an encrypted
  client key: all through Motor's own handshake (``green_socket_interface``).
* A wrong CA, an expired certificate, a hostname mismatch, a missing client certificate:
  refused with PyMongo's error, naming the failure (compared with plain PyMongo), both
  as the monitor sees it (``ServerSelectionTimeoutError``) and through Motor's own
  handshake (``loadBalanced=true`` has no monitor, so the operation's pool connects).
* A failed, timed-out or cancelled handshake closes its socket at once.
* SCRAM-SHA-1 and SCRAM-SHA-256, right and wrong passwords (``OperationFailure`` code
  18), and no credential in ``repr()``, in the ``pymongo`` loggers at DEBUG, or in any
  error message.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import secrets
import socket
import ssl
import threading
import time
import urllib.parse
import warnings

import pymongo
import pytest
from pymongo import monitoring
from pymongo.errors import (
    AutoReconnect,
    NetworkTimeout,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from motor.bridge.compat import connection_socket
from motor.bridge.greenlets import live_greenlets
from test.certs import make_certs
from test.mongod import Standalone
from test.reliability import LoopLag, Silent, checked_out, direct_client, fds_to, figure

# This module starts its own servers and never uses the session's deployment, so it
# runs in the standalone environment only: the replica-set run would repeat it.
pytestmark = pytest.mark.skipif(
    os.environ.get("MOTOR_TEST_TOPOLOGY") == "replset",
    reason="own servers; runs in the standalone environment",
)

SELECTION_MS = 1000


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return make_certs(str(tmp_path_factory.mktemp("motor-certs")))


def tls_args(certs):
    return dict(tls=True, tlsCAFile=certs.ca, tlsCertificateKeyFile=certs.client)


@pytest.fixture(scope="module")
def tls_server(certs):
    standalone = Standalone(
        extra_args=[
            "--tlsMode",
            "requireTLS",
            "--tlsCertificateKeyFile",
            certs.server,
            "--tlsCAFile",
            certs.ca,
        ],
        client_options=tls_args(certs),
    )
    standalone.start()
    yield standalone.server
    standalone.stop()


class TLSEndpoint:
    """A loopback TLS server (a thread) presenting ``cert``; it speaks no MongoDB."""

    def __init__(self, cert):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.address = self.listener.getsockname()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                pass
            finally:
                conn.close()

    def close(self):
        self.listener.close()


@pytest.fixture(scope="module")
def expired_endpoint(certs):
    endpoint = TLSEndpoint(certs.expired_server)
    yield endpoint
    endpoint.close()


@pytest.fixture
def make_client(framework):
    clients = []

    def make(*args, **kwargs):
        client = framework.client_class()(*args, **kwargs)
        clients.append(client)
        # Start PyMongo's threads now, not in the first measured operation (see
        # test_timeouts.open_topology).
        client.delegate._get_topology()
        return client

    yield make
    for client in clients:
        client.delegate.close()


async def in_thread(fn, *args):
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


def pymongo_error(host, port, **kwargs):
    """The error plain PyMongo raises for a find_one with these options (on a thread)."""
    with pymongo.MongoClient(host, port, **kwargs) as client:
        try:
            client.motor_test.c.find_one({})
        except PyMongoError as exc:
            return exc
    return None


class Handshakes(monitoring.ConnectionPoolListener):
    def __init__(self):
        self.ready = 0

    def connection_ready(self, event):
        self.ready += 1

    def pool_created(self, event):
        pass

    def pool_ready(self, event):
        pass

    def pool_cleared(self, event):
        pass

    def pool_closed(self, event):
        pass

    def connection_created(self, event):
        pass

    def connection_closed(self, event):
        pass

    def connection_check_out_started(self, event):
        pass

    def connection_check_out_failed(self, event):
        pass

    def connection_checked_out(self, event):
        pass

    def connection_checked_in(self, event):
        pass


# --- TLS that works ------------------------------------------------------------------


@pytest.mark.parametrize("key", ["plain", "encrypted"])
async def test_tls_round_trips(make_client, tls_server, certs, key, record_property):
    options = tls_args(certs)
    if key == "encrypted":
        options.update(
            tlsCertificateKeyFile=certs.client_encrypted,
            tlsCertificateKeyFilePassword=certs.client_key_password,
        )
    handshakes = Handshakes()
    client = make_client(
        *tls_server.address, maxPoolSize=10, event_listeners=[handshakes], **options
    )
    collection = client.motor_test[f"tls_{key}"]
    await collection.drop()
    await collection.insert_many([{"_id": i} for i in range(100)])
    async with LoopLag() as lag:
        started = time.monotonic()
        docs = await asyncio.gather(*(collection.find_one({"_id": i}) for i in range(100)))
        concurrent = time.monotonic() - started
    assert [d["_id"] for d in docs] == list(range(100))
    big = "x" * (15 * 1024 * 1024)
    started = time.monotonic()
    await collection.insert_one({"_id": "big", "big": big})
    assert (await collection.find_one({"_id": "big"}))["big"] == big
    big_round_trip = time.monotonic() - started
    pools = [s.pool for s in client.delegate._topology._servers.values()]
    sockets = [connection_socket(conn).sock for pool in pools for conn in pool.conns]
    assert sockets and all(isinstance(s, ssl.SSLSocket) for s in sockets)
    versions = sorted({s.version() for s in sockets})
    assert handshakes.ready == len(sockets) <= 10
    assert checked_out(client) == 0
    figure(record_property, f"tls_{key}_handshakes", handshakes.ready)
    figure(record_property, f"tls_{key}_versions", ",".join(versions))
    figure(record_property, f"tls_{key}_100_concurrent_finds_s", round(concurrent, 3), "s")
    figure(record_property, f"tls_{key}_loop_lag_ms", round(lag.worst_own * 1000, 1), "ms")
    figure(record_property, f"tls_{key}_15MB_round_trip_s", round(big_round_trip, 3), "s")


# --- TLS refused ---------------------------------------------------------------------

REFUSALS = {
    # case: the texts of which the error must contain one
    "wrong_ca": ["certificate verify failed: self-signed certificate in certificate chain"],
    "expired": ["certificate verify failed: certificate has expired"],
    "hostname_mismatch": ["certificate verify failed: Hostname mismatch"],
    # The server refuses a client without a certificate after the TLS 1.3 handshake:
    # the client's first read meets its alert or, if the connection is torn down
    # first, a closed or reset connection (a race on the server's side, the same for
    # PyMongo). Compared with PyMongo by type only.
    "no_client_certificate": ["certificate required", "connection closed", "reset by peer"],
}


def refusal(case, certs, tls_server, expired_endpoint):
    """(host, port, options) for one refusal case."""
    host, port = tls_server.address
    options = tls_args(certs)
    if case == "wrong_ca":
        options["tlsCAFile"] = certs.other_ca
    elif case == "expired":
        host, port = expired_endpoint.address
    elif case == "hostname_mismatch":
        host = "localhost"  # the server's certificate names 127.0.0.1 only
    elif case == "no_client_certificate":
        del options["tlsCertificateKeyFile"]
    return host, port, options


@pytest.mark.parametrize("case", list(REFUSALS))
@pytest.mark.parametrize("path", ["monitor", "motor_handshake"])
async def test_tls_refused(
    make_client, tls_server, certs, expired_endpoint, case, path, record_property
):
    host, port, options = refusal(case, certs, tls_server, expired_endpoint)
    if path == "monitor":
        options["serverSelectionTimeoutMS"] = SELECTION_MS
    else:
        options.update(loadBalanced=True, retryReads=False)
    client = make_client(host, port, **options)
    async with LoopLag() as lag:
        started = time.monotonic()
        with pytest.raises(PyMongoError) as info:
            await client.motor_test.c.find_one({})
        elapsed = time.monotonic() - started
    reference = await in_thread(lambda: pymongo_error(host, port, **options))
    exc = info.value
    figure(record_property, f"tls_refused_{case}_{path}_error_s", round(elapsed, 3), "s")
    figure(
        record_property,
        f"tls_refused_{case}_{path}_loop_lag_ms",
        round(lag.worst_own * 1000, 1),
        "ms",
    )
    print(f"  {type(exc).__name__}: {str(exc)[:200]}")
    assert type(exc) is type(reference)
    assert type(exc) is (ServerSelectionTimeoutError if path == "monitor" else AutoReconnect)
    assert any(text in str(exc) for text in REFUSALS[case]), str(exc)
    assert f"{host}:{port}" in str(exc)
    if path == "motor_handshake" and case != "no_client_certificate":
        assert str(exc) == str(reference)
        assert elapsed < 1.0
    assert lag.worst_own < 0.050
    assert checked_out(client) == 0


async def test_tls_handshake_timeout(make_client, certs, record_property):
    # A server that accepts TCP and never answers the ClientHello.
    silent = Silent()
    asyncio.get_running_loop().add_reader(silent.listener.fileno(), silent.accept_all)
    try:
        options = dict(tls_args(certs), loadBalanced=True, retryReads=False, connectTimeoutMS=400)
        client = make_client(*silent.address, **options)
        async with LoopLag() as lag:
            started = time.monotonic()
            with pytest.raises(PyMongoError) as info:
                await client.motor_test.c.find_one({})
            elapsed = time.monotonic() - started
        reference = await in_thread(lambda: pymongo_error(*silent.address, **options))
    finally:
        asyncio.get_running_loop().remove_reader(silent.listener.fileno())
        silent.close()
    figure(record_property, "tls_handshake_timeout_s", round(elapsed, 3), "s")
    figure(
        record_property, "tls_handshake_timeout_loop_lag_ms", round(lag.worst_own * 1000, 1), "ms"
    )
    assert type(info.value) is type(reference) is NetworkTimeout
    # PyMongo's text quotes the ssl module ("_ssl.c:989: The handshake operation timed
    # out"), Motor's the GreenSocket ("timed out"); the rest is the same.
    prefix = "SSL handshake failed: %s:%d: " % silent.address
    assert str(info.value).startswith(prefix) and str(reference).startswith(prefix)
    assert "timed out (configured timeouts: connectTimeoutMS: 400.0ms)" in str(info.value)
    assert 0.4 <= elapsed <= 0.4 + 0.25
    assert lag.worst_own < 0.050


@pytest.mark.parametrize("ending", ["refused", "timed_out", "cancelled"])
async def test_failed_tls_handshake_closes_its_socket(make_client, certs, ending, record_property):
    """Right after the error, with the exception still in hand, no socket is left open.

    Each case has a server of its own (a TLS endpoint whose CA the client does not
    trust, or a silent one), so that only this client's sockets go to its port.
    """
    silent = endpoint = None
    loop = asyncio.get_running_loop()
    if ending == "refused":
        endpoint = TLSEndpoint(certs.server)
        host, port = endpoint.address
        options = dict(tls_args(certs), tlsCAFile=certs.other_ca)
    else:
        silent = Silent()
        loop.add_reader(silent.listener.fileno(), silent.accept_all)
        host, port = silent.address
        options = dict(tls_args(certs), connectTimeoutMS=400 if ending == "timed_out" else 20000)
    client = make_client(host, port, loadBalanced=True, retryReads=False, **options)
    running = live_greenlets()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            future = client.motor_test.c.find_one({})
            error = None
            if ending == "cancelled":
                await wait_for_accept(silent)
                future.cancel()
                await wait_for_greenlets(running)
            else:
                try:
                    await future
                except PyMongoError as exc:
                    error = exc  # kept, as an application that logs or re-raises it would
            left_open = fds_to({port})
            gc.collect()
        # Only warnings about sockets to this test's server (the collector may find
        # other tests' garbage too).
        unclosed = [
            str(w.message)
            for w in caught
            if issubclass(w.category, ResourceWarning) and f"{port})" in str(w.message)
        ]
    finally:
        if silent is not None:
            loop.remove_reader(silent.listener.fileno())
            silent.close()
        if endpoint is not None:
            endpoint.close()
    figure(record_property, f"tls_{ending}_sockets_left_open", left_open)
    figure(record_property, f"tls_{ending}_unclosed_socket_warnings", len(unclosed))
    assert ending == "cancelled" or error is not None
    assert left_open == 0, "the failed handshake's socket is still open"
    assert not unclosed, unclosed


async def wait_for_accept(silent):
    deadline = time.monotonic() + 10
    while not silent.accepted:
        if time.monotonic() > deadline:
            raise RuntimeError("the client never connected")
        await asyncio.sleep(0.005)
    # The ClientHello is on its way: the greenlet now waits in do_handshake.
    while not _readable(silent.accepted[0]):
        if time.monotonic() > deadline:
            raise RuntimeError("no ClientHello")
        await asyncio.sleep(0.005)


def _readable(sock):
    import select

    return bool(select.select([sock], [], [], 0)[0])


async def wait_for_greenlets(count):
    deadline = time.monotonic() + 10
    while live_greenlets() > count:
        if time.monotonic() > deadline:
            raise RuntimeError("the cancelled operation did not unwind")
        await asyncio.sleep(0)


# --- authentication ------------------------------------------------------------------

# Credentials made for this run; ':', '@', '/' and '%' exercise URI escaping.
ROOT_PASSWORD = "root:" + secrets.token_hex(8)
PASSWORDS = {
    "scram1": "p@ss/w:rd%1-" + secrets.token_hex(8),
    "scram256": "p@ss/w:rd%2-" + secrets.token_hex(8),
}
MECHANISMS = {"scram1": ["SCRAM-SHA-1"], "scram256": ["SCRAM-SHA-256"]}
WRONG_PASSWORD = "wrong-" + secrets.token_hex(8)
SECRETS = [ROOT_PASSWORD, WRONG_PASSWORD, *PASSWORDS.values()]


@pytest.fixture(scope="module")
def auth_server():
    standalone = Standalone(extra_args=["--auth"])
    standalone.start()
    try:
        # The localhost exception lets the first user be created without credentials.
        with direct_client(standalone.server.address) as client:
            client.admin.command("createUser", "root", pwd=ROOT_PASSWORD, roles=["root"])
        with direct_client(
            standalone.server.address, username="root", password=ROOT_PASSWORD
        ) as client:
            for user, password in PASSWORDS.items():
                client.admin.command(
                    "createUser",
                    user,
                    pwd=password,
                    roles=[{"role": "readWrite", "db": "motor_test"}],
                    mechanisms=MECHANISMS[user],
                )
        yield standalone.server
    finally:
        standalone.stop()


@pytest.mark.parametrize(
    "user,mechanism",
    [
        ("scram1", "SCRAM-SHA-1"),
        ("scram256", "SCRAM-SHA-256"),
        ("scram1", None),  # negotiated (saslSupportedMechs)
        ("scram256", None),
    ],
)
async def test_scram_right_password(make_client, auth_server, user, mechanism, record_property):
    options = dict(username=user, password=PASSWORDS[user], authSource="admin", maxPoolSize=5)
    if mechanism:
        options["authMechanism"] = mechanism
    handshakes = Handshakes()
    client = make_client(*auth_server.address, event_listeners=[handshakes], **options)
    collection = client.motor_test.auth
    started = time.monotonic()
    result = await collection.insert_one({"user": user})
    first = time.monotonic() - started
    found = await asyncio.gather(
        *(collection.find_one({"_id": result.inserted_id}) for _ in range(20))
    )
    assert all(doc["user"] == user for doc in found)
    status = await client.admin.command("connectionStatus")
    assert status["authInfo"]["authenticatedUsers"] == [{"user": user, "db": "admin"}]
    figure(
        record_property, f"auth_{user}_{mechanism or 'negotiated'}_first_op_s", round(first, 3), "s"
    )
    figure(
        record_property,
        f"auth_{user}_{mechanism or 'negotiated'}_authenticated_connections",
        handshakes.ready,
    )
    assert 1 <= handshakes.ready <= 5
    assert checked_out(client) == 0


@pytest.mark.parametrize(
    "user,password,mechanism",
    [
        ("scram1", WRONG_PASSWORD, "SCRAM-SHA-1"),
        ("scram256", WRONG_PASSWORD, "SCRAM-SHA-256"),
        ("scram256", WRONG_PASSWORD, None),
        ("scram256", PASSWORDS["scram256"], "SCRAM-SHA-1"),  # no SHA-1 credentials
        ("nobody", WRONG_PASSWORD, None),
    ],
)
async def test_scram_wrong_password(
    make_client, auth_server, user, password, mechanism, record_property
):
    options = dict(
        username=user, password=password, authSource="admin", serverSelectionTimeoutMS=5000
    )
    if mechanism:
        options["authMechanism"] = mechanism
    client = make_client(*auth_server.address, **options)
    started = time.monotonic()
    with pytest.raises(OperationFailure) as info:
        await client.motor_test.auth.find_one({})
    elapsed = time.monotonic() - started
    reference = await in_thread(lambda: pymongo_error(*auth_server.address, **options))
    exc = info.value
    figure(
        record_property,
        f"auth_refused_{user}_{mechanism or 'negotiated'}_s",
        round(elapsed, 3),
        "s",
    )
    assert type(exc) is type(reference) is OperationFailure
    assert exc.code == reference.code == 18
    assert str(exc) == str(reference)
    assert "Authentication failed" in str(exc)
    assert elapsed < 2.0, "refused at once, not after a selection timeout"
    for text in (str(exc), repr(exc), repr(exc.details)):
        assert password not in text and urllib.parse.quote_plus(password) not in text
    assert checked_out(client) == 0


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


async def test_credentials_never_appear(
    make_client, auth_server, tls_server, certs, record_property
):
    """repr(), the pymongo loggers at DEBUG and error messages never show a credential."""
    logger = logging.getLogger("pymongo")
    records = Records()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(records)
    texts = []
    try:
        host, port = auth_server.address
        user = "scram256"
        password = PASSWORDS[user]
        quoted = urllib.parse.quote_plus(password)
        by_uri = make_client(f"mongodb://{user}:{quoted}@{host}:{port}/?authSource=admin")
        by_kwargs = make_client(host, port, username=user, password=password, authSource="admin")
        wrong = make_client(host, port, username=user, password=WRONG_PASSWORD, authSource="admin")
        by_key = make_client(
            *tls_server.address,
            **dict(
                tls_args(certs),
                tlsCertificateKeyFile=certs.client_encrypted,
                tlsCertificateKeyFilePassword=certs.client_key_password,
            ),
        )
        unreachable = make_client(
            f"mongodb://{user}:{quoted}@127.0.0.1:1/?authSource=admin", serverSelectionTimeoutMS=200
        )
        for client in (by_uri, by_kwargs, by_key):
            await client.motor_test.auth.insert_one({"ok": True})
            async for _ in client.motor_test.auth.find({}).limit(2):
                pass
        for client in (wrong, unreachable):
            try:
                await client.motor_test.auth.find_one({})
            except PyMongoError as exc:
                texts += [str(exc), repr(exc), repr(getattr(exc, "details", None))]
            else:
                raise AssertionError("expected an error")
        for client in (by_uri, by_kwargs, wrong, by_key, unreachable):
            texts += [
                repr(client),
                repr(client.motor_test),
                repr(client.motor_test.auth),
                repr(client.motor_test.auth.find({})),
                repr(client.topology_description),
            ]
    finally:
        logger.removeHandler(records)
        logger.setLevel(level)
    secrets_ = SECRETS + [certs.client_key_password]
    secrets_ += [urllib.parse.quote_plus(s) for s in secrets_] + [
        urllib.parse.quote(s) for s in secrets_
    ]
    leaks = [(s, t[:200]) for t in texts + records.lines for s in secrets_ if s in t]
    figure(record_property, "credential_checks_log_records", len(records.lines))
    figure(record_property, "credential_checks_texts", len(texts))
    figure(record_property, "credential_leaks", len(leaks))
    assert len(records.lines) > 50, "the DEBUG loggers were captured"
    assert not leaks, leaks[:3]
