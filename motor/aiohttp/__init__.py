"""Serving GridFS files from aiohttp applications: ``AIOHTTPGridFS``.

Needs aiohttp installed (``pip install aiohttp``).
"""

from motor.web.aiohttp import AIOHTTPGridFS, get_cache_time, get_gridfs_file, set_extra_headers

__all__ = ["AIOHTTPGridFS", "get_cache_time", "get_gridfs_file", "set_extra_headers"]
