"""Motor's type stubs: a typed user program passes ``mypy --strict``; mistakes are reported.

``test/typing/typed_example.py`` uses both framework modules with annotated expectations
(documents, results, cursors, sessions, change streams, GridFS); ``mypy --strict`` must
accept it. ``test/typing/typed_errors.py`` holds deliberate mistakes, each line marked
``# error: <code>`` (optionally followed by a quoted fragment of the message); mypy must
report exactly those lines, with those codes.

The two framework stubs are one stub with two prefixes: ``motor_tornado.pyi`` must be
``motor_asyncio.pyi`` with "Motor" for "AsyncIOMotor", apart from the section each marks
"framework". After editing motor_asyncio.pyi, run::

    python test/test_typing.py --write-tornado-stub

Also checked: the stubs declare every public member of the runtime classes (and nothing
they lack), and the example runs against the test deployment (the one test here that
needs a MongoDB server).
"""

from __future__ import annotations

import ast
import difflib
import importlib
import importlib.util
import os
import pathlib
import re
import subprocess
import sys
from typing import Any

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
TYPING_DIR = ROOT / "test" / "typing"
EXAMPLE = TYPING_DIR / "typed_example.py"
ERRORS = TYPING_DIR / "typed_errors.py"
ASYNCIO_STUB = ROOT / "motor" / "motor_asyncio.pyi"
TORNADO_STUB = ROOT / "motor" / "motor_tornado.pyi"

FRAMEWORK_SECTION = re.compile(r"^# -- framework: begin.*?^# -- framework: end\n", re.M | re.S)
ERROR_LINE = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>\d+): error: (?P<message>.*?)(?:  \[(?P<code>[a-z-]+)\])?$"
)
EXPECTED = re.compile(r'#\s*error:\s*(?P<code>[a-z-]+)(?:\s+"(?P<fragment>.*)")?\s*$')

needs_mypy = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed (pip install mypy, or the 'test' extra)",
)


