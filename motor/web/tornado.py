"""GridFSHandler: Tornado's StaticFileHandler behaviour, for files in GridFS."""

from __future__ import annotations

import datetime
from typing import Any

import tornado.web
from gridfs.errors import NoFile
from tornado.iostream import StreamClosedError

from motor.web._http import bucket_for, describe, plan, resolve


class GridFSHandler(tornado.web.RequestHandler):
    """Serve GridFS files by name: ``GET`` and ``HEAD``, conditional and range requests.

    Route it with one capturing group for the file name, and a Motor database (of either
    framework)::

        app = tornado.web.Application([
            (r"/fs/(.*)", motor.web.GridFSHandler, {"database": db}),
        ])

    Options: ``database`` and ``root_collection`` (the bucket name, "fs" by default).
    Subclass and override ``get_gridfs_file``, ``get_cache_time`` or ``set_extra_headers``
    to change which file is served and how it may be cached.

    The response has ``Content-Type`` (the file's ``contentType``, else guessed from the
    requested path, else its ``metadata.contentType``, else ``application/octet-stream``),
    ``Content-Length``, ``Last-Modified`` (the upload date), ``ETag`` (Motor 3's: a SHA-256
    of the file's ``_id``, length and upload date), ``Cache-Control`` (``public``, or
    ``max-age`` from ``get_cache_time``) and ``Accept-Ranges``: the same validators and
    types as Motor 3's handler, so caches keep working across the upgrade.
    ``If-None-Match`` and ``If-Modified-Since`` get 304 when they match; one ``Range``
    (``bytes=a-b``, ``a-``, ``-n``) gets 206, or 416 if the file has no such bytes. The
    file is sent chunk by chunk, flushed as it goes, never held in memory whole.
    """

    def initialize(self, database: Any, root_collection: str = "fs") -> None:
        self.database = database
        self.root_collection = root_collection

    def get_gridfs_file(self, bucket: Any, filename: str, request: Any) -> Any:
        """The MotorGridOut to serve for ``filename`` (may return an awaitable).

        By default the newest revision of the file so named. Raise ``gridfs.NoFile`` (or
        return None) for a 404. Override to serve by ``_id``, by another revision, or to
        check permissions on ``request``.
        """
        return bucket.open_download_stream_by_name(filename)

    def get_cache_time(self, path: str, modified: datetime.datetime, mime_type: str) -> int:
        """Seconds the client may cache the file without asking again (0 by default).

        A positive number sets ``Expires`` and ``Cache-Control: max-age``; with 0 the client
        revalidates each time, with ``If-None-Match`` or ``If-Modified-Since``.
        """
        return 0

    def set_extra_headers(self, path: str, gridout: Any) -> None:
        """Set any further headers for the response (called before it is sent)."""

    def compute_etag(self) -> None:
        return None  # the file's own ETag is set in get()

    async def get(self, path: str, include_body: bool = True) -> None:
        bucket = bucket_for(self.database, self.root_collection)
        try:
            gridout = await resolve(self.get_gridfs_file(bucket, path, self.request))
        except NoFile:
            gridout = None
        if gridout is None:
            raise tornado.web.HTTPError(404)

        info = describe(gridout, path)
        # Motor 3 passed the upload date as the client decodes it (naive, unless
        # tz_aware), to the second.
        modified = info.upload_date.replace(microsecond=0)
        cache_time = self.get_cache_time(path, modified, info.content_type)
        method = "GET" if include_body else "HEAD"
        reply = plan(info, method, self.request.headers, cache_time)
        self.set_status(reply.status)
        for name, value in reply.headers.items():
            self.set_header(name, value)
        self.set_extra_headers(path, gridout)
        if not reply.length:
            return

        def send(chunk: bytes) -> Any:
            self.write(chunk)
            return self.flush()

        try:
            gridout.seek(reply.start)
            await gridout.copy_to(send, reply.length)
        except StreamClosedError:
            pass  # the client went away
        finally:
            await gridout.close()

    async def head(self, path: str) -> None:
        await self.get(path, include_body=False)
