"""Run PyMongo's own test suite with plain PyMongo and through Motor (Synchro), and compare.

    python -m synchro.runner                 # every module, standalone and replica set
    python -m synchro.runner --slice         # the CI slice (a few core modules, replica set)
    python -m synchro.runner --modules test_cursor,test_session --topology replset
    python -m synchro.runner --help

Steps:

1. The test suite of the installed PyMongo version comes from PyMongo's source
   distribution (``pip download --no-binary :all: --no-deps pymongo==X``); its ``test/``
   is kept under ``~/.cache/motor-synchro/pymongo-X/`` (``SYNCHRO_CACHE`` overrides) with
   a ``pytest.ini`` made from the sdist's own pytest settings.
2. ``test/mongod.py`` starts a standalone mongod and a three-member replica set (or
   ``--standalone-uri``/``--replset-uri`` name running ones).
3. For each deployment, pytest runs the selected modules twice on the same servers:
   plain PyMongo, then with ``SYNCHRO=1``, where ``synchro.pytest_plugin`` redirects the
   suite's ``pymongo``/``gridfs`` imports to Synchro and deselects the tests listed in
   ``synchro/exclusions.txt``. The two deployments run in parallel. Each test is limited
   by ``--timeout`` seconds (pytest-timeout) and each pytest run by ``--run-timeout``.
4. A table per deployment: passed / failed / skipped per module, plain and Synchro; then
   how many of the tests plain PyMongo passes Synchro passes, and the last line,
   ``Synchro: N passed, N failed``.

Exit status: 0 if Synchro passes every test plain PyMongo passes, excluded tests and the
known Motor bugs listed in ``synchro/known_failures.txt`` aside (those still run and count
as failures in the tables); with ``--min-ratio`` instead, 0 if Synchro passes at least
that fraction of the tests plain PyMongo passes.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

# The modules the issue names; "all" adds every other module of the suite that does I/O.
CORE_MODULES = [
    "test_collection",
    "test_cursor",
    "test_database",
    "test_client",
    "test_bulk",
    "test_session",
    "test_transactions",
    "test_change_stream",
    "test_gridfs",
    "test_gridfs_bucket",
    "test_grid_file",
    "test_retryable_writes",
    "test_retryable_reads",
    "test_read_preferences",
    "test_monitoring",
    "test_crud_unified",
    "test_transactions_unified",
    "test_retryable_writes_unified",
    "test_retryable_reads_unified",
    "test_sessions_unified",
    "test_causal_consistency",
]

# The CI slice: quick core modules covering CRUD, cursors, sessions, transactions
# (with_transaction), change streams, GridFS and command monitoring, on the replica set
# (about 5 minutes on 2 cores, plain and Synchro).
SLICE_MODULES = [
    "test_collection",
    "test_cursor",
    "test_database",
    "test_session",
    "test_transactions",
    "test_change_stream",
    "test_gridfs",
    "test_gridfs_bucket",
    "test_grid_file",
    "test_monitoring",
    "test_sessions_unified",
    "test_causal_consistency",
]

# Rough minutes of wall time per module (PyMongo 4.20, a loaded 2-core machine), to spread
# modules over shards; unlisted modules count as 0.2.
MODULE_WEIGHTS = {
    "test_crud_unified": 3.0,
    "test_retryable_reads_unified": 2.0,
    "test_retryable_writes": 1.8,
    "test_change_stream": 1.8,
    "test_transactions_unified": 1.2,
    "test_unified_format": 1.2,
    "test_client": 1.1,
    "test_transactions": 0.9,
    "test_retryable_writes_unified": 0.9,
    "test_retryable_reads": 0.7,
    "test_discovery_and_monitoring": 0.7,
    "test_csot": 0.7,
    "test_collection": 0.5,
    "test_database": 0.4,
    "test_grid_file": 0.4,
    "test_bulk": 0.4,
}

# Modules that must share a pytest process, in this order: test_client's test_constants
# leaves MongoClient.HOST/PORT pointing at the test server, and test_retryable_writes
# then builds a MongoClient() with default host and port.
MODULE_GROUPS = [("test_client", "test_retryable_writes")]


def shard_modules(modules: list[str], shards: int) -> list[list[str]]:
    """Split ``modules`` into ``shards`` lists of similar weight, each in the original order."""
    if shards <= 1:
        return [list(modules)]
    groups: list[list[str]] = []
    grouped = {m for group in MODULE_GROUPS for m in group}
    for group in MODULE_GROUPS:
        members = [m for m in group if m in modules]
        if members:
            groups.append(members)
    groups += [[m] for m in modules if m not in grouped]
    groups.sort(key=lambda g: -sum(MODULE_WEIGHTS.get(m, 0.2) for m in g))
    bins: list[list[str]] = [[] for _ in range(shards)]
    loads = [0.0] * shards
    for group in groups:
        i = loads.index(min(loads))
        bins[i] += group
        loads[i] += sum(MODULE_WEIGHTS.get(m, 0.2) for m in group)
    order = {m: i for i, m in enumerate(modules)}
    return [sorted(b, key=order.__getitem__) for b in bins if b]


# A module "does I/O" if it talks to a server through the test harness.
_IO_PATTERN = re.compile(
    r"IntegrationTest|client_context\.(client|require)|generate_test_classes|SpecRunner"
    r"|UnifiedSpecTestMixin|rs_or_single_client|single_client\("
)


# -- the test suite --------------------------------------------------------------------------


def cache_root() -> Path:
    return Path(os.environ.get("SYNCHRO_CACHE", Path.home() / ".cache" / "motor-synchro"))


def obtain_suite(version: str, log: Any = print) -> Path:
    """The directory holding PyMongo ``version``'s ``test/`` package and a pytest.ini."""
    root = cache_root() / f"pymongo-{version}"
    if (root / "test" / "__init__.py").exists() and (root / "pytest.ini").exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent) as tmp:
        sdist = _cached_sdist(version, root.parent)
        if sdist is None:
            log(
                f"downloading PyMongo {version}'s source distribution (once; kept in {root.parent})"
            )
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-binary",
                    ":all:",
                    "--no-deps",
                    "--disable-pip-version-check",
                    "-q",
                    f"pymongo=={version}",
                    "-d",
                    str(root.parent),
                ],
                check=True,
            )
            sdist = _cached_sdist(version, root.parent)
            if sdist is None:
                raise SystemExit(
                    f"pip download did not produce pymongo-{version}.tar.gz in {root.parent}"
                )
        staging = Path(tmp) / "suite"
        prefix = f"pymongo-{version}/"
        with tarfile.open(sdist) as tar:
            members = [
                m
                for m in tar.getmembers()
                if m.name.startswith(prefix + "test/") or m.name == prefix + "pyproject.toml"
            ]
            tar.extractall(tmp, members=members, filter="data")
        extracted = Path(tmp) / f"pymongo-{version}"
        staging.mkdir()
        shutil.move(str(extracted / "test"), staging / "test")
        (staging / "pytest.ini").write_text(_pytest_ini(extracted / "pyproject.toml"))
        if root.exists():
            shutil.rmtree(root)
        shutil.move(str(staging), root)
    return root


