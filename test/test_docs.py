"""The documentation's examples run against the test deployment, so they cannot rot.

The convention (doc/README.rst says it for authors):

* Every ``.. code-block:: python`` in ``doc/**/*.rst`` has ``:class: runnable`` or
  ``:class: fragment``. Fragments are shown, never run.
* A page's runnable blocks, in page order, are one program, as if a reader pasted them
  into one file. It runs in a fresh interpreter, with DeprecationWarning as an error.
  A block whose classes include ``replset`` needs a replica set: elsewhere it is left
  out, with the output block after it.
* A ``.. code-block:: text`` with ``:class: output`` after a runnable block is what
  that block prints; ``...`` matches anything (doctest's ELLIPSIS, whitespace
  normalised).
* ``doc/examples/*.py`` are whole programs, shown with ``literalinclude``. Each runs as
  a script and must exit 0 (printing what an output block after its literalinclude
  shows, if there is one), except the web servers in ``SERVERS``, which are started,
  sent the requests listed there, and stopped.
* Before running, ``mongodb://localhost:27017`` (which must be followed by a quote)
  becomes the deployment's URI, the database name ``test_database`` becomes
  ``motor_test_docs`` (dropped before and after each program), and in server examples
  the port ``8888`` becomes a free one.
* A program importing a module in ``OPTIONAL_MODULES`` that cannot be imported here is
  skipped, saying so.
"""

from __future__ import annotations

import ast
import dataclasses
import doctest
import http.client
import importlib
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.parse
from pathlib import Path

import pytest

import motor

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "doc"
EXAMPLES = DOC / "examples"

PLACEHOLDER_URI = "mongodb://localhost:27017"
PLACEHOLDER_DB = "test_database"
DOCS_DB = "motor_test_docs"
PLACEHOLDER_PORT = "8888"
PYTHON_LANGUAGES = {"python", "python3", "py"}
KINDS = {"runnable", "fragment"}
OPTIONAL_MODULES = {"aiohttp", "motor.web", "motor.aiohttp"}
PROGRAM_TIMEOUT = 120
# Printed between blocks so the output can be split per block.
SEPARATOR = "----- motor docs block end -----"

# Web-server examples: (method, path, form fields or None, expected status, expected text
# in the body). Each is started, checked with these requests in order, then stopped.
SERVERS = {
    "tornado_app.py": [
        ("GET", "/", None, 200, "No messages yet"),
        ("POST", "/", {"text": "hello from the docs test"}, 200, "hello from the docs test"),
        ("GET", "/", None, 200, "hello from the docs test"),
        ("GET", "/count", None, 200, '{"messages": 1}'),
    ],
    "tornado_gridfs.py": [
        ("GET", "/fs/hello.txt", None, 200, "Hello from GridFS"),
        ("HEAD", "/fs/hello.txt", None, 200, ""),
        ("GET", "/fs/missing.txt", None, 404, ""),
    ],
    "aiohttp_gridfs.py": [
        ("GET", "/fs/hello.txt", None, 200, "Hello from GridFS"),
        ("GET", "/fs/missing.txt", None, 404, ""),
    ],
}


# -- reading the pages ----------------------------------------------------------------


@dataclasses.dataclass
class Block:
    path: Path
    line: int  # 1-based line of the directive
    language: str
    classes: set[str]
    code: str
    output: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


_DIRECTIVE = re.compile(
    r"^(?P<indent>\s*)\.\.\s+(?P<name>code-block|code|sourcecode|literalinclude)::\s*(?P<arg>.*?)\s*$"
)


def read_blocks(path: Path) -> tuple[list[Block], list[str]]:
    """The code blocks of one page, and the files it literalincludes."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    includes: list[str] = []
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i])
        if not m:
            i += 1
            continue
        indent = len(m["indent"])
        start = i
        if m["name"] == "literalinclude":
            includes.append(m["arg"])
            blocks.append(Block(path, start + 1, "include", set(), m["arg"]))
            i += 1
            continue
        options: dict[str, str] = {}
        i += 1
        while i < len(lines) and re.match(r"^\s+:[\w-]+:", lines[i]) and _indent(lines[i]) > indent:
            key, _, value = lines[i].strip()[1:].partition(":")
            options[key] = value.strip()
            i += 1
        body: list[str] = []
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > indent):
            body.append(lines[i])
            i += 1
        code = textwrap.dedent("\n".join(body)).strip("\n") + "\n"
        classes = set(options.get("class", "").split())
        blocks.append(Block(path, start + 1, m["arg"].lower() or "none", classes, code))
    return blocks, includes


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def pages() -> list[Path]:
    return sorted(p for p in DOC.rglob("*.rst") if "_build" not in p.parts)


def page_programs() -> dict[Path, list[Block]]:
    """Each page's runnable blocks, with the expected output attached to each."""
    programs = {}
    for page in pages():
        runnable = [b for b in _with_outputs(read_blocks(page)[0]) if b.language != "include"]
        if runnable:
            programs[page] = runnable
    return programs


