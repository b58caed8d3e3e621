"""Serving a GridFS file over HTTP, independent of the web framework.

Both ``motor.web.GridFSHandler`` (Tornado) and ``motor.aiohttp.AIOHTTPGridFS`` decide what to
answer here: validators (ETag, Last-Modified), conditional requests (304), byte ranges
(206, 416) and cache headers. They only differ in how they send the answer.
"""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import hashlib
import inspect
import mimetypes
import re
from collections.abc import Mapping
from typing import Any, Literal

from motor.core.base import create_class_with_framework
from motor.core.database import AgnosticDatabase
from motor.gridfs import AgnosticGridFSBucket

_UTC = datetime.UTC
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def bucket_for(database: Any, bucket_name: str) -> Any:
    """A GridFS bucket on ``database``, of the framework ``database`` belongs to."""
    if not isinstance(database, AgnosticDatabase):
        raise TypeError(f"database must be a Motor database, not {database!r}")
    return create_class_with_framework(AgnosticGridFSBucket, database._framework)(
        database, bucket_name
    )


async def resolve(value: Any) -> Any:
    """Await ``value`` if it is awaitable (hooks may be plain or coroutine functions)."""
    return await value if inspect.isawaitable(value) else value


def http_date(when: datetime.datetime) -> str:
    return email.utils.format_datetime(when.astimezone(_UTC), usegmt=True)


def _parse_http_date(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed.replace(tzinfo=_UTC) if parsed.tzinfo is None else parsed.astimezone(_UTC)


@dataclasses.dataclass(frozen=True)
class FileInfo:
    """What HTTP needs to know about one GridFS file."""

    filename: str
    length: int
    modified: datetime.datetime  # aware, UTC, whole seconds (as HTTP dates are)
    uploaded: datetime.datetime  # aware, UTC, the upload date to the millisecond
    upload_date: datetime.datetime  # as the client decodes it (naive unless tz_aware)
    etag: str  # quoted, strong
    content_type: str


def _etag_hash(file_id: Any, length: Any, upload_date: Any) -> str:
    # Motor 3's: SHA-256 over the text of _id, length and upload date (nothing to read
    # from the chunks), so caches keep their validators across the upgrade.
    digest = hashlib.sha256(str(file_id).encode("utf8"))
    digest.update(str(length).encode("utf8"))
    digest.update(str(upload_date).encode("utf8"))
    return digest.hexdigest()


def hash_gridout(gridout: Any) -> str:
    """The ETag (unquoted) that GridFSHandler and AIOHTTPGridFS send for an opened GridOut."""
    return _etag_hash(gridout._id, gridout.length, gridout.upload_date)


def _content_type(document: Mapping[str, Any], path: str) -> str:
    # Motor 3's choice first: the file's contentType, else a guess from the requested
    # path (ignoring a compression suffix's encoding). Where Motor 3 had nothing to say,
    # Motor 4 reads metadata.contentType (where GridFSBucket uploads keep a type), then
    # sends application/octet-stream.
    content_type = document.get("contentType")
    if isinstance(content_type, str) and content_type:
        return content_type
    guessed, _encoding = mimetypes.guess_type(path or "")
    if guessed:
        return guessed
    metadata = document.get("metadata")
    content_type = metadata.get("contentType") if isinstance(metadata, Mapping) else None
    if isinstance(content_type, str) and content_type:
        return content_type
    return "application/octet-stream"


def describe(grid_out: Any, path: str) -> FileInfo:
    """Validators and type of an opened MotorGridOut requested as ``path`` (no I/O)."""
    document = grid_out.delegate._file  # the raw file document: no deprecation warnings
    if not document:
        raise ValueError("the MotorGridOut must be opened first")
    uploaded = document.get("uploadDate")
    moment = uploaded or datetime.datetime.fromtimestamp(0, _UTC)
    moment = moment.replace(tzinfo=_UTC) if moment.tzinfo is None else moment.astimezone(_UTC)
    filename = document.get("filename") or ""
    return FileInfo(
        filename=filename,
        length=int(document.get("length", 0)),
        modified=moment.replace(microsecond=0),
        uploaded=moment,
        upload_date=uploaded or moment,
        etag=f'"{_etag_hash(document.get("_id"), document.get("length", 0), uploaded)}"',
        content_type=_content_type(document, path),
    )


@dataclasses.dataclass
class Reply:
    """The answer to one request: status, headers, and which bytes of the file to send."""

    status: int
    headers: dict[str, str]
    start: int = 0
    length: int = 0  # bytes of the file to send from ``start`` (0 for HEAD, 304, 416)


def _etag_list(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _weak_match(header: str, etag: str) -> bool:
    tags = _etag_list(header)
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


def _not_modified(info: FileInfo, headers: Mapping[str, str]) -> bool:
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        return _weak_match(if_none_match, info.etag)  # it overrides If-Modified-Since
    since = _parse_http_date(headers.get("If-Modified-Since"))
    return since is not None and info.modified <= since


def _range_applies(info: FileInfo, headers: Mapping[str, str]) -> bool:
    """False when ``If-Range`` names another version of the file: then send it all."""
    if_range = headers.get("If-Range")
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith(('"', "W/")):
        return if_range == info.etag  # a strong comparison
    # The Last-Modified sent: the upload date truncated (Tornado) or rounded up (aiohttp).
    date = _parse_http_date(if_range)
    latest = info.modified + datetime.timedelta(seconds=1 if info.uploaded.microsecond else 0)
    return date is not None and info.modified <= date <= latest


def parse_range(header: str | None, size: int) -> tuple[int, int] | Literal[False] | None:
    """The ``(start, end)`` (end exclusive) a single-range ``Range`` header asks for.

    None: no usable Range header (absent, malformed, another unit, several ranges), so the
    whole file is sent. False: a valid range that no byte of the file satisfies (416).
    """
    if not header:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            return False
        return max(size - suffix, 0), size
    start = int(first)
    if last != "" and int(last) < start:
        return None  # "bytes=5-2" is invalid: ignore it
    if start >= size:
        return False
    return start, size if last == "" else min(int(last) + 1, size)


def plan(
    info: FileInfo, method: str, headers: Mapping[str, str], cache_time: int | float | None
) -> Reply:
    """Decide the status, headers and byte range for a GET or HEAD of the file."""
    common = {
        "Accept-Ranges": "bytes",
        "ETag": info.etag,
        "Last-Modified": http_date(info.modified),
    }
    if cache_time and cache_time > 0:
        expires = datetime.datetime.now(_UTC) + datetime.timedelta(seconds=cache_time)
        common["Expires"] = http_date(expires)
        common["Cache-Control"] = f"max-age={int(cache_time)}"
    else:
        common["Cache-Control"] = "public"  # Motor 3's: cacheable, revalidated each time

    if _not_modified(info, headers):
        return Reply(304, common)

    requested = parse_range(headers.get("Range"), info.length) if method == "GET" else None
    if requested is not None and not _range_applies(info, headers):
        requested = None
    if requested is False:
        return Reply(
            416, {**common, "Content-Range": f"bytes */{info.length}", "Content-Length": "0"}
        )

    entity = {**common, "Content-Type": info.content_type}
    if requested:
        start, end = requested
        entity["Content-Range"] = f"bytes {start}-{end - 1}/{info.length}"
        entity["Content-Length"] = str(end - start)
        return Reply(206, entity, start, end - start)
    entity["Content-Length"] = str(info.length)
    return Reply(200, entity, 0, info.length if method == "GET" else 0)