def _cached_sdist(version: str, directory: Path) -> Path | None:
    path = directory / f"pymongo-{version}.tar.gz"
    return path if path.exists() else None


def _pytest_ini(pyproject: Path) -> str:
    """PyMongo's pytest settings, minus what needs plugins we do not install."""
    options = tomllib.loads(pyproject.read_text())["tool"]["pytest"]["ini_options"]
    markers = [m for m in options.get("markers", [])]
    if not any(m.startswith("asyncio") for m in markers):
        markers.append("asyncio: async tests (pytest-asyncio, not used here)")
    lines = [
        "# Made by synchro/runner.py from PyMongo's pyproject.toml [tool.pytest.ini_options].",
        "[pytest]",
        # Their addopts select the default (synchronous) suite; -p no:cacheprovider keeps
        # the cache out of the cached suite.
        "addopts = -ra --strict-markers -m 'default' -p no:cacheprovider",
        f"xfail_strict = {str(options.get('xfail_strict', False)).lower()}",
        f"faulthandler_timeout = {options.get('faulthandler_timeout', 1500)}",
        "filterwarnings =",
        *[f"    {w}" for w in options.get("filterwarnings", [])],
        "markers =",
        *[f"    {m}" for m in markers],
        "",
    ]
    return "\n".join(lines)


