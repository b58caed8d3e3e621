"""Checks of the test harness itself (PyMongo only, no Motor)."""

import asyncio

import pytest
import tornado.gen
import tornado.ioloop

from test.conftest import FRAMEWORKS, collection_name


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
