"""Reinstall the installed PyMongo version from its sdist, without the C extensions.

PyMongo's build (hatch_build.py runs ``_setup.py build_ext``) leaves out
``bson._cbson`` and ``pymongo._cmessage`` when ``NO_EXT`` is set. The result is
checked, so that a cached wheel with the extensions cannot slip in: this exits 1 if
``pymongo.has_c()`` or ``bson.has_c()`` is still true. Used by the ``noext`` cells of the test matrix (tox.ini).
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version


def main() -> int:
    pinned = f"pymongo=={version('pymongo')}"
    env = dict(os.environ, NO_EXT="1")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--force-reinstall",
            "--no-deps",
            "--no-cache-dir",
            "--no-binary",
            "pymongo",
            pinned,
        ],
        env=env,
        check=True,
    )
    check = "import bson, pymongo; print(pymongo.version, pymongo.has_c(), bson.has_c())"
    out = subprocess.run(
        [sys.executable, "-c", check], check=True, capture_output=True, text=True
    ).stdout.split()
    print(
        f"pymongo_noext: {pinned} reinstalled from sdist with NO_EXT=1; "
        f"has_c: pymongo={out[1]} bson={out[2]}"
    )
    if out[1:] != ["False", "False"]:
        print("pymongo_noext: the C extensions are still there", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
