"""The bridge's (motor/bridge/) rarer paths, which the rest of the suite does not reach.

Each test names the lines it is for; MATRIX.md ("Coverage") lists what is still uncovered
in motor/bridge/ and why. These tests drive the bridge's own API (``spawn``,
``await_future``, ``Hub``, ``GreenSocket``) directly, on the framework's real loop, with
real sockets; the ones that need a server use the session's deployment.
"""

from __future__ import annotations

import asyncio
import importlib
import socket

import pytest
from greenlet import greenlet

from motor.bridge import compat
from motor.bridge.greenlets import await_future, shielded, spawn
from motor.bridge.hub import Hub
from motor.bridge.socket import GreenSocket


def bridge_hub(framework, io_loop):
    """The hub Motor uses for ``io_loop`` (motor.frameworks.<name>.hub)."""
    return importlib.import_module(f"motor.frameworks.{framework.name}").hub(io_loop)


# --- greenlets.py ---------------------------------------------------------------------


async def test_stop_iteration_in_an_operation_becomes_runtime_error(framework, io_loop):
    # _settle: a Future cannot carry StopIteration (PEP 479).
    future = spawn(bridge_hub(framework, io_loop), next, iter(()))
    with pytest.raises(RuntimeError, match="StopIteration"):
        await future


def test_await_future_outside_a_bridge_greenlet_is_refused():
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(RuntimeError, match="bridge greenlet"):
            await_future(loop.create_future())
    finally:
        loop.close()


async def test_cancelling_the_caller_cancels_the_future_it_awaits(framework, io_loop):
    # await_future: the caller's cancellation is thrown into the greenlet while it waits
    # for an asyncio Future (as during name resolution); that Future is cancelled too.
    hub = bridge_hub(framework, io_loop)
    inner = hub.create_future()
    outer = spawn(hub, await_future, inner)
    await asyncio.sleep(0)
    assert not outer.done() and not inner.done()
    outer.cancel()
    for _ in range(5):
        await asyncio.sleep(0)
    assert inner.cancelled()
    assert outer.cancelled()


def test_shielded_on_a_plain_thread_just_runs_the_block():
    ran = []
    with shielded():
        ran.append(True)
    assert ran == [True]


async def test_an_operation_started_from_another_greenlet(framework, io_loop):
    # start(): an idle bridge greenlet whose parent is another greenlet is re-parented
    # to the caller's. A user's own greenlet on the loop's thread starts an operation
    # that does not block; the next operation, from the loop's greenlet, reuses it.
    hub = bridge_hub(framework, io_loop)
    futures = []
    greenlet(lambda: futures.append(spawn(hub, lambda: "from a user greenlet"))).switch()
    assert await futures[0] == "from a user greenlet"
    assert await spawn(hub, lambda: "from the loop") == "from the loop"


# --- hub.py ---------------------------------------------------------------------------


def test_call_soon_threadsafe_on_a_closed_loop_is_ignored():
    loop = asyncio.new_event_loop()
    loop.close()
    Hub(loop).call_soon_threadsafe(pytest.fail, "must not run")


async def test_the_sweep_stops_when_every_deadline_was_dropped(framework, io_loop):
    hub = bridge_hub(framework, io_loop)
    waker = object()
    hub.add_deadline(waker, 10.0)
    hub.drop_deadline(waker)
    await asyncio.sleep(hub.SWEEP_INTERVAL * 4)
    assert hub._sweeper is None


# --- socket.py ------------------------------------------------------------------------


def test_green_socket_off_the_loop_polls():
    # On a plain thread (PyMongo's kill-cursors thread, a synchronous close) GreenSocket
    # waits with poll(); timeout 0 re-raises the would-block error, as PyMongo expects.
    a, b = socket.socketpair()
    green = GreenSocket(a, 0.05)
    try:
        buffer = bytearray(16)
        with pytest.raises(TimeoutError):
            green.recv_into(buffer)
        b.sendall(b"hello")
        assert green.recv(16) == b"hello"
        green.settimeout(0.0)
        with pytest.raises(BlockingIOError):
            green.recv_into(buffer)
        green.setblocking(True)
        assert green.gettimeout() is None
        green.settimeout(1.0)
        green.sendall(bytearray(b"bytearray, not bytes"))
        assert b.recv(64) == b"bytearray, not bytes"
    finally:
        green.close()
        b.close()


# --- compat.py ------------------------------------------------------------------------


def test_incompatible_pymongo_is_named_in_the_error(monkeypatch):
    monkeypatch.setattr(compat.pymongo, "version_tuple", (4, 99, 0))
    with pytest.raises(compat.IncompatiblePyMongo, match="unsupported version"):
        compat.check_pymongo()


# --- sleep.py, pool.py ----------------------------------------------------------------


def test_green_sleep_on_a_plain_thread_blocks_that_thread():
    # A synchronous PyMongo caller in the same process sleeps as before.
    from motor.bridge.sleep import green_sleep

    green_sleep(0.0)


async def test_connections_opened_off_the_loop_are_made_green(framework, deployment):
    # GreenPool.connect: PyMongo's background thread fills minPoolSize with blocking
    # sockets; they are wrapped so an operation on the loop can use them.
    import time

    from motor.bridge.socket import GreenSocket

    client = framework.client_class()(deployment.uri, minPoolSize=2)
    try:
        await client.admin.command("ping")
        pools = [s.pool for s in client.delegate._topology._servers.values()]
        deadline = time.monotonic() + 10
        while sum(len(p.conns) for p in pools) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        conns = [c for p in pools for c in p.conns]
        assert conns and all(isinstance(compat.connection_socket(c), GreenSocket) for c in conns)
        assert await client.admin.command("ping")
    finally:
        result = client.close()
        if result is not None:
            await result
