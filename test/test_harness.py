"""Checks of the test harness itself (PyMongo only, no Motor).

Also what makes a cell of the test matrix (tox.ini, MATRIX.md) mean what it says:
the deployment really requires TLS or credentials, PyMongo's C extensions are
present or absent as the cell expects (``MOTOR_TEST_EXPECT_C_EXT``), and the
PyMongo and Tornado versions are the ones it pins (``MOTOR_TEST_EXPECT_VERSIONS``).
"""

import asyncio
import os

import bson
import pymongo
import pytest
import tornado
import tornado.gen
import tornado.ioloop
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError

from test.conftest import FRAMEWORKS, TOPOLOGIES, collection_name, selected_frameworks


def test_ping(sync_client):
    assert sync_client.admin.command("ping")["ok"] == 1


def test_topology_matches_server(deployment, sync_client):
    hello = sync_client.admin.command("hello")
    assert ("setName" in hello) == deployment.is_replica_set


@pytest.mark.replset
def test_replica_set_hello(deployment, sync_client):
    hello = sync_client.admin.command("hello")
    assert hello["setName"] == "rs0"
    assert len(hello["hosts"]) == 3
    assert hello["isWritablePrimary"]


@pytest.mark.replset
def test_abandoned_transactions_reaped_within_a_test_timeout(deployment, sync_client):
    # A transaction a test leaves open (its commit broken by a fail point) holds its
    # collection's lock until the server reaps it; test/mongod.py shortens the wait.
    if deployment.servers is None:
        pytest.skip("an external deployment keeps its own transactionLifetimeLimitSeconds")
    reply = sync_client.admin.command("getParameter", 1, transactionLifetimeLimitSeconds=1)
    assert reply["transactionLifetimeLimitSeconds"] <= 15


async def test_async_test_runs_on_io_loop(io_loop, framework):
    await tornado.gen.sleep(0)
    if framework.name == "tornado":
        assert tornado.ioloop.IOLoop.current() is io_loop
        assert asyncio.get_running_loop() is io_loop.asyncio_loop
    else:
        assert asyncio.get_running_loop() is io_loop


async def test_async_test_without_fixtures(request):
    await asyncio.sleep(0)
    # It still gets a loop per framework, like tests that ask for io_loop.
    assert request.node.callspec.params["framework"] in FRAMEWORKS


def test_collection_name():
    assert collection_name("test_x") == "test_x"
    a, b = collection_name("test_x[a-b]"), collection_name("test_x[a_b]")
    assert a != b
    assert a.startswith("test_x_a_b_") and b.startswith("test_x_a_b_")


def test_topology_is_known(deployment):
    assert deployment.topology in TOPOLOGIES


def _plain_client(deployment, **kwargs):
    """A client to the deployment's first server without its TLS or credential options."""
    host, port = deployment.servers.members[0].address
    return pymongo.MongoClient(host, port, directConnection=True, **kwargs)


def test_tls_topology_requires_tls(deployment, sync_client):
    if deployment.topology != "tls" or deployment.servers is None:
        pytest.skip("MOTOR_TEST_TOPOLOGY=tls only")
    assert "tls=true" in deployment.uri
    assert sync_client.admin.command("ping")["ok"] == 1
    with _plain_client(deployment, serverSelectionTimeoutMS=500) as plain:
        with pytest.raises(ServerSelectionTimeoutError):
            plain.admin.command("ping")


def test_auth_topology_requires_credentials(deployment, sync_client):
    if deployment.topology != "auth" or deployment.servers is None:
        pytest.skip("MOTOR_TEST_TOPOLOGY=auth only")
    status = sync_client.admin.command("connectionStatus")
    assert status["authInfo"]["authenticatedUsers"], status
    with _plain_client(deployment, serverSelectionTimeoutMS=2000) as plain:
        with pytest.raises(OperationFailure) as exc:
            plain.motor_test.anything.find_one()
        assert exc.value.code == 13  # Unauthorized


def test_c_extensions_as_expected():
    """``MOTOR_TEST_EXPECT_C_EXT=1`` or ``0``: PyMongo's C extensions are (not) loaded."""
    expected = os.environ.get("MOTOR_TEST_EXPECT_C_EXT")
    if expected is None:
        pytest.skip("MOTOR_TEST_EXPECT_C_EXT not set (matrix cells set it)")
    want = expected == "1"
    assert (pymongo.has_c(), bson.has_c()) == (want, want)


def test_versions_as_expected():
    """``MOTOR_TEST_EXPECT_VERSIONS="pymongo==4.20.0 tornado==6.0.4"``: those are installed."""
    expected = os.environ.get("MOTOR_TEST_EXPECT_VERSIONS")
    if not expected:
        pytest.skip("MOTOR_TEST_EXPECT_VERSIONS not set (the oldest/newest cells set it)")
    installed = {"pymongo": pymongo.version, "tornado": tornado.version}
    for pin in expected.split():
        name, _, version = pin.partition("==")
        # As pip compares them: PyMongo 4.9.0 calls itself "4.9".
        assert _release(installed[name]) == _release(version), (pin, installed)


def _release(version):
    parts = [int(p) for p in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_framework_filter():
    names = os.environ.get("MOTOR_TEST_FRAMEWORK", "").replace(",", " ").split()
    assert selected_frameworks() == [n for n in FRAMEWORKS if not names or n in names]
