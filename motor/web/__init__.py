"""Serving GridFS files from web applications.

``motor.web.GridFSHandler`` is a Tornado ``RequestHandler``; the aiohttp equivalent is
``motor.aiohttp.AIOHTTPGridFS`` (importing this package does not import aiohttp).
"""

from motor.web._http import hash_gridout as _hash_gridout  # noqa: F401 - Motor 3 had it here
from motor.web.tornado import GridFSHandler

__all__ = ["GridFSHandler"]