def io_modules(suite: Path) -> list[str]:
    found = []
    for path in sorted((suite / "test").glob("test_*.py")):
        if _IO_PATTERN.search(path.read_text(encoding="utf-8", errors="replace")):
            found.append(path.stem)
    return found


# -- deployments ----------------------------------------------------------------------------


@dataclasses.dataclass
class Deployment:
    topology: str
    host: str
    port: int
    handle: Any = None  # a test.mongod object we started, or None
    shard: int = 0
    uri: str = ""

    @property
    def name(self) -> str:
        return f"{self.topology}-{self.shard}"


def start_deployments(
    wanted: list[tuple[str, int]], uris: dict[str, str | None], log: Any
) -> list[Deployment]:
    """One deployment per (topology, shard): a running one named by ``uris``, or a new one."""
    sys.path.insert(0, str(REPO))
    from test import mongod  # Motor's own launcher

    started: list[Deployment] = []
    pending = []
    for topology, shard in wanted:
        uri = uris.get(topology)
        if uri:
            host, port = _primary_of(uri)
            started.append(Deployment(topology, host, port, shard=shard, uri=uri))
            continue
        handle = mongod.Standalone() if topology == "standalone" else mongod.ReplicaSet(members=3)
        pending.append((topology, shard, handle))
    errors: list[BaseException] = []

    def start(topology: str, shard: int, handle: Any) -> None:
        try:
            t0 = time.monotonic()
            handle.start()
            log(f"started {topology} #{shard}: {handle.uri} ({time.monotonic() - t0:.1f}s)")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start, args=p) for p in pending]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for *_, handle in pending:
            handle.stop()
        raise errors[0]
    for topology, shard, handle in pending:
        host, port = _primary_of(handle.uri)
        started.append(Deployment(topology, host, port, handle, shard, handle.uri))
    return sorted(started, key=lambda d: wanted.index((d.topology, d.shard)))


def reset_deployment(deployment: Deployment) -> None:
    """Undo what a test run may leave on the servers for the next run.

    A run that ends with a transaction still open (an unended session) leaves its locks
    until the server expires the transaction (60 s), so the next run's first drop of
    that collection would wait; fail points left on would fail the next run's commands.
    """
    import pymongo

    with pymongo.MongoClient(deployment.uri, serverSelectionTimeoutMS=10000) as client:
        members = [client.address] if client.address and deployment.topology == "standalone" else []
        try:
            client.admin.command("killAllSessions", [])
        except pymongo.errors.PyMongoError:
            pass
        members = members or list(client.nodes)
    for host, port in members:
        with pymongo.MongoClient(
            host, port, directConnection=True, serverSelectionTimeoutMS=5000
        ) as member:
            for fail_point in ("failCommand", "failGetMoreAfterCursorCheckout", "stopReplProducer"):
                try:
                    member.admin.command("configureFailPoint", fail_point, mode="off")
                except pymongo.errors.PyMongoError:
                    pass


def _primary_of(uri: str) -> tuple[str, int]:
    import pymongo

    with pymongo.MongoClient(uri, serverSelectionTimeoutMS=30000) as client:
        client.admin.command("ping")
        host, port = client.primary or client.address or ("127.0.0.1", 27017)
    return host, int(port)


