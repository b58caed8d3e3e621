"""pytest plugin for running PyMongo's test suite, loaded with ``-p synchro.pytest_plugin``.

In either mode, with ``SYNCHRO_RESULTS`` set, each test phase's outcome is appended to that
file as a JSON line as soon as it is known (so a run that is killed still reports).

With ``SYNCHRO=1`` in the environment it redirects the suite's imports of ``pymongo`` and
``gridfs`` to Synchro (``synchro.redirect``) before any test module is imported, and
deselects the tests listed in the exclusion file (``SYNCHRO_EXCLUSIONS``, default
``synchro/exclusions.txt``). Without it, it does nothing: the same command runs the
suite on plain PyMongo.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest

from synchro.exclusions import load_exclusions

ENABLED = os.environ.get("SYNCHRO") == "1"

if ENABLED:
    from synchro import redirect

    _redirector = redirect.install()


def pytest_report_header(config: pytest.Config) -> str:
    if ENABLED:
        return "synchro: pymongo and gridfs imports of the test suite go to Synchro (Motor)"
    return "synchro: off (plain PyMongo)"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ENABLED:
        return
    exclusions = load_exclusions(os.environ.get("SYNCHRO_EXCLUSIONS"))
    keep, drop = [], []
    for item in items:
        (drop if exclusions.match(item.nodeid) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
        for item in drop:
            _record(item.nodeid, "collect", "excluded", 0.0)


_results_file = None


def _record(nodeid: str, when: str, outcome: str, duration: float) -> None:
    global _results_file
    path = os.environ.get("SYNCHRO_RESULTS")
    if not path:
        return
    if _results_file is None:
        _results_file = open(path, "a", encoding="utf-8", buffering=1)
    record = {
        "nodeid": nodeid,
        "when": when,
        "outcome": outcome,
        "duration": round(duration, 3),
        "at": round(time.time(), 3),
    }
    _results_file.write(json.dumps(record) + "\n")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    outcome = report.outcome
    if outcome == "passed" and report.when != "call" and report.duration < 0.5:
        return
    if hasattr(report, "wasxfail"):
        outcome = "skipped" if outcome == "skipped" else "passed"
    _record(report.nodeid, report.when, outcome, report.duration)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    report = outcome.get_result()
    if (
        ENABLED
        and report.failed
        and call.excinfo is not None
        and "Timeout" in str(call.excinfo.value)
    ):
        # pytest-timeout shows the threads; the suspended Motor operations are greenlets.
        report.sections.append(("Suspended greenlets (synchro)", _greenlet_stacks()))


def _greenlet_stacks() -> str:
    import gc
    import traceback

    from greenlet import greenlet

    parts = []
    for obj in gc.get_objects():
        try:
            if not isinstance(obj, greenlet) or obj.dead or obj.gr_frame is None:
                continue
        except ReferenceError:  # a dead weak proxy
            continue
        stack = "".join(traceback.format_stack(obj.gr_frame))
        parts.append(f"--- {type(obj).__name__} {id(obj):#x}\n{stack}")
    return "\n".join(parts) or "(none)"


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _record(report.nodeid, "collect", "failed", 0.0)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _results_file
    if _results_file is not None:
        _results_file.close()
        _results_file = None
