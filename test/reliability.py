"""Shared helpers for the reliability tests (failover, load, cancellation, timeouts, TLS, bad input).

Measuring, not asserting: the loop's lag, a client's pools, this process's file
descriptors and TCP peers, the server's view of a client's connections. This module
must not import pytest.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time

import pymongo
from pymongo import monitoring

# The connections a PyMongo 4 client keeps to each server besides its pool: the
# streaming monitor and the RTT monitor.
MONITOR_CONNECTIONS_PER_SERVER = 2


class IgnoringListener(monitoring.CommandListener):
    """A command listener that ignores every event its subclass does not handle."""

    def started(self, event):
        pass

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def app_pools(client):
    """The connection pools of a Motor client's servers (not the monitors')."""
    return [server.pool for server in client.delegate._topology._servers.values()]


def checked_out(client):
    """How many connections of the client's pools are checked out now."""
    return sum(pool.requests for pool in app_pools(client))


def figure(record_property, name, value, unit=""):
    """Print one measured figure and record it in the JUnit report."""
    record_property(name, value)
    print(f"\n  {name} = {value}{(' ' + unit) if unit else ''}", flush=True)


def pool_state(client):
    """Counters of every application pool of a Motor client, summed."""
    pools = app_pools(client)
    return {
        "conns": sum(len(p.conns) for p in pools),
        "requests": sum(p.requests for p in pools),
        "active_sockets": sum(p.active_sockets for p in pools),
        "pending": sum(p._pending for p in pools),
        "operation_count": sum(p.operation_count for p in pools),
    }


def idle_pool(state):
    """True when nothing is checked out, being connected, or waiting."""
    return (
        state["requests"] == 0
        and state["active_sockets"] == 0
        and state["pending"] == 0
        and state["operation_count"] == 0
    )


async def wait_until(predicate, timeout, what):
    """Poll ``predicate()`` on the loop until true; AssertionError after ``timeout`` seconds.

    For conditions with no event to wait on (a background thread's pruning, a process's
    file table). Returns the seconds it took.
    """
    started = time.monotonic()
    deadline = started + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still false after {timeout}s")
        await asyncio.sleep(0.01)
    return time.monotonic() - started


# --- the loop's lag --------------------------------------------------------------


