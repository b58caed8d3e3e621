"""The test matrix: Python x deployment x PyMongo C extensions x async framework.

A cell is (Python, deployment, cext|noext, framework). One tox environment per Python and
C-extension choice (``py3XY-cext``, ``py3XY-noext``; tox.ini) holds the installed
packages, and ``tools/matrix.py cell`` runs pytest in it once per deployment and
framework (``MOTOR_TEST_TOPOLOGY``, ``MOTOR_TEST_FRAMEWORK`` set one of each), so that
48 cells need 6 environments. ``py311-oldest`` and ``py313-newest`` pin the lowest and
highest PyMongo and Tornado that pyproject.toml allows, and ``py311-pymongo4X`` the lowest
patch release of each PyMongo minor Motor supports (``PYMONGO_MINORS``; replica set, both
frameworks).

    python tools/matrix.py run             # the whole matrix (tox -m matrix -p 2), then MATRIX.md
    python tools/matrix.py report          # MATRIX.md's table from .tox/matrix-results
    python tools/matrix.py list            # every cell
    python tools/matrix.py sample          # CI: a rotating sample of cells
    python tools/matrix.py cell [pytest args]   # inside a matrix tox env (tox.ini calls it)

What a cell runs: the core API modules in ``CELL_MODULES`` (CRUD, cursors, client,
sessions and transactions, change streams, GridFS, the bridge, the harness checks),
``-m "not slow"``. The rest (the HTTP apps, the docs' examples, typing, the property-based
bad-input tests, the tests with their own servers, the slow reliability tests) runs in
the primary tox envs, standalone and replset, on every CI run.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, ".tox", "matrix-results")
MATRIX_MD = os.path.join(ROOT, "MATRIX.md")

PYTHONS = ("3.11", "3.12", "3.13")
TOPOLOGIES = ("standalone", "replset", "tls", "auth")
EXTS = ("cext", "noext")
FRAMEWORKS = ("tornado", "asyncio")
# The PyMongo minors pyproject.toml allows; each has a cell of its lowest patch release
# (tox env py311-pymongo4X, where tox.ini pins it) on a replica set, both frameworks.
PYMONGO_MINORS = tuple(range(9, 21))  # 4.9 to 4.20
# tox env -> (Python, C extensions, suffix, topologies) for the version cells.
VERSION_ENVS = {
    "py311-oldest": ("3.11", "cext", "oldest", ("replset",)),
    "py313-newest": ("3.13", "cext", "newest", ("replset",)),
    **{
        f"py311-pymongo4{minor}": ("3.11", "cext", f"pymongo4.{minor}", ("replset",))
        for minor in PYMONGO_MINORS
    },
}
CELL_MODULES = (
    "test/test_harness.py",
    "test/test_api_surface.py",
    "test/test_client.py",
    "test/test_crud.py",
    "test/test_cursor.py",
    "test/test_change_stream.py",
    "test/test_session.py",
    "test/test_cancellation.py",
    "test/test_features.py",
    "test/test_gridfs.py",
    "test/test_bridge.py",
)
# The tox env whose cells the fixed CI envs already cover (python3 is 3.11 there, with
# PyMongo's wheels: standalone and replset run everything, tls and auth run the cells).
CI_FIXED_ENV = "py311-cext"
BEGIN, END = "<!-- matrix:begin -->", "<!-- matrix:end -->"


def tox_envs():
    """Every matrix tox env -> (Python, C extensions, suffix, topologies)."""
    envs = {f"py{p.replace('.', '')}-{e}": (p, e, "", TOPOLOGIES) for p in PYTHONS for e in EXTS}
    envs.update(VERSION_ENVS)
    return envs


def cell_name(tox_env, topology):
    python, ext, suffix, _ = tox_envs()[tox_env]
    name = f"py{python.replace('.', '')}-{topology}-{ext}"
    return f"{name}-{suffix}" if suffix else name


def all_cells():
    """Every (tox env, topology, framework) of the matrix, the version cells last."""
    return [
        (env, t, f)
        for env, (_, _, _, topologies) in tox_envs().items()
        for t in topologies
        for f in FRAMEWORKS
    ]


def with_pythons_on_path(environ=None):
    """``environ`` with each matrix Python reachable as ``python3.X`` for tox.

    A pyenv shim that is not the selected version fails; then the version's own
    bin directory (under ``pyenv root``) goes first on PATH.
    """
    environ = dict(os.environ if environ is None else environ)
    # Inside a tox env (matrix-sample): the inner tox must not take the outer one's
    # TOX_* settings or its virtualenv for its own.
    for name in list(environ):
        if name.startswith("TOX_") or name == "VIRTUAL_ENV":
            del environ[name]
    extra = []
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for version in PYTHONS:
        exe = shutil.which(f"python{version}", path=environ.get("PATH"))
        works = (
            exe
            and subprocess.run([exe, "-c", ""], capture_output=True, env=environ).returncode == 0
        )
        if not works:
            found = sorted(glob.glob(os.path.join(root, "versions", f"{version}.*", "bin")))
            if found:
                extra.append(found[-1])
    if extra:
        environ["PATH"] = os.pathsep.join(extra + [environ.get("PATH", "")])
    return environ


# --- inside a cell ----------------------------------------------------------------------


def _versions():
    import bson
    import pymongo
    import tornado

    return {
        "python": platform.python_version(),
        "pymongo": pymongo.version,
        "tornado": tornado.version,
        "pymongo_has_c": pymongo.has_c(),
        "bson_has_c": bson.has_c(),
    }


def _junit_counts(path):
    counts = dict(tests=0, failures=0, errors=0, skipped=0, time=0.0)
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for suite in suites:
        for key in counts:
            counts[key] += type(counts[key])(float(suite.get(key, 0)))
    counts["passed"] = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    return counts


def _selected(variable, choices):
    names = os.environ.get(variable, "").replace(",", " ").split()
    return [c for c in choices if not names or c in names]


def cmd_cell(args, pytest_args):
    env = os.environ.get("TOX_ENV_NAME") or "adhoc"
    os.makedirs(args.results, exist_ok=True)
    topologies = tox_envs().get(env, (None, None, None, TOPOLOGIES))[3]
    topologies = _selected("MOTOR_TEST_TOPOLOGY", topologies)
    frameworks = _selected("MOTOR_TEST_FRAMEWORK", FRAMEWORKS)
    versions = _versions()
    print(
        f"matrix: {env}: deployments={','.join(topologies)} frameworks={','.join(frameworks)} "
        f"{versions}",
        flush=True,
    )
    status = 0
    for topology in topologies:
        if env in tox_envs():
            cell = cell_name(env, topology)
        else:  # the CI envs tls and auth, or a run outside tox
            cell = env if env == topology else f"{env}-{topology}"
        for framework in frameworks:
            stem = os.path.join(args.results, f"{cell}--{framework}")
            command = [
                sys.executable,
                "-m",
                "pytest",
                "-m",
                "not slow",
                "-p",
                "no:cacheprovider",
                f"--junitxml={stem}.xml",
                *CELL_MODULES,
                *pytest_args,
            ]
            print(f"matrix: cell {cell} on {framework}", flush=True)
            started = time.monotonic()
            environ = dict(os.environ, MOTOR_TEST_TOPOLOGY=topology, MOTOR_TEST_FRAMEWORK=framework)
            code = subprocess.run(command, env=environ, cwd=ROOT).returncode
            record = dict(
                cell=cell,
                tox_env=env,
                framework=framework,
                topology=topology,
                exit=code,
                seconds=round(time.monotonic() - started, 1),
                counts=_junit_counts(f"{stem}.xml"),
                finished=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                **versions,
            )
            with open(f"{stem}.json", "w") as f:
                json.dump(record, f, indent=1)
            status = status or code
    return status


# --- around the matrix -----------------------------------------------------------------


def _tox(tox_args, environ=None):
    command = [sys.executable, "-m", "tox", *tox_args]
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT, env=environ).returncode


def cmd_run(args, extra):
    if not args.keep:
        shutil.rmtree(args.results, ignore_errors=True)
    environ = with_pythons_on_path()
    environ.pop("MOTOR_TEST_FRAMEWORK", None)
    environ.pop("MOTOR_TEST_TOPOLOGY", None)
    started = time.monotonic()
    code = _tox(["-m", "matrix", "-p", str(args.parallel), *extra], environ)
    print(f"matrix: tox exited {code} after {(time.monotonic() - started) / 60:.1f} min")
    cmd_report(args, [])
    return code


def _commit_count():
    try:
        out = subprocess.run(
            ["git", "rev-list", "--count", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        if out.returncode == 0 and out.stdout.strip():
            return int(out.stdout.strip()), "commit count"
    except OSError:
        pass
    return datetime.date.today().toordinal(), "day number"


def python_available(version, environ):
    exe = shutil.which(f"python{version}", path=environ.get("PATH"))
    return bool(exe) and subprocess.run([exe, "-c", ""], capture_output=True).returncode == 0


def sample_cells(number=None, environ=None):
    """CI's rotation: one tox env that CI does not otherwise run, and two of its cells.

    The env rotates with ``number`` (the commit count); the pair of (deployment,
    framework) cells within it with ``number // len(envs)``, so that every cell comes
    round within len(envs) * len(cells) / 2 commits. An env whose Python is not
    installed gives way to the next one (said in the output).
    """
    if number is None:
        number, source = _commit_count()
    else:
        source = "given number"
    envs = [e for e in tox_envs() if e != CI_FIXED_ENV]
    first = number % len(envs)
    env, passed_over = envs[first], []
    if environ is not None:
        for offset in range(len(envs)):
            candidate = envs[(first + offset) % len(envs)]
            if python_available(tox_envs()[candidate][0], environ):
                env = candidate
                break
            passed_over.append(candidate)
    combos = [(t, f) for t in tox_envs()[env][3] for f in FRAMEWORKS]
    k = (number // len(envs)) % len(combos)
    picked = [combos[k], combos[(k + len(combos) // 2) % len(combos)]]
    period = len(envs) * max(len(tox_envs()[e][3]) * len(FRAMEWORKS) // 2 for e in envs)
    return env, picked, number, source, period, passed_over


def cmd_sample(args, extra):
    environ = with_pythons_on_path()
    env, picked, number, source, period, passed_over = sample_cells(args.number, environ)
    cells = [f"{cell_name(env, t)} on {f}" for t, f in picked]
    if passed_over:
        print(
            f"matrix sample: NOT RUN this time: {', '.join(passed_over)}, whose Python is not "
            "installed here; the next env in the rotation runs instead.",
            flush=True,
        )
    print(
        f"matrix sample: rotating with the {source} ({number}), this run covers 2 of the "
        f"{sum(1 for c in all_cells() if c[0] != CI_FIXED_ENV)} matrix cells that the other CI "
        f"envs do not run: {' and '.join(cells)} (tox env {env}); every cell comes round "
        f"within {period} commits. The full matrix: python tools/matrix.py run "
        "(last results in MATRIX.md).",
        flush=True,
    )
    # The pair shares a framework (or, in a version env, a deployment), so one tox run,
    # selecting both, runs exactly these two cells.
    topologies = list(dict.fromkeys(t for t, _ in picked))
    frameworks = list(dict.fromkeys(f for _, f in picked))
    assert len(topologies) * len(frameworks) == len(picked), picked
    environ["MOTOR_TEST_TOPOLOGY"] = " ".join(topologies)
    environ["MOTOR_TEST_FRAMEWORK"] = " ".join(frameworks)
    code = _tox(["-e", env, *extra], environ)
    print(f"matrix sample: {' and '.join(cells)}: " + ("passed" if code == 0 else "FAILED"))
    return code


def _cell_text(record):
    if record is None:
        return "not run"
    counts = record.get("counts")
    if counts is None:
        return f"❌ no result (exit {record['exit']})"
    mark = "✅" if record["exit"] == 0 and not (counts["failures"] or counts["errors"]) else "❌"
    text = f"{mark} {counts['passed']} passed"
    if counts["failures"] or counts["errors"]:
        text += f", {counts['failures'] + counts['errors']} failed"
    if counts["skipped"]:
        text += f", {counts['skipped']} skipped"
    return text + f" ({record['seconds']:.0f} s)"


def render(results_dir):
    records = {}
    for path in glob.glob(os.path.join(results_dir, "*.json")):
        with open(path) as f:
            record = json.load(f)
        if record["tox_env"] in tox_envs():  # not the CI envs tls and auth
            records[(record["tox_env"], record["topology"], record["framework"])] = record
    if not records:
        return None
    finished = max(r["finished"] for r in records.values())
    commit = (
        subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        or "?"
    )
    cells = all_cells()
    ran = [c for c in cells if c in records]
    green = [c for c in ran if _cell_text(records[c]).startswith("✅")]
    lines = [
        f"Last run: finished {finished}, commit {commit} plus the working tree; "
        f"{len(ran)} of {len(cells)} cells run, {len(green)} green.",
        "",
        "| Python | deployment | PyMongo C ext. | PyMongo / Tornado | Tornado | asyncio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for env, (python, ext, suffix, topologies) in tox_envs().items():
        for topology in topologies:
            pair = [records.get((env, topology, f)) for f in FRAMEWORKS]
            some = next((r for r in pair if r), None)
            if some:
                python = some["python"]
                ext_text = f"{ext} (has_c: {'yes' if some['pymongo_has_c'] else 'no'})"
                versions = f"{some['pymongo']} / {some['tornado']}"
            else:
                ext_text, versions = ext, "?"
            if suffix:
                versions += f" ({suffix})"
            lines.append(
                f"| {python} | {topology} | {ext_text} | {versions} | "
                + " | ".join(_cell_text(r) for r in pair)
                + " |"
            )
    return "\n".join(lines)


def cmd_report(args, extra):
    table = render(args.results)
    if table is None:
        print(f"matrix report: no results in {args.results}", file=sys.stderr)
        return 1
    print(table)
    try:
        with open(MATRIX_MD, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = f"# Test matrix\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(MATRIX_MD, "w", encoding="utf-8") as f:
        f.write(f"{head}{BEGIN}\n{table}\n{END}{tail}")
    print(f"matrix report: wrote {MATRIX_MD}")
    return 0


def cmd_list(args, extra):
    minors = ", ".join(f"4.{minor}" for minor in PYMONGO_MINORS)
    print(f"PyMongo minors (a cell each, its lowest patch release, py311-pymongo4X): {minors}")
    for env, topology, framework in all_cells():
        fixed = "  (CI: every run)" if env == CI_FIXED_ENV else ""
        print(f"{cell_name(env, topology)} on {framework}: tox -e {env}{fixed}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python tools/matrix.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("cell", "run", "report", "sample", "list"):
        p = sub.add_parser(name)
        p.add_argument("--results", default=RESULTS, help="where cells write their results")
        if name == "run":
            p.add_argument("--parallel", type=int, default=2, help="tox -p (default 2)")
            p.add_argument("--keep", action="store_true", help="keep earlier results")
        if name == "sample":
            p.add_argument("--number", type=int, help="rotate by this instead of the commit count")
    args, extra = parser.parse_known_args(argv)
    if extra and extra[0] == "--":
        extra = extra[1:]
    handler = globals()[f"cmd_{args.command}"]
    return handler(args, extra)


if __name__ == "__main__":
    sys.exit(main())
