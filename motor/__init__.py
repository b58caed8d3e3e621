"""Motor: a non-blocking MongoDB driver for Tornado and asyncio, on PyMongo and greenlets.

``import motor`` gives the Tornado classes (``motor.MotorClient``, ...);
``motor.motor_asyncio`` has the asyncio ones (``AsyncIOMotorClient``, ...).
"""

from motor._version import version, version_tuple
from motor.bridge.compat import check_pymongo

check_pymongo()

import importlib  # noqa: E402
from typing import Any  # noqa: E402

from motor import motor_tornado  # noqa: E402 - after the PyMongo check, on purpose
from motor.op import Op  # noqa: E402

globals().update({name: getattr(motor_tornado, name) for name in motor_tornado.__all__})

__all__ = [*motor_tornado.__all__, "Op", "get_version_string", "version", "version_tuple"]

# Motor 3's modules that exist only for compatibility, imported when first used.
_COMPATIBILITY_MODULES = ("docstrings", "metaprogramming", "motor_common", "motor_gridfs")


def get_version_string() -> str:
    """Motor's version, as Motor 3's ``motor.get_version_string()`` gave it."""
    return version


def __getattr__(name: str) -> Any:
    # "import motor" then "motor.motor_gridfs.AgnosticGridFSBucket", as with Motor 3.
    if name in _COMPATIBILITY_MODULES:
        return importlib.import_module(f"motor.{name}")
    raise AttributeError(f"module 'motor' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_COMPATIBILITY_MODULES})
