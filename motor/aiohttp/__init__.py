"""Serving GridFS files from aiohttp applications: ``AIOHTTPGridFS``.

Needs aiohttp installed (``pip install aiohttp``).
"""

from motor.motor_asyncio import AsyncIOMotorDatabase, AsyncIOMotorGridFSBucket
from motor.web._http import hash_gridout as _hash_gridout  # noqa: F401 - Motor 3 had it here
from motor.web.aiohttp import AIOHTTPGridFS, get_cache_time, get_gridfs_file, set_extra_headers

__all__ = [
    "AsyncIOMotorDatabase",
    "AsyncIOMotorGridFSBucket",
    "AIOHTTPGridFS",
    "get_cache_time",
    "get_gridfs_file",
    "set_extra_headers",
]