def example_outputs() -> dict[str, Block]:
    """The output shown after a literalinclude of doc/examples/NAME, by NAME."""
    found = {}
    for page in pages():
        for block in _with_outputs(read_blocks(page)[0]):
            target = (page.parent / block.code.strip()).resolve()
            if (
                block.language == "include"
                and block.output is not None
                and target.parent == EXAMPLES
            ):
                found[target.name] = block
    return found


def _with_outputs(blocks: list[Block]) -> list[Block]:
    """The runnable blocks and literalincludes, each given the output block after it."""
    chosen: list[Block] = []
    for block in blocks:
        runnable = block.language in PYTHON_LANGUAGES and "runnable" in block.classes
        if block.language == "include" or runnable:
            chosen.append(block)
        elif "output" in block.classes:
            if not chosen or chosen[-1].output is not None:
                raise AssertionError(
                    f"{block.where}: an output block must follow a runnable block or a literalinclude"
                )
            chosen[-1].output = block.code
    return chosen


# -- running programs ------------------------------------------------------------------


def substitute(code: str, uri: str, port: int | None = None) -> str:
    code = code.replace(PLACEHOLDER_URI, uri)
    code = re.sub(rf"\b{PLACEHOLDER_DB}\b", DOCS_DB, code)
    if port is not None:
        code = re.sub(rf"\b{PLACEHOLDER_PORT}\b", str(port), code)
    return code