# -- running pytest -------------------------------------------------------------------------


@dataclasses.dataclass
class Outcomes:
    """Per test node id: "passed", "failed" or "skipped"; and the excluded ones."""

    tests: dict[str, str] = dataclasses.field(default_factory=dict)
    seconds: float = 0.0
    timed_out: bool = False
    returncode: int | None = None
    log: Path | None = None

    @property
    def broken(self) -> str | None:
        """Why this run cannot be trusted (killed, pytest error), or None."""
        if self.timed_out:
            return "killed after --run-timeout"
        if self.returncode not in (None, 0, 1):
            return f"pytest exited with status {self.returncode} (see {self.log})"
        return None


def run_pytest(
    suite: Path,
    deployment: Deployment,
    synchro: bool,
    modules: list[str],
    args: argparse.Namespace,
    out_dir: Path,
    nodeids: list[str] | None = None,
) -> Outcomes:
    mode = ("synchro" if synchro else "plain") + ("-rerun" if nodeids else "")
    results = out_dir / f"{deployment.name}-{mode}.jsonl"
    log_path = out_dir / f"{deployment.name}-{mode}.log"
    results.unlink(missing_ok=True)
    env = dict(os.environ)
    env.update(
        DB_IP=deployment.host,
        DB_PORT=str(deployment.port),
        SYNCHRO="1" if synchro else "0",
        SYNCHRO_RESULTS=str(results),
        PYTHONPATH=os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])]),
        PYTHONDONTWRITEBYTECODE="1",
    )
    if args.exclusions:
        env["SYNCHRO_EXCLUSIONS"] = str(Path(args.exclusions).resolve())
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "synchro.pytest_plugin",
        f"--timeout={args.timeout}",
        "-q",
        "--no-header",
        "-rfE",
        *(nodeids or [f"test/{m}.py" for m in modules]),
        *args.pytest_args,
    ]
    started = time.monotonic()
    outcome = Outcomes(log=log_path)
    with open(log_path, "w") as log_file:
        log_file.write(" ".join(command) + "\n")
        log_file.flush()
        proc = subprocess.Popen(
            command,
            cwd=suite,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _live.add(proc)
        try:
            outcome.returncode = proc.wait(timeout=args.run_timeout)
        except subprocess.TimeoutExpired:
            outcome.timed_out = True
            _stop(proc)
        finally:
            _live.discard(proc)
    outcome.seconds = time.monotonic() - started
    outcome.tests = read_results(results)
    return outcome


_live: set[subprocess.Popen[Any]] = set()  # pytest runs in progress (their own sessions)


def _stop(proc: subprocess.Popen[Any]) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGINT)  # pytest's own process group (start_new_session)
        proc.wait(timeout=30)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def read_results(path: Path) -> dict[str, str]:
    """Fold the per-phase records the plugin wrote into one outcome per test."""
    tests: dict[str, str] = {}
    if not path.exists():
        return tests
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a killed run
            nodeid, outcome = record["nodeid"], record["outcome"]
            if outcome == "failed":
                tests[nodeid] = "failed"
            elif outcome == "skipped":
                if tests.get(nodeid) != "failed":
                    tests[nodeid] = "skipped"
            elif outcome == "passed" and record["when"] == "call":
                tests.setdefault(nodeid, "passed")
            elif outcome == "excluded":
                tests[nodeid] = "excluded"
    return tests


# -- reporting ----------------------------------------------------------------------------


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0].removeprefix("test/").removesuffix(".py")


def count(tests: dict[str, str], module: str | None = None) -> collections.Counter[str]:
    return collections.Counter(
        o for n, o in tests.items() if module is None or module_of(n) == module
    )


