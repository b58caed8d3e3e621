"""Serving GridFS files from web applications.

``motor.web.GridFSHandler`` is a Tornado ``RequestHandler``; the aiohttp equivalent is
``motor.aiohttp.AIOHTTPGridFS`` (importing this package does not import aiohttp).
"""

from motor.web.tornado import GridFSHandler

__all__ = ["GridFSHandler"]