def _run_delay():
    """Seconds this thread has spent runnable but waiting for a CPU (Linux schedstat)."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


class LoopLag:
    """A periodic timer on the loop; its worst lateness is the loop's lag.

    ``worst`` is the wall-clock lateness. ``worst_own`` subtracts the time the loop's
    thread sat runnable on the kernel's run queue meanwhile (other processes using the
    CPUs), which on a shared or loaded machine is not the loop's doing: what is left is
    the loop being busy or blocked (including waits for the GIL held by our threads).
    ``worst_busy`` is the most CPU time the loop's thread used from one tick to the next:
    the loop being busy, without waits of any kind (on a loaded machine, another of our
    threads can be kept off the CPUs while it holds the GIL, and the loop waits for it).
    """

    def __init__(self, interval=0.005):
        self.interval = interval
        self.worst = 0.0
        self.worst_own = 0.0
        self.worst_busy = 0.0
        self.ticks = 0
        self._task = None

    async def _run(self):
        while True:
            # Read the run-queue counter before the clock, and (in _measure) after it: a
            # wait for a CPU while reading it (opening a /proc file is a syscall, where
            # the kernel often switches) is then left out of the lateness, or subtracted
            # from it, never counted as the loop's own.
            self._queued = _run_delay()
            self._due = time.monotonic() + self.interval
            self._cpu = time.thread_time()
            await asyncio.sleep(self.interval)
            self._measure()
            self.ticks += 1

    def _measure(self):
        late = time.monotonic() - self._due
        self.worst = max(self.worst, late)
        self.worst_own = max(self.worst_own, late - (_run_delay() - self._queued))
        self.worst_busy = max(self.worst_busy, time.thread_time() - self._cpu)

    def __enter__(self):
        self._due = None
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc):
        # The tick still pending counts too: a body that held the loop to its very end
        # (so that no tick came after the stall) is measured all the same.
        if self._due is not None and not self._task.done():
            self._measure()
        self._task.cancel()

    async def __aenter__(self):
        """Like ``with``, but the timer is already running when the body starts."""
        self.__enter__()
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc):
        self.__exit__()

    def figures(self, record_property, prefix):
        figure(record_property, f"{prefix}_loop_lag_ms", round(self.worst_own * 1000, 1), "ms")
        figure(record_property, f"{prefix}_loop_lag_wall_ms", round(self.worst * 1000, 1), "ms")


# --- this process's file descriptors and sockets -------------------------------------


def open_fds():
    """How many file descriptors this process has open."""
    return len(os.listdir("/proc/self/fd"))


def socket_inodes():
    inodes = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed meanwhile (listdir's own fd, for one)
        if target.startswith("socket:["):
            inodes[target[8:-1]] = int(fd)
    return inodes


def socket_ports(inodes=None):
    """inode -> (local port, remote port) of this process's connected TCP sockets.

    Asks each socket itself (on a dup of its fd), which is far cheaper than reading
    /proc/net/tcp on a busy machine. ``inodes``, if given, limits the sockets asked.
    """
    result = {}
    for inode, fd in socket_inodes().items():
        if inodes is not None and inode not in inodes:
            continue
        try:
            dup = os.dup(fd)
        except OSError:
            continue  # closed meanwhile
        try:
            sock = socket.socket(fileno=dup)
        except OSError:
            os.close(dup)
            continue
        try:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
                result[inode] = (sock.getsockname()[1], sock.getpeername()[1])
        except OSError:
            pass  # not connected (a listener)
        finally:
            sock.close()  # closes the dup only
    return result


class NewSockets:
    """This process's sockets to ``ports`` opened after ``__init__`` (so: one client's,
    when only that client opens connections meanwhile)."""

    def __init__(self, ports):
        self.ports = set(ports)
        self.before = set(socket_inodes())

    def count(self):
        new = set(socket_inodes()) - self.before
        return sum(1 for _, remote in socket_ports(new).values() if remote in self.ports)


def tcp_fds_by_remote_port():
    """{remote port: number of this process's TCP socket fds connected to it}."""
    counts = {}
    for _, remote in socket_ports().values():
        counts[remote] = counts.get(remote, 0) + 1
    return counts


def fds_to(ports):
    """How many of this process's sockets are connected to one of ``ports``."""
    counts = tcp_fds_by_remote_port()
    return sum(counts.get(p, 0) for p in ports)


# --- the server's view ---------------------------------------------------------------


def server_connections(sync_client, appname):
    """How many connections with this ``appname`` the server has open (idle ones too).

    ``sync_client`` must be connected directly to the one server to ask.
    """
    pipeline = [
        {"$currentOp": {"allUsers": True, "idleConnections": True, "localOps": True}},
        {"$match": {"appName": appname}},
        {"$group": {"_id": "$connectionId"}},
        {"$count": "n"},
    ]
    result = list(sync_client.admin.aggregate(pipeline))
    return result[0]["n"] if result else 0


def direct_client(address, **kwargs):
    host, port = address
    return pymongo.MongoClient(host, port, directConnection=True, **kwargs)


# --- fail points ---------------------------------------------------------------------


@contextlib.contextmanager
def fail_point(sync_client, data, mode="alwaysOn"):
    """``failCommand`` on the server ``sync_client`` talks to; always turned off after."""
    sync_client.admin.command("configureFailPoint", "failCommand", mode=mode, data=data)
    try:
        yield
    finally:
        sync_client.admin.command("configureFailPoint", "failCommand", mode="off")


# --- raw sockets ---------------------------------------------------------------------


class Blackhole:
    """A loopback port that completes no TCP handshake: it listens, but its accept queue
    is full and nobody accepts, so new SYNs are dropped and connect() hangs."""

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.address = self.listener.getsockname()
        self.fillers = []
        # Fill the accept queue (backlog 0 still queues one): connect until a connect
        # does not complete within a short wait; from then on SYNs go unanswered.
        for _ in range(8):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.settimeout(0.2)
            try:
                filler.connect(self.address)
            except (TimeoutError, OSError):
                filler.close()
                return
            self.fillers.append(filler)
        self.close()
        raise RuntimeError("could not fill the accept queue of a listening socket")

    def close(self):
        for sock in self.fillers:
            sock.close()
        self.listener.close()


class Silent:
    """A loopback server that accepts connections and never answers."""

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.address = self.listener.getsockname()
        self.accepted = []

    def accept_all(self):
        self.listener.setblocking(False)
        while True:
            try:
                conn, _ = self.listener.accept()
            except BlockingIOError:
                return
            self.accepted.append(conn)

    def close(self):
        for sock in self.accepted:
            sock.close()
        self.listener.close()