def skip_missing_modules(code: str) -> None:
    """Skip the test if ``code`` imports an optional module that is not available."""
    for node in ast.walk(ast.parse(code)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if name in OPTIONAL_MODULES:
                try:
                    importlib.import_module(name)
                except ImportError as exc:
                    pytest.skip(f"needs {name}, which cannot be imported here: {exc}")


def program_env() -> dict[str, str]:
    """The environment for a program: this test's Motor first on the path."""
    env = dict(os.environ)
    motor_parent = str(Path(motor.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [motor_parent, env.get("PYTHONPATH")] if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def python_command(script: Path) -> list[str]:
    return [sys.executable, "-W", "error::DeprecationWarning", str(script)]


def run_program(script: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` to its end, in its own directory; its output captured."""
    return subprocess.run(
        python_command(script),
        cwd=script.parent,
        env=program_env(),
        capture_output=True,
        text=True,
        timeout=PROGRAM_TIMEOUT,
    )


# Signs of a coroutine or task left behind, which a program's exit status does not show.
_LEFT_BEHIND = ("was never awaited", "Task was destroyed but it is pending", "Exception ignored")


def check_stderr(stderr: str, where: str) -> None:
    for sign in _LEFT_BEHIND:
        assert sign not in stderr, f"{where}: {sign!r} in stderr:\n{stderr}"


@pytest.fixture
def docs_db(sync_client):
    """The database the examples use, empty before each program and dropped after it."""
    sync_client.drop_database(DOCS_DB)
    yield sync_client[DOCS_DB]
    sync_client.drop_database(DOCS_DB)


def _page_ids():
    try:
        return [str(p.relative_to(DOC)) for p in page_programs()]
    except AssertionError:
        return []  # test_output_blocks_follow_runnable_blocks reports it


@pytest.mark.parametrize("page", _page_ids())
def test_page_examples_run(page, deployment, docs_db, tmp_path):
    run_page(page, deployment, tmp_path)


def run_page(page: str, deployment, tmp_path: Path) -> None:
    """Run a page's program against ``deployment``; fail unless it prints what it shows."""
    blocks = page_programs()[DOC / page]
    chosen = [b for b in blocks if "replset" not in b.classes or deployment.is_replica_set]
    if not chosen:
        pytest.skip("every runnable block on this page needs a replica set")
    parts = []
    for block in chosen:
        parts.append(f"# ---- {block.where} ----\n{substitute(block.code, deployment.uri)}")
        parts.append(f"print({SEPARATOR!r}, flush=True)\n")
    program = "\n".join(parts)
    skip_missing_modules(program)
    script = tmp_path / (Path(page).stem.replace("-", "_") + "_program.py")
    script.write_text(program, encoding="utf-8")
    proc = run_program(script)
    outputs = proc.stdout.split(SEPARATOR + "\n")
    if proc.returncode != 0:
        failed = chosen[min(len(outputs) - 1, len(chosen) - 1)]
        pytest.fail(
            f"{page}: the program stopped in the block at {failed.where} (exit {proc.returncode})."
            f"\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}\n"
            f"--- program ({script}) ---\n{_numbered(program)}"
        )
    check_stderr(proc.stderr, page)
    for block, got in zip(chosen, outputs, strict=False):
        check_output(block, got)


def check_output(block: Block, got: str) -> None:
    if block.output is None:
        return
    checker = doctest.OutputChecker()
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    assert checker.check_output(block.output, got, flags), (
        f"{block.where}: printed\n{got}\nbut the page shows\n{block.output}"
    )


def _numbered(text: str) -> str:
    return "\n".join(f"{n:4} {line}" for n, line in enumerate(text.splitlines(), 1))


def _example_ids(servers: bool) -> list[str]:
    return [p.name for p in sorted(EXAMPLES.glob("*.py")) if (p.name in SERVERS) == servers]


@pytest.mark.parametrize("name", _example_ids(servers=False))
def test_example_program_runs(name, deployment, docs_db, tmp_path):
    code = substitute((EXAMPLES / name).read_text(encoding="utf-8"), deployment.uri)
    skip_missing_modules(code)
    script = tmp_path / name
    script.write_text(code, encoding="utf-8")
    proc = run_program(script)
    assert proc.returncode == 0, (
        f"doc/examples/{name} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    )
    check_stderr(proc.stderr, name)
    shown = example_outputs().get(name)
    if shown is not None:
        check_output(shown, proc.stdout)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port: int, method: str, path: str, form: dict | None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers, body = {}, None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        status = response.status
        text = response.read().decode(errors="replace")
        if status in (301, 302, 303) and method == "POST":
            return _request(port, "GET", response.getheader("Location"), None)
        return status, text
    finally:
        conn.close()


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the server exited {proc.returncode} before listening:\n{out}\n{err}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listened on port {port} within {timeout} s")


@pytest.mark.parametrize("name", _example_ids(servers=True))
def test_example_server_answers(name, deployment, docs_db, tmp_path):
    port = _free_port()
    code = substitute((EXAMPLES / name).read_text(encoding="utf-8"), deployment.uri, port)
    skip_missing_modules(code)
    script = tmp_path / name
    script.write_text(code, encoding="utf-8")
    proc = subprocess.Popen(
        python_command(script),
        cwd=tmp_path,
        env=program_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_port(port, proc)
        for method, path, form, status, expected in SERVERS[name]:
            got_status, body = _request(port, method, path, form)
            assert got_status == status, f"{method} {path}: {got_status}\n{body}"
            assert expected in body, f"{method} {path}: {expected!r} not in\n{body}"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # as Ctrl-C
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        out, err = proc.communicate()
    check_stderr(err, name)


# -- the convention itself ---------------------------------------------------------------


def test_python_blocks_say_whether_they_run():
    unmarked = []
    for page in pages():
        for block in read_blocks(page)[0]:
            if block.language in PYTHON_LANGUAGES and len(block.classes & KINDS) != 1:
                unmarked.append(block.where)
    assert not unmarked, (
        f"python code-blocks need ':class: runnable' or ':class: fragment': {unmarked}"
    )


def test_code_fits_the_page():
    """Python in the pages and examples stays within 79 columns, so it shows unscrolled."""
    long_lines = []
    for page in pages():
        for block in read_blocks(page)[0]:
            if block.language in PYTHON_LANGUAGES:
                lines = block.code.splitlines()
                long_lines += [
                    f"{block.where}+{n}" for n, line in enumerate(lines, 1) if len(line) > 79
                ]
    for path in EXAMPLES.glob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        long_lines += [
            f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(lines, 1) if len(line) > 79
        ]
    assert not long_lines, f"lines over 79 characters: {long_lines}"


def test_output_blocks_follow_runnable_blocks():
    page_programs()  # raises AssertionError naming the block


def test_placeholders_are_substitutable():
    bad = []
    sources = [(b.where, b.code) for blocks in page_programs().values() for b in blocks]
    sources += [
        (str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in EXAMPLES.glob("*.py")
    ]
    for where, code in sources:
        if re.search(re.escape(PLACEHOLDER_URI) + r"(?![\"'])", code):
            bad.append(where)
        if re.search(r"mongodb(\+srv)?://(?!localhost:27017[\"'])", code):
            bad.append(where)
    assert not bad, f'use exactly "{PLACEHOLDER_URI}" as the connection string in: {bad}'


def test_every_example_file_is_shown_and_run():
    included = set()
    for page in pages():
        for target in read_blocks(page)[1]:
            included.add((page.parent / target).resolve())
    files = set(EXAMPLES.glob("*.py"))
    orphans = {p.name for p in files if p.resolve() not in included}
    assert not orphans, "examples not literalinclude'd in any page"
    assert set(SERVERS) <= {p.name for p in files}, (
        "SERVERS names a file that is not in doc/examples"
    )


@pytest.mark.parametrize("module_name", ["motor.motor_tornado", "motor.motor_asyncio"])
def test_every_public_class_has_reference_docs(module_name):
    module = importlib.import_module(module_name)
    folder = DOC / ("api-tornado" if module_name.endswith("tornado") else "api-asyncio")
    text = "\n".join(p.read_text(encoding="utf-8") for p in folder.glob("*.rst"))
    documented = set(re.findall(r"^\.\. autoclass:: (\w+)", text, re.M))
    assert re.search(rf"^\.\. (current)?module:: {re.escape(module_name)}$", text, re.M)
    missing = sorted(set(module.__all__) - documented)
    assert not missing, f"no '.. autoclass::' in {folder.relative_to(ROOT)} for {missing}"


@pytest.mark.slow
def test_sphinx_build_has_no_warnings(tmp_path):
    pytest.importorskip("sphinx")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(DOC),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=program_env(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


SAMPLE_REPORT = """\
# Motor benchmark

2025-01-01, x86_64 Linux, 2 CPUs. A sync PyMongo `ping` took 80 µs; **> 1 is better**.
`n=` marks cells with fewer rounds; a_b_ and *stars* and |pipes| are text.

| metric | unit | motor4-tornado | motor3-tornado |
|---|---|---|---|
| find_one_seq | µs/op | 95.1 (1.31×) | – |
| gridfs | ms | skipped |  |
| holds | | **no** | `x` |

Metrics:

* `find_one_seq`: find_one by _id, one at a time
* round 2, pymongo-sync, http:

  ```
  Traceback (most recent call last):
  ValueError: *bad* `thing` |pipe| name_
  ```

## Versions

- motor4-tornado: pymongo 4.20.1
"""


def test_benchmark_report_markdown_becomes_valid_rst():
    """doc/_ext/motor_docs.py turns bench/run.py's report.md into reStructuredText."""
    pytest.importorskip("sphinx")
    import docutils.core
    import docutils.utils

    sys.path.insert(0, str(DOC / "_ext"))
    try:
        motor_docs = importlib.import_module("motor_docs")
    finally:
        sys.path.remove(str(DOC / "_ext"))
    rst = motor_docs.markdown_to_rst(SAMPLE_REPORT)
    try:
        tree = docutils.core.publish_doctree(
            rst, settings_overrides={"halt_level": 2, "report_level": 2, "warning_stream": False}
        )
    except docutils.utils.SystemMessage as exc:
        pytest.fail(f"{exc}\n{rst}")
    text = tree.astext()
    expected_texts = [
        "a_b_ and *stars* and |pipes|",
        "95.1 (1.31×)",
        "ValueError: *bad* `thing`",
        "Versions",
    ]
    for expected in expected_texts:
        assert expected in text, f"{expected!r} not in\n{text}"
    assert len(list(tree.findall(lambda n: n.tagname == "table"))) == 1
