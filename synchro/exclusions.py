"""The exclusion file: PyMongo tests not run with Synchro, each with its reason.

One entry per line::

    test_client.py::TestClient::test_fork*   reason: forks the process (PyMongo's fork handling)

A pattern is matched (``fnmatch``) against the test's node id with the leading ``test/``
removed; the reason, after ``reason:``, is required. ``#`` starts a comment line.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exclusions.txt")


@dataclass(frozen=True)
class Exclusion:
    pattern: str
    reason: str


class Exclusions:
    def __init__(self, entries: list[Exclusion]) -> None:
        self.entries = entries

    def match(self, nodeid: str) -> Exclusion | None:
        if nodeid.startswith("test/"):
            nodeid = nodeid[len("test/") :]
        for entry in self.entries:
            if fnmatch.fnmatchcase(nodeid, entry.pattern):
                return entry
        return None

    def __len__(self) -> int:
        return len(self.entries)


def load_exclusions(path: str | None = None) -> Exclusions:
    path = path or DEFAULT_PATH
    entries = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            pattern, sep, reason = line.partition("reason:")
            pattern, reason = pattern.strip(), reason.strip()
            if not sep or not reason or not pattern or " " in pattern:
                raise ValueError(f"{path}:{number}: expected 'PATTERN  reason: WHY', got {line!r}")
            entries.append(Exclusion(pattern, reason))
    return Exclusions(entries)