def table(title: str, modules: list[str], plain: Outcomes, synchro: Outcomes) -> str:
    header = (
        f"{'module':<40} {'plain pass/fail/skip':>22}   {'Synchro pass/fail/skip':>24} {'excl':>5}"
    )
    lines = [f"== {title} ==", header, "-" * len(header)]

    def cells(c: collections.Counter[str]) -> str:
        return f"{c['passed']:>6} {c['failed']:>6} {c['skipped']:>6}"

    for module in modules:
        p, s = count(plain.tests, module), count(synchro.tests, module)
        lines.append(f"{module:<40} {cells(p):>22}   {cells(s):>24} {s['excluded']:>5}")
    p, s = count(plain.tests), count(synchro.tests)
    lines.append("-" * len(header))
    lines.append(f"{'total':<40} {cells(p):>22}   {cells(s):>24} {s['excluded']:>5}")
    lines.append(
        f"{'time':<40} {_minutes(plain.seconds):>22}   {_minutes(synchro.seconds):>24}"
        + ("   (a run hit --run-timeout)" if plain.timed_out or synchro.timed_out else "")
    )
    return "\n".join(lines)


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def comparison(plain: Outcomes, synchro: Outcomes) -> tuple[int, int, int, list[str]]:
    """(plain passes, of those Synchro passes, of those excluded, the ones Synchro fails)."""
    plain_passed = [n for n, o in plain.tests.items() if o == "passed"]
    excluded = [n for n in plain_passed if synchro.tests.get(n) == "excluded"]
    both = [n for n in plain_passed if synchro.tests.get(n) == "passed"]
    lost = sorted(n for n in plain_passed if synchro.tests.get(n) not in ("passed", "excluded"))
    return len(plain_passed), len(both), len(excluded), lost


# -- main --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m synchro.runner", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--modules",
        default="all",
        help="'all' (default: the issue's modules and every other I/O module), 'core', "
        "'slice', or a comma-separated list such as test_cursor,test_session",
    )
    parser.add_argument(
        "--slice", action="store_true", help="the CI slice: --modules slice --topology replset"
    )
    parser.add_argument(
        "--topology", default="standalone,replset", help="standalone, replset or both (default)"
    )
    parser.add_argument("--mode", default="plain,synchro", help="plain, synchro or both (default)")
    parser.add_argument(
        "--timeout",
        type=int,
        default=int(os.environ.get("SYNCHRO_TEST_TIMEOUT", 60)),
        help="seconds per test (pytest-timeout; default 60)",
    )
    parser.add_argument(
        "--run-timeout", type=int, default=45 * 60, help="seconds per pytest run (default 2700)"
    )
    parser.add_argument(
        "--standalone-uri",
        default=os.environ.get("SYNCHRO_STANDALONE_URI"),
        help="use this running standalone instead of starting one",
    )
    parser.add_argument(
        "--replset-uri",
        default=os.environ.get("SYNCHRO_REPLSET_URI"),
        help="use this running replica set instead of starting one",
    )
    parser.add_argument("--exclusions", help="exclusion file (default synchro/exclusions.txt)")
    parser.add_argument(
        "--known-failures",
        default=None,
        help="known failures (default synchro/known_failures.txt): still run and counted as "
        "failures, but do not fail the exit status",
    )
    parser.add_argument(
        "--out", help="directory for logs and per-test results (default: a temporary one)"
    )
    parser.add_argument(
        "--min-ratio",
        type=float,
        default=None,
        help="exit 0 if Synchro passes at least this fraction of what plain PyMongo passes",
    )
    parser.add_argument(
        "--shards",
        type=int,
        default=int(os.environ.get("SYNCHRO_SHARDS", 2)),
        help="deployments per topology, each running a share of the modules (plain, then "
        "Synchro, on the same servers); default 2. The runs wait on the server far more "
        "than they compute, so shards shorten a run even on 2 cores",
    )
    parser.add_argument(
        "--no-rerun",
        dest="rerun",
        action="store_false",
        help="do not run again, once, the tests Synchro failed and plain PyMongo passed "
        "(by default a test that passes then counts as flaky for the exit status; the "
        "tables and the last line always show the first run)",
    )
    parser.add_argument(
        "--list-modules", action="store_true", help="print the selected modules and exit"
    )
    parser.add_argument(
        "pytest_args", nargs="*", help="after --: more pytest arguments (e.g. -k cursor)"
    )
    args = parser.parse_args(argv)
    if args.slice:
        args.modules = "slice"
        args.topology = "replset"
    return args


