"""AIOHTTPGridFS: serve GridFS files from an aiohttp application."""

from __future__ import annotations

import asyncio
import datetime
import inspect
from collections.abc import Callable
from typing import Any

from aiohttp import web
from gridfs.errors import NoFile

from motor.web._http import bucket_for, describe, plan, resolve


def get_gridfs_file(bucket: Any, filename: str, request: web.Request) -> Any:
    """The default: the newest revision of the file named ``filename`` (an awaitable)."""
    return bucket.open_download_stream_by_name(filename)


def get_cache_time(filename: str, modified: datetime.datetime, mime_type: str) -> int:
    """The default: 0, so clients revalidate with ``If-None-Match``/``If-Modified-Since``."""
    return 0


def set_extra_headers(response: web.StreamResponse, gridout: Any) -> None:
    """The default: no further headers."""


def _mark_coroutine_function(handler: Any) -> None:
    """Make aiohttp see ``handler`` (an object with ``async def __call__``) as a coroutine
    function; otherwise it wraps it as a deprecated "bare function"."""
    mark = getattr(inspect, "markcoroutinefunction", None)  # Python 3.12+
    if mark is not None:
        mark(handler)
    marker = getattr(asyncio.coroutines, "_is_coroutine", None)  # what 3.11's asyncio checks
    if marker is not None:
        handler._is_coroutine = marker


class AIOHTTPGridFS:
    """An aiohttp request handler serving GridFS files by name.

    Route it for a path with a ``{filename}`` part (``GET`` routes answer ``HEAD`` too)::

        gridfs_handler = AIOHTTPGridFS(db)
        app.router.add_get("/fs/{filename}", gridfs_handler)

    ``database`` is a Motor database (either framework); ``root_collection`` the bucket
    name. ``get_gridfs_file(bucket, filename, request)`` picks the MotorGridOut (plain
    or coroutine function; NoFile or None gives 404), ``get_cache_time(filename,
    modified, mime_type)`` returns seconds of caching (0: revalidate each time), and
    ``set_extra_headers(response, gridout)`` adds headers. Responses behave as
    ``motor.web.GridFSHandler``'s: ETag, Last-Modified, 304, ranges (206/416), and the
    file streamed chunk by chunk.
    """

    def __init__(
        self,
        database: Any,
        root_collection: str = "fs",
        get_gridfs_file: Callable[..., Any] = get_gridfs_file,
        get_cache_time: Callable[..., Any] = get_cache_time,
        set_extra_headers: Callable[..., Any] = set_extra_headers,
    ) -> None:
        self._bucket = bucket_for(database, root_collection)
        self._get_gridfs_file = get_gridfs_file
        self._get_cache_time = get_cache_time
        self._set_extra_headers = set_extra_headers
        _mark_coroutine_function(self)

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if request.method not in ("GET", "HEAD"):  # routed with "*", say
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
        try:
            filename = request.match_info["filename"]
        except KeyError:
            raise web.HTTPInternalServerError(
                text=f"AIOHTTPGridFS is routed without a {{filename}} part: {request.path}"
            ) from None
        try:
            gridout = await resolve(self._get_gridfs_file(self._bucket, filename, request))
        except NoFile:
            gridout = None
        if gridout is None:
            raise web.HTTPNotFound(text=f"no file named {filename!r}")

        info = describe(gridout, request.path)
        # The upload date as the client decodes it (naive unless tz_aware), as in Motor 3.
        cache_time = self._get_cache_time(filename, info.upload_date, info.content_type)
        reply = plan(info, request.method, request.headers, cache_time)
        response = web.StreamResponse(status=reply.status, headers=reply.headers)
        # As Motor 3 did, aiohttp formats the date (recent versions round it up to the
        # next second), so that Last-Modified is the one Motor 3 sent with this aiohttp.
        response.last_modified = info.uploaded
        self._set_extra_headers(response, gridout)
        await response.prepare(request)
        if reply.length:
            try:
                gridout.seek(reply.start)
                await gridout.copy_to(response.write, reply.length)
            finally:
                await gridout.close()
        await response.write_eof()
        return response
