"""MotorClient construction, connecting, closing, and the PyMongo compatibility check."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pymongo
import pytest
from pymongo.errors import ConfigurationError, InvalidOperation
from tornado.ioloop import IOLoop

import motor
from motor.bridge import compat


async def test_accepts_what_mongoclient_accepts(deployment, framework):
    client = framework.client_class()(deployment.uri, maxPoolSize=7, appname="motor-test", w=1)
    try:
        assert client.options.pool_options.max_pool_size == 7
        assert client.write_concern == pymongo.WriteConcern(w=1)
        assert client.delegate.options.pool_options.metadata["application"]["name"] == "motor-test"
        assert (await client.admin.command("ping"))["ok"] == 1
    finally:
        await client.close()


def test_io_loop_option(deployment, framework, io_loop):
    client = framework.client_class()(deployment.uri, io_loop=io_loop)
    assert client.io_loop is io_loop
    with pytest.raises(TypeError, match="io_loop"):
        framework.client_class()(deployment.uri, io_loop="not a loop")
    client.close()


def test_open_sync_then_run(deployment, framework, io_loop):
    client = framework.client_class()(deployment.uri, io_loop=io_loop)
    assert client.open_sync() is client
    assert client.delegate._topology.description.has_known_servers

    async def ping():
        return await client.admin.command("ping")

    assert framework.run(io_loop, ping)["ok"] == 1
    client.close()


async def test_open_resolves_to_the_client(deployment, framework):
    client = framework.client_class()(deployment.uri)
    assert await client.open() is client
    with pytest.raises(RuntimeError, match="open_sync"):
        client.open_sync()
    await client.close()


async def test_sync_client_shares_the_options(client, coll):
    await coll.insert_one({"_id": "from motor"})
    sync = client.sync_client()
    try:
        assert isinstance(sync, pymongo.MongoClient)
        assert sync.options.pool_options.max_pool_size == client.options.pool_options.max_pool_size
        assert sync[coll.database.name][coll.name].find_one() == {"_id": "from motor"}
    finally:
        sync.close()


async def test_closed_client_refuses_operations(deployment, framework):
    client = framework.client_class()(deployment.uri)
    await client.admin.command("ping")
    closing = client.close()
    assert isinstance(closing, asyncio.Future)
    await closing
    with pytest.raises(InvalidOperation):
        await client.admin.command("ping")


def test_replica_set_client_requires_a_name(motor_class):
    with pytest.raises(ConfigurationError, match="replica set name"):
        motor_class("ReplicaSetClient")("mongodb://127.0.0.1:1/")


@pytest.mark.replset
async def test_replica_set_client(deployment, motor_class):
    client = motor_class("ReplicaSetClient")(deployment.uri)
    try:
        await client.open()
        hello = await client.admin.command("hello")
        assert hello["setName"] == client.delegate.options.replica_set_name
        assert client.primary is not None
    finally:
        await client.close()


def test_unsupported_pymongo_is_refused_by_version(monkeypatch):
    monkeypatch.setattr(pymongo, "version_tuple", (4, 8, 2))
    monkeypatch.setattr(pymongo, "version", "4.8.2")
    with pytest.raises(ImportError, match=r"PyMongo 4\.8\.2 is installed"):
        compat.check_pymongo()


@pytest.mark.parametrize("fake", ["4.8.2", "4.21.0"])
def test_import_motor_names_an_unsupported_pymongo(fake):
    # The check as a user meets it: ``import motor`` in a fresh interpreter.
    program = (
        "import pymongo\n"
        f"pymongo.version, pymongo.version_tuple = {fake!r}, {tuple(map(int, fake.split('.')))!r}\n"
        "import motor\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("motor.bridge.compat.IncompatiblePyMongo: "), result.stderr
    assert f"requires PyMongo >=4.9,<4.21, but PyMongo {fake} is installed" in last


def test_missing_private_hook_is_named(monkeypatch):
    import pymongo.synchronous.pool as pool

    monkeypatch.delattr(pool, "Pool")
    with pytest.raises(ImportError, match=r"pymongo\.synchronous\.pool\.Pool is missing.*") as info:
        compat.check_pymongo()
    assert pymongo.version in str(info.value)


@pytest.mark.tornado_only
async def test_tornado_is_the_default_framework(framework):
    assert motor.MotorClient is motor.motor_tornado.MotorClient
    client = motor.MotorClient("mongodb://127.0.0.1:1/")
    assert client.get_io_loop() is IOLoop.current()
    await client.close()


def test_close_after_the_loop_is_gone(deployment, framework):
    from test.conftest import run_on_new_loop

    clients = []

    async def use():
        clients.append(framework.client_class()(deployment.uri))
        await clients[0].admin.command("ping")

    run_on_new_loop(framework, use)  # e.g. asyncio.run(): the loop is closed afterwards
    assert clients[0].close() is None  # closed right here, synchronously
    with pytest.raises(InvalidOperation):
        clients[0].delegate.admin.command("ping")
