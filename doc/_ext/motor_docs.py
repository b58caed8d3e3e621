"""Sphinx helpers for Motor's documentation. Local, and nothing here uses the network.

* Signatures: a method declared in ``motor/core/declare.py`` is built as
  ``method(self, *args, callback=None, **kwargs)``; autodoc shows the PyMongo method's
  own parameters instead (plus ``callback`` for I/O methods).
* Docstrings: such a method carries PyMongo's docstring; a first line says what Motor
  does with it (returns a Future, returns a cursor at once, or does no I/O), and
  PyMongo's ``:ref:`` roles, which point into PyMongo's own site, become plain text.
* ``.. if-importable:: module``: its content only if ``module`` imports (motor.web
  and motor.aiohttp are optional), else a note.
* ``.. bench-report::`` renders ``bench/results/report.md`` (written by
  ``bench/run.py``) if it exists when the docs are built, else says how to make it.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

# -- signatures and docstrings of declared methods ---------------------------------------


def _owner_class(name: str) -> type | None:
    """The class a dotted autodoc name like ``motor.motor_tornado.MotorCollection.find`` is on."""
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attr in parts[split:-1]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj if isinstance(obj, type) else None
    return None


def _delegate_member(name: str, obj: Any) -> Any:
    attr = getattr(obj, "__motor_attr__", None)
    owner = _owner_class(name)
    delegate_class = getattr(owner, "__delegate_class__", None)
    if attr is None or delegate_class is None:
        return None
    return getattr(delegate_class, attr, None)


def _is_generic(obj: Any) -> bool:
    """True for the ``(*args, **kwargs)`` methods that declare.py builds."""
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return False
    kinds = {p.kind for p in params}
    return inspect.Parameter.VAR_POSITIONAL in kinds and inspect.Parameter.VAR_KEYWORD in kinds


def process_signature(app, what, name, obj, options, signature, return_annotation):
    kind = getattr(obj, "__motor_kind__", None)
    if what != "method" or kind is None or not _is_generic(obj):
        return None
    member = _delegate_member(name, obj)
    if member is None:
        return None
    try:
        sig = inspect.signature(member)
    except (TypeError, ValueError):
        return None
    empty = inspect.Parameter.empty
    params = [p.replace(annotation=empty) for p in sig.parameters.values()]
    if params and params[0].name == "self":
        params = params[1:]
    if kind == "I/O" and not any(p.name == "callback" for p in params):
        callback = inspect.Parameter("callback", inspect.Parameter.KEYWORD_ONLY, default=None)
        var_kw = [i for i, p in enumerate(params) if p.kind is inspect.Parameter.VAR_KEYWORD]
        params.insert(var_kw[0] if var_kw else len(params), callback)
    try:
        new = inspect.Signature(params)
    except ValueError:
        return None
    return str(new), None


_INTRO = {
    "I/O": (
        "*I/O:* returns a Future of the result of PyMongo's :meth:`{target}`; pass "
        "``callback=`` to be called back with ``(result, error)`` instead. PyMongo's "
        "description follows."
    ),
    "I/O-latent": (
        "*Returns a cursor at once:* the command (PyMongo's :meth:`{target}`) runs when the "
        "cursor is first iterated. PyMongo's description follows."
    ),
    "stream": (
        "*Returns a change stream at once:* PyMongo's :meth:`{target}` runs when the stream "
        "is first iterated or entered with ``async with``. PyMongo's description follows."
    ),
    "chain": "*No I/O:* applies PyMongo's :meth:`{target}` and returns this cursor, for chaining.",
    "pure": "*No I/O:* PyMongo's :meth:`{target}`. PyMongo's description follows.",
}

_REF = re.compile(r":ref:`([^`<]*?)\s*(?:<[^`>]*>)?`")


def process_docstring(app, what, name, obj, options, lines):
    # PyMongo's cross-references into its own manual cannot resolve here: keep the words.
    for i, line in enumerate(lines):
        if ":ref:`" in line:
            lines[i] = _REF.sub(lambda m: m.group(1).strip() or "PyMongo's documentation", line)
    kind = getattr(obj, "__motor_kind__", None)
    member = _delegate_member(name, obj) if kind else None
    if member is None or getattr(obj, "__doc__", None) != getattr(member, "__doc__", None):
        return  # a method Motor documents itself
    qualname = getattr(member, "__qualname__", getattr(member, "__name__", ""))
    module = getattr(member, "__module__", "") or ""
    target = f"{_public_module(module)}.{qualname}".lstrip(".")
    intro = _INTRO.get("stream" if kind == "I/O-latent" and member.__name__ == "watch" else kind)
    if intro:
        lines[:0] = [intro.format(target=target), ""]


def _public_module(module: str) -> str:
    # pymongo.synchronous.collection.Collection is documented as pymongo.collection.Collection.
    module = module.replace("pymongo.synchronous.", "pymongo.")
    return module.replace("gridfs.synchronous.grid_file", "gridfs")


# -- the benchmark report ---------------------------------------------------------------

PLACEHOLDER = """\
No benchmark results were present when these pages were built.

