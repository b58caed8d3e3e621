"""Compatibility module: Motor 3's ``motor.motor_gridfs``, re-exported from Motor 4's modules.

It exists so that code written for Motor 3 keeps importing; it holds no logic. The GridFS
classes live in ``motor.gridfs``; ``_hash_gridout`` (the ETag of ``motor.web.GridFSHandler``
and ``motor.aiohttp.AIOHTTPGridFS``) in ``motor.web._http``.
"""

from gridfs import DEFAULT_CHUNK_SIZE

from motor.core import AgnosticCollection, AgnosticCursor, AgnosticDatabase
from motor.core.base import create_class_with_framework
from motor.gridfs import (
    AgnosticGridFS,
    AgnosticGridFSBucket,
    AgnosticGridIn,
    AgnosticGridOut,
    AgnosticGridOutCursor,
)
from motor.web._http import hash_gridout as _hash_gridout  # noqa: F401 - private, as in Motor 3

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "AgnosticCollection",
    "AgnosticCursor",
    "AgnosticDatabase",
    "AgnosticGridFS",
    "AgnosticGridFSBucket",
    "AgnosticGridIn",
    "AgnosticGridOut",
    "AgnosticGridOutCursor",
    "create_class_with_framework",
]