@pytest.fixture(scope="module")
def mypy_config(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """An empty configuration: only the command line decides, whatever the checkout holds."""
    path = tmp_path_factory.mktemp("mypy") / "mypy.ini"
    path.write_text("[mypy]\n")
    return path


def run_mypy(path: pathlib.Path, config: pathlib.Path) -> subprocess.CompletedProcess[str]:
    """``python -m mypy --strict path`` from the repository root, as a user would run it.

    The cache is the usual .mypy_cache (git-ignored): analysing PyMongo takes a while the
    first time only.
    """
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            "--no-error-summary",
            "--hide-error-context",
            "--no-pretty",
            "--show-error-codes",
            str(path.relative_to(ROOT)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def reported_errors(output: str) -> list[tuple[str, int, str, str]]:
    """(path, line, code, message) of each error mypy printed."""
    errors = []
    for line in output.splitlines():
        match = ERROR_LINE.match(line)
        if match:
            path = match["path"].replace(os.sep, "/")
            errors.append((path, int(match["line"]), match["code"] or "", match["message"]))
    return errors


@needs_mypy
def test_typed_example_passes_mypy_strict(mypy_config: pathlib.Path) -> None:
    result = run_mypy(EXAMPLE, mypy_config)
    assert result.returncode == 0, (
        f"mypy --strict rejected {EXAMPLE.name}:\n{result.stdout}{result.stderr}"
    )


@needs_mypy
def test_mypy_reports_each_deliberate_error(mypy_config: pathlib.Path) -> None:
    expected: dict[int, tuple[str, str | None]] = {}
    for number, line in enumerate(ERRORS.read_text().splitlines(), start=1):
        match = EXPECTED.search(line)
        if match:
            expected[number] = (match["code"], match["fragment"])
    assert len(expected) >= 10, "typed_errors.py should hold its marked mistakes"

    result = run_mypy(ERRORS, mypy_config)
    assert result.returncode == 1, f"expected mypy to fail:\n{result.stdout}{result.stderr}"
    errors = reported_errors(result.stdout)
    rel = str(ERRORS.relative_to(ROOT)).replace(os.sep, "/")
    elsewhere = [e for e in errors if e[0] != rel]
    assert not elsewhere, f"errors outside {ERRORS.name} (in the stubs?):\n{result.stdout}"

    reported: dict[int, list[tuple[str, str]]] = {}
    for _, number, code, message in errors:
        reported.setdefault(number, []).append((code, message))
    problems = []
    for number, (code, fragment) in sorted(expected.items()):
        found = reported.get(number, [])
        if not any(c == code and (fragment is None or fragment in m) for c, m in found):
            want = code + (f' "{fragment}"' if fragment else "")
            problems.append(f"line {number}: expected [{want}], mypy reported {found or 'nothing'}")
    for number in sorted(set(reported) - set(expected)):
        problems.append(f"line {number}: unexpected {reported[number]}")
    assert not problems, "\n".join(problems) + f"\n\nmypy output:\n{result.stdout}"


def tornado_stub() -> str:
    """motor_tornado.pyi as it should be: the asyncio stub, renamed, with Tornado's section."""
    section = FRAMEWORK_SECTION.search(TORNADO_STUB.read_text())
    assert section is not None, "motor_tornado.pyi lost its framework section"
    asyncio_stub = ASYNCIO_STUB.read_text()
    assert FRAMEWORK_SECTION.search(asyncio_stub), "motor_asyncio.pyi lost its framework section"
    renamed = asyncio_stub.replace("AsyncIOMotor", "Motor")
    return FRAMEWORK_SECTION.sub(lambda _: section.group(0), renamed, count=1)


def test_tornado_stub_is_the_asyncio_stub_renamed() -> None:
    expected = tornado_stub()
    actual = TORNADO_STUB.read_text()
    diff = "".join(
        difflib.unified_diff(
            actual.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            "motor/motor_tornado.pyi",
            "motor/motor_asyncio.pyi, renamed",
        )
    )
    assert not diff, f"run 'python test/test_typing.py --write-tornado-stub':\n{diff}"


def test_stubs_declare_every_public_class() -> None:
    """Each framework stub's __all__ is the module's; motor/__init__.pyi's is motor's."""
    import motor
    from motor import motor_asyncio, motor_tornado

    def stub_all(path: pathlib.Path) -> list[str]:
        match = re.search(r"^__all__ = \[(.*?)\]", path.read_text(), re.M | re.S)
        assert match is not None, f"{path.name} has no __all__"
        return re.findall(r'"(\w+)"', match.group(1))

    assert sorted(stub_all(ASYNCIO_STUB)) == sorted(motor_asyncio.__all__)
    assert sorted(stub_all(TORNADO_STUB)) == sorted(motor_tornado.__all__)
    assert sorted(stub_all(ROOT / "motor" / "__init__.pyi")) == sorted(motor.__all__)
    for name in motor_asyncio.__all__:
        assert re.search(rf"^class {name}\b", ASYNCIO_STUB.read_text(), re.M), name


# Runtime members left out of the stubs on purpose: ``with`` on a session, a change stream
# or a ClientEncryption (it only raises), and ``for`` or ``next()`` on a cursor or change
# stream (which raise TypeError at runtime). Left out, mypy says "has no attribute __iter__
# ... (not iterable)", the clearer error.
_NO_WITH = {"__enter__", "__exit__"}
_NOT_ITERABLE = {"__iter__", "__next__"}
OMITTED = {
    "MotorClientSession": _NO_WITH,
    "MotorClientEncryption": _NO_WITH,
    "MotorChangeStream": _NO_WITH | _NOT_ITERABLE,
    **{
        name: _NOT_ITERABLE
        for name in (
            "MotorCommandCursor",
            "MotorCursor",
            "MotorGridOutCursor",
            "MotorLatentCommandCursor",
            "MotorRawBatchCommandCursor",
            "MotorRawBatchCursor",
        )
    },
}
# Stub members that are instance attributes at runtime, so not in dir(class).
INSTANCE_ATTRIBUTES = {"delegate"}
DUNDERS = {
    "__aenter__",
    "__aexit__",
    "__aiter__",
    "__anext__",
    "__await__",
    "__copy__",
    "__deepcopy__",
    "__enter__",
    "__exit__",
    "__getattr__",
    "__getitem__",
    "__init__",
    "__iter__",
    "__next__",
    "__setattr__",
}


def stub_members(stub: pathlib.Path) -> dict[str, set[str]]:
    """Each class in ``stub``: the names it declares, with those of its bases in the stub."""
    declared: dict[str, tuple[set[str], list[str]]] = {}
    for node in ast.parse(stub.read_text()).body:
        if not isinstance(node, ast.ClassDef):
            continue
        names = set()
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(item.name)
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                names.add(item.target.id)
            elif isinstance(item, ast.Assign):
                names.update(t.id for t in item.targets if isinstance(t, ast.Name))
        bases = [b.value if isinstance(b, ast.Subscript) else b for b in node.bases]
        declared[node.name] = (names, [b.id for b in bases if isinstance(b, ast.Name)])

    def members(name: str) -> set[str]:
        names, bases = declared.get(name, (set(), []))
        return names.union(*(members(base) for base in bases))

    return {name: members(name) for name in declared}


def public(name: str) -> bool:
    return not name.startswith("_") or name in DUNDERS


@pytest.mark.parametrize("module_name", ["motor.motor_asyncio", "motor.motor_tornado"])
def test_stubs_cover_the_runtime_api(module_name: str) -> None:
    """Every public member of every runtime class is in the stub, and nothing more.

    So a method added to a wrapper (motor/core, motor/gridfs) fails here until it is typed.
    """
    module = importlib.import_module(module_name)
    stub = stub_members(ROOT / (module_name.replace(".", "/") + ".pyi"))
    problems = []
    for name in module.__all__:
        cls = getattr(module, name)
        runtime = {
            attr
            for klass in cls.__mro__
            if klass is not object
            for attr in vars(klass)
            if public(attr)
        }
        omitted = OMITTED.get(name.replace("AsyncIO", ""), set())
        typed = {attr for attr in stub.get(name, set()) if public(attr)}
        missing = runtime - typed - omitted
        invented = typed - runtime - INSTANCE_ATTRIBUTES
        if missing:
            problems.append(f"{name}: not in the stub: {sorted(missing)}")
        if invented:
            problems.append(f"{name}: not at runtime: {sorted(invented)}")
    assert not problems, "\n".join(problems)


def test_package_is_marked_typed() -> None:
    assert (ROOT / "motor" / "py.typed").is_file()


def test_typed_example_runs(deployment: Any) -> None:
    """The example is a working program: what its annotations claim is what Motor returns."""
    args = [sys.executable, str(EXAMPLE), deployment.uri]
    if deployment.is_replica_set:
        args.append("--replset")  # transactions and change streams too
    path = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{EXAMPLE.name} failed:\n{result.stdout}{result.stderr}"


def test_generic_classes_subscript_at_runtime() -> None:
    from motor import motor_asyncio

    generic = [
        node.name
        for node in ast.parse(ASYNCIO_STUB.read_text()).body
        if isinstance(node, ast.ClassDef)
        and not node.name.startswith("_")
        and any(isinstance(b, ast.Subscript) and isinstance(b.slice, ast.Name) for b in node.bases)
    ]
    assert "AsyncIOMotorCollection" in generic and "AsyncIOMotorCursor" in generic
    for name in generic:
        getattr(motor_asyncio, name)[dict[str, Any]]


if __name__ == "__main__":
    if sys.argv[1:] != ["--write-tornado-stub"]:
        sys.exit(f"usage: {sys.argv[0]} --write-tornado-stub")
    TORNADO_STUB.write_text(tornado_stub())
    print(f"wrote {TORNADO_STUB.relative_to(ROOT)}")