To produce them, from the repository root, with Motor's requirements and test extras
installed (``python3 -m pip install -e '.[test]'``)::

    python bench/run.py           # 5 rounds: 15-20 minutes on 2 cores
    python bench/run.py --quick   # 1 round, small sizes: 2 minutes

``bench/run.py`` starts its own ``mongod``, runs the same workloads on Motor 4 (Tornado
and asyncio), Motor 3.7.1, PyMongo's ``AsyncMongoClient`` and synchronous PyMongo, and
writes ``bench/results/report.md``, ``chart.png`` and ``results.json``. Rebuild the
documentation afterwards and the report appears on this page. ``bench/README.md``
describes the workloads and options.
"""

_INLINE = re.compile(r"(`[^`]+`|\*\*[^*]+\*\*)")
_SPECIAL = re.compile(r"([\\*`|_\[\]<>])")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def inline(text: str) -> str:
    """Markdown inline text (code spans, bold) as reStructuredText, everything else escaped."""
    out = []
    for i, part in enumerate(_INLINE.split(text)):
        if i % 2 == 0:
            out.append(_escape(part))
            continue
        if part.startswith("`"):
            body = part[1:-1].strip()
            markup = f"``{body}``" if body else ""
        else:
            body = part[2:-2].strip()
            markup = f"**{_escape(body)}**" if body else ""
        # Inline markup must stand apart from surrounding word characters.
        if out and out[-1] and not out[-1][-1].isspace() and out[-1][-1] not in "([{'\"-/:":
            markup = "\\ " + markup
        out.append(markup)
        out.append("\x00")  # marks "just after markup"; resolved below
    joined = "".join(out)
    return re.sub(r"\x00(?=[\w(])", r"\\ ", joined).replace("\x00", "")


def _table(rows: list[list[str]]) -> list[str]:
    width = max(len(r) for r in rows)
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in rows:
        row = row + [""] * (width - len(row))
        for j, cell in enumerate(row):
            lead = "   * - " if j == 0 else "     - "
            lines.append((lead + inline(cell)).rstrip())
    lines.append("")
    return lines


def markdown_to_rst(text: str) -> str:
    """The subset of Markdown that bench/run.py writes, as reStructuredText.

    Headings (``#``, ``##``, ``###``), pipe tables, ``*``/``-`` lists (with indented
    continuation lines and fenced code inside), fenced code blocks and paragraphs.
    """
    underline = {1: "-", 2: "~", 3: "^"}
    src = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(src):
        line = src[i]
        stripped = line.strip()
        if not stripped:
            out.append("")
            i += 1
        elif m := re.match(r"(#{1,3})\s+(.*)", stripped):
            title = inline(m.group(2).strip())
            out += ["", title, underline[len(m.group(1))] * max(len(title), 3), ""]
            i += 1
        elif stripped.startswith("|"):
            rows = []
            while i < len(src) and src[i].strip().startswith("|"):
                cells = [c.strip() for c in src[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
                    rows.append(cells)
                i += 1
            out += [""] + _table(rows)
        elif stripped.startswith("```"):
            i += 1
            body = []
            while i < len(src) and not src[i].strip().startswith("```"):
                body.append(src[i])
                i += 1
            i += 1
            out += ["", "::", ""] + ["    " + b for b in _dedent(body)] + [""]
        elif re.match(r"[*-]\s+", stripped):
            item_indent = len(line) - len(line.lstrip())
            out.append("* " + inline(re.sub(r"^[*-]\s+", "", stripped)))
            i += 1
            while i < len(src):
                nxt = src[i]
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= item_indent:
                    break
                if not nxt.strip():
                    # A blank line ends the item unless indented content follows.
                    j = i
                    while j < len(src) and not src[j].strip():
                        j += 1
                    if j >= len(src) or len(src[j]) - len(src[j].lstrip()) <= item_indent:
                        break
                    out.append("")
                    i += 1
                    continue
                if nxt.strip().startswith("```"):
                    i += 1
                    body = []
                    while i < len(src) and not src[i].strip().startswith("```"):
                        body.append(src[i])
                        i += 1
                    i += 1
                    out += ["", "  ::", ""] + ["      " + b for b in _dedent(body)] + [""]
                else:
                    out.append("  " + inline(nxt.strip()))
                    i += 1
        else:
            para = []
            starts_block = re.compile(r"(#{1,3}\s|\||```|[*-]\s)")
            while i < len(src) and src[i].strip() and not starts_block.match(src[i].strip()):
                para.append(inline(src[i].strip()))
                i += 1
            out += para + [""]
    return "\n".join(out) + "\n"


def _dedent(lines: list[str]) -> list[str]:
    indents = [len(x) - len(x.lstrip()) for x in lines if x.strip()]
    cut = min(indents) if indents else 0
    return [x[cut:] for x in lines]


class BenchReport(SphinxDirective):
    """``.. bench-report::``: the benchmark report, or how to produce it."""

    has_content = False
    optional_arguments = 1  # another report.md, relative to the docs' source directory

    def run(self) -> list[nodes.Node]:
        config = self.env.config
        path = self.arguments[0] if self.arguments else config.motor_bench_report
        report = Path(self.env.srcdir, path).resolve()
        self.env.note_dependency(str(report))
        if not report.is_file():
            return self.parse_text_to_nodes(PLACEHOLDER)
        text = markdown_to_rst(report.read_text(encoding="utf-8"))
        # The report's own first heading repeats the page title.
        text = re.sub(r"\A\s*Motor benchmark\n-+\n", "", text)
        chart = report.with_name("chart.png")
        if chart.is_file():
            self.env.note_dependency(str(chart))
            here = Path(self.env.doc2path(self.env.docname)).resolve().parent
            text = (
                f".. image:: {os.path.relpath(chart, here)}\n"
                "   :alt: Each implementation's median ratio to Motor 3.7.1, per metric\n\n" + text
            )
        root = Path(self.env.srcdir).resolve().parent
        shown = report.relative_to(root) if report.is_relative_to(root) else report
        note = (
            f"The report below was written by ``bench/run.py``: it is ``{shown.as_posix()}``"
            " as it was when these pages were built.\n\n"
        )
        return self.parse_text_to_nodes(note + text, allow_section_headings=True)


class IfImportable(SphinxDirective):
    """``.. if-importable:: module [module ...]``: the content if every module imports.

    Otherwise a note saying the modules were not available when the pages were built
    (motor.web and motor.aiohttp are optional: the latter needs aiohttp).
    """

    has_content = True
    required_arguments = 1
    optional_arguments = 10

    def run(self) -> list[nodes.Node]:
        missing = []
        for module in self.arguments:
            try:
                importlib.import_module(module)
            except ImportError as exc:
                missing.append(f"``{module}`` ({exc})")
        if missing:
            text = (
                ".. note::\n\n   Not available when these pages were built: "
                + ", ".join(missing)
                + ".\n"
            )
            return self.parse_text_to_nodes(text)
        return self.parse_content_to_nodes(allow_section_headings=True)


def setup(app):
    app.add_config_value("motor_bench_report", "../bench/results/report.md", "env")
    app.connect("autodoc-process-signature", process_signature)
    app.connect("autodoc-process-docstring", process_docstring)
    app.add_directive("bench-report", BenchReport)
    app.add_directive("if-importable", IfImportable)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