def select_modules(spec: str, suite: Path) -> list[str]:
    if spec == "all":
        others = [m for m in io_modules(suite) if m not in CORE_MODULES]
        return CORE_MODULES + others
    if spec == "core":
        return list(CORE_MODULES)
    if spec == "slice":
        return list(SLICE_MODULES)
    modules = [
        m.strip().removesuffix(".py").removeprefix("test/") for m in spec.split(",") if m.strip()
    ]
    return [m if m.startswith("test_") else f"test_{m}" for m in modules]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.monotonic()

    log_lock = threading.Lock()

    def log(message: str) -> None:
        with log_lock:
            print(f"[synchro {time.monotonic() - t0:6.0f}s] {message}", flush=True)

    import pymongo

    try:
        import pytest_timeout  # noqa: F401
    except ImportError:
        raise SystemExit("pytest-timeout is needed: python -m pip install pytest-timeout") from None

    suite = obtain_suite(pymongo.version, log)
    modules = select_modules(args.modules, suite)
    missing = [m for m in modules if not (suite / "test" / f"{m}.py").exists()]
    if missing:
        raise SystemExit(
            f"no such modules in PyMongo {pymongo.version}'s suite: {', '.join(missing)}"
        )
    if args.list_modules:
        print("\n".join(modules))
        return 0
    topologies = [t.strip() for t in args.topology.split(",") if t.strip()]
    modes = [m.strip() for m in args.mode.split(",") if m.strip()]
    log(
        f"PyMongo {pymongo.version} test suite in {suite}; {len(modules)} modules; {', '.join(topologies)}"
    )

    from synchro.exclusions import load_exclusions

    known = load_exclusions(
        args.known_failures or str(Path(__file__).with_name("known_failures.txt"))
    )
    load_exclusions(args.exclusions)  # a malformed file fails now, not after the run
    out_dir = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="synchro-run-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    uris = {"standalone": args.standalone_uri, "replset": args.replset_uri}
    shards = {t: 1 if uris.get(t) else max(1, args.shards) for t in topologies}
    shard_lists = {t: shard_modules(modules, shards[t]) for t in topologies}
    wanted = [(t, i) for t in topologies for i in range(len(shard_lists[t]))]
    deployments = start_deployments(wanted, uris, log)
    results: dict[tuple[str, int, str], Outcomes] = {}
    try:

        def run_deployment(deployment: Deployment) -> None:
            shard_list = shard_lists[deployment.topology][deployment.shard]
            for mode in modes:
                reset_deployment(deployment)
                log(f"{deployment.name}: pytest, {mode}, {len(shard_list)} modules ...")
                outcome = run_pytest(
                    suite, deployment, mode == "synchro", shard_list, args, out_dir
                )
                results[(deployment.topology, deployment.shard, mode)] = outcome
                c = count(outcome.tests)
                log(
                    f"{deployment.name}: {mode} done in {_minutes(outcome.seconds)}: {c['passed']} passed, "
                    f"{c['failed']} failed, {c['skipped']} skipped (log: {outcome.log})"
                )
            if args.rerun and "plain" in modes and "synchro" in modes:
                plain = results[(deployment.topology, deployment.shard, "plain")]
                synchro = results[(deployment.topology, deployment.shard, "synchro")]
                lost = [n for n in comparison(plain, synchro)[3] if not known.match(n)]
                if lost and synchro.broken is None:
                    reset_deployment(deployment)
                    log(
                        f"{deployment.name}: running the {len(lost)} tests Synchro lost again, once ..."
                    )
                    rerun = run_pytest(
                        suite, deployment, True, shard_list, args, out_dir, nodeids=lost
                    )
                    results[(deployment.topology, deployment.shard, "rerun")] = rerun

        threads = [threading.Thread(target=run_deployment, args=(d,)) for d in deployments]
        for t in threads:
            t.start()
        try:
            for t in threads:
                t.join()
        except KeyboardInterrupt:
            log("interrupted: stopping the pytest runs and the servers")
            for proc in list(_live):
                _stop(proc)
            for t in threads:
                t.join()
            raise
    finally:
        for deployment in deployments:
            if deployment.handle is not None:
                deployment.handle.stop()

    print()
    total_passed = total_failed = 0
    plain_total = both_total = excluded_total = 0
    ok = True
    for topology in topologies:
        plain, synchro, rerun = Outcomes(), Outcomes(), Outcomes()
        servers: list[str] = []
        problems: list[str] = []
        for deployment in deployments:
            if deployment.topology != topology:
                continue
            servers.append(f"{deployment.host}:{deployment.port}")
            for mode, merged in (("plain", plain), ("synchro", synchro), ("rerun", rerun)):
                outcome = results.get((topology, deployment.shard, mode), Outcomes())
                merged.tests.update(outcome.tests)
                merged.seconds = max(merged.seconds, outcome.seconds)
                merged.timed_out = merged.timed_out or outcome.timed_out
                if mode != "rerun" and outcome.broken:
                    problems.append(f"{deployment.name} {mode}: {outcome.broken}")
        title = f"{topology} ({len(servers)} deployment(s), primary {', '.join(servers)})"
        print(table(title, modules, plain, synchro))
        c = count(synchro.tests)
        total_passed += c["passed"]
        total_failed += c["failed"]
        if "plain" in modes and "synchro" in modes:
            plain_passed, both, excluded, lost = comparison(plain, synchro)
            plain_total += plain_passed
            both_total += both
            excluded_total += excluded
            compared = plain_passed - excluded
            ratio = both / compared if compared else 1.0
            print(
                f"Of the {plain_passed} tests plain PyMongo passes, Synchro passes {both} "
                f"({100 * ratio:.1f}% of the {compared} not excluded; {excluded} excluded)"
            )
            unexpected = []
            if lost:
                print("Passed by plain PyMongo, not by Synchro:")
                for nodeid in lost:
                    bug = known.match(nodeid)
                    if bug is not None:
                        note = f"  known failure: {bug.reason}"
                    elif (
                        rerun.tests.get(nodeid) == "passed"
                        and synchro.tests.get(nodeid) == "failed"
                    ):
                        note = "  flaky: passed when run again"
                    else:
                        note = ""
                        unexpected.append(nodeid)
                    print(f"    {nodeid}  [{synchro.tests.get(nodeid, 'not run')}]{note}")
            fixed = sorted(n for n, o in synchro.tests.items() if o == "passed" and known.match(n))
            for nodeid in fixed:
                print(
                    f"    {nodeid}  (a known failure) passes now: remove it from known_failures.txt unless it is only timing"
                )
            if args.min_ratio is not None:
                ok = ok and ratio >= args.min_ratio
            else:
                ok = ok and not unexpected
        for problem in problems:
            print(f"BROKEN RUN: {problem}")
            ok = False
        print()
    print(
        f"Exclusion entries: {len(load_exclusions(args.exclusions))}; logs and results in {out_dir}"
    )
    if plain_total:
        compared = plain_total - excluded_total
        print(
            f"Overall: Synchro passes {both_total} of the {compared} non-excluded tests plain PyMongo passes "
            f"({100 * both_total / max(compared, 1):.1f}%)"
        )
    print(f"Total time: {_minutes(time.monotonic() - t0)}")
    print(f"Synchro: {total_passed} passed, {total_failed} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
