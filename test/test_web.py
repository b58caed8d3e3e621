"""motor.web.GridFSHandler (Tornado) and motor.aiohttp.AIOHTTPGridFS, over real HTTP.

Each test runs against both servers, each with a database of either framework: a server
listens on a loopback port of the test's own loop, and aiohttp's client talks to it.
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import hashlib
import urllib.parse

import aiohttp
import bson
import gridfs
import pytest
import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web
import yarl
from aiohttp import web

import motor.aiohttp
import motor.web
from test.conftest import TEST_DB, collection_name

CHUNK = 255 * 1024
BIG = 4 * CHUNK + 12_345  # five chunks, the last one partial


def data_for(size: int) -> bytes:
    return hashlib.sha256(b"seed").digest() * (size // 32) + b"x" * (size % 32)


# name -> (size, upload keyword arguments, expected Content-Type)
FILES = {
    "big.bin": (BIG, {}, "application/octet-stream"),
    "page.html": (1, {}, "text/html"),
    "custom.dat": (
        1000,
        {"metadata": {"contentType": "application/x-custom"}},
        "application/x-custom",
    ),
    "empty.txt": (0, {}, "text/plain"),
    "Ünïcødé 文件.txt": (CHUNK + 1, {}, "text/plain"),
    # Motor 3's order: contentType, then the guess from the path, then metadata.
    "typed.txt": (10, {"metadata": {"contentType": "image/png"}}, "text/plain"),
    "archive.tar.gz": (10, {}, "application/x-tar"),  # as Motor 3: the gzip encoding ignored
}


@pytest.fixture
def stored(bucket_name, sync_client):
    """FILES uploaded with PyMongo, plus an older revision of big.bin: name -> file document."""
    db = sync_client[TEST_DB]
    for suffix in (".files", ".chunks"):
        db.drop_collection(bucket_name + suffix)
    bucket = gridfs.GridFSBucket(db, bucket_name)
    bucket.upload_from_stream("big.bin", b"the first revision")
    for name, (size, kwargs, _) in FILES.items():
        bucket.upload_from_stream(name, data_for(size), **kwargs)
    return {
        name: next(bucket.find({"filename": name}).sort("uploadDate", -1).limit(1))._file
        for name in FILES
    }


@pytest.fixture
def bucket_name(request):
    return collection_name(request.node.name)[:60]


@pytest.fixture(params=["tornado", "aiohttp"])
def server_kind(request):
    return request.param


# -- the two servers, each with a plain route and one with every hook overridden ------------


# The dates get_cache_time was called with: as the client decodes them, as in Motor 3.
CACHE_TIME_CALLS = []


def cache_an_hour(filename, modified, mime_type):
    CACHE_TIME_CALLS.append(modified)
    return 3600


async def oldest_revision(bucket, filename, request):
    return await bucket.open_download_stream_by_name(filename, revision=0)


class CustomHandler(motor.web.GridFSHandler):
    async def get_gridfs_file(self, bucket, filename, request):
        return await oldest_revision(bucket, filename, request)

    def get_cache_time(self, path, modified, mime_type):
        CACHE_TIME_CALLS.append(modified)
        return 3600

    def set_extra_headers(self, path, gridout):
        self.set_header("X-GridFS-Id", str(gridout._id))


@contextlib.asynccontextmanager
async def serve(kind, db, bucket_name):
    """Serve the bucket at /fs/<name> and /custom/<name>; yield the base URL."""
    options = {"database": db, "root_collection": bucket_name}
    if kind == "tornado":
        app = tornado.web.Application(
            [
                (r"/fs/(.*)", motor.web.GridFSHandler, options),
                (r"/custom/(.*)", CustomHandler, options),
            ]
        )
        server = tornado.httpserver.HTTPServer(app)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server.add_sockets(sockets)
        try:
            yield f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
        finally:
            server.stop()
            await server.close_all_connections()
        return

    def extra_headers(response, gridout):
        response.headers["X-GridFS-Id"] = str(gridout._id)

    app = web.Application()
    app.router.add_get("/fs/{filename}", motor.aiohttp.AIOHTTPGridFS(db, bucket_name))
    custom = motor.aiohttp.AIOHTTPGridFS(
        db,
        bucket_name,
        get_gridfs_file=oldest_revision,
        get_cache_time=cache_an_hour,
        set_extra_headers=extra_headers,
    )
    app.router.add_get("/custom/{filename}", custom)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def http(kind, db, bucket_name):
    """A function ``request(method, name, headers=None, route="fs")`` -> (status, headers, body)."""
    async with (
        serve(kind, db, bucket_name) as base,
        aiohttp.ClientSession(auto_decompress=False) as session,
    ):

        async def request(method, name, headers=None, route="fs"):
            url = yarl.URL(f"{base}/{route}/{urllib.parse.quote(name)}", encoded=True)
            async with session.request(method, url, headers=headers or {}) as response:
                return response.status, response.headers, await response.read()

        yield request


def motor3_etag(document):
    """Motor 3's ETag: a SHA-256 of the text of the file's _id, length and upload date."""
    text = f"{document['_id']}{document['length']}{document['uploadDate']}"
    return f'"{hashlib.sha256(text.encode()).hexdigest()}"'


def last_modified(document, server_kind="tornado"):
    """The Last-Modified Motor 3's handlers sent: each web framework formats the date."""
    uploaded = document["uploadDate"].replace(tzinfo=datetime.UTC)
    if server_kind == "aiohttp":
        response = web.StreamResponse()
        response.last_modified = uploaded
        return response.headers["Last-Modified"]
    return tornado.httputil.format_timestamp(uploaded)


# -- the tests --------------------------------------------------------------------------------


async def test_get_and_head_serve_each_file(server_kind, db, bucket_name, stored):
    async with http(server_kind, db, bucket_name) as request:
        for name, (size, _, content_type) in FILES.items():
            document = stored[name]
            status, headers, body = await request("GET", name)
            assert status == 200, name
            assert hashlib.sha256(body).hexdigest() == hashlib.sha256(data_for(size)).hexdigest(), (
                name
            )
            assert headers["Content-Length"] == str(size)
            assert headers["Content-Type"].split(";")[0] == content_type, name
            assert headers["ETag"] == motor3_etag(document)
            assert headers["Last-Modified"] == last_modified(document, server_kind)
            assert headers["Accept-Ranges"] == "bytes"
            assert headers["Cache-Control"] == "public" and "Expires" not in headers

            status, head_headers, body = await request("HEAD", name)
            assert (status, body) == (200, b"")
            for header in ("Content-Length", "Content-Type", "ETag", "Last-Modified"):
                assert head_headers[header] == headers[header], (name, header)

        for missing in ("nothing.txt", "big.bin.old"):
            assert (await request("GET", missing))[0] == 404
            assert (await request("HEAD", missing))[0] == 404


async def test_conditional_requests(server_kind, db, bucket_name, stored):
    document = stored["big.bin"]
    etag = motor3_etag(document)
    modified = last_modified(document)
    earlier = email.utils.format_datetime(
        document["uploadDate"].replace(tzinfo=datetime.UTC) - datetime.timedelta(days=1),
        usegmt=True,
    )
    cases = [
        ({"If-None-Match": etag}, 304),
        ({"If-None-Match": f'"other", {etag}'}, 304),
        ({"If-None-Match": f"W/{etag}"}, 304),  # weak comparison
        ({"If-None-Match": "*"}, 304),
        ({"If-None-Match": '"other"'}, 200),
        ({"If-Modified-Since": modified}, 304),
        ({"If-Modified-Since": earlier}, 200),
        ({"If-Modified-Since": "not a date"}, 200),
        ({"If-None-Match": '"other"', "If-Modified-Since": modified}, 200),  # If-None-Match wins
    ]
    async with http(server_kind, db, bucket_name) as request:
        for method in ("GET", "HEAD"):
            for headers, expected in cases:
                status, response_headers, body = await request(method, "big.bin", headers)
                assert status == expected, (method, headers)
                assert response_headers["ETag"] == etag
                if expected == 304:
                    assert body == b"" and "Content-Type" not in response_headers
                elif method == "GET":
                    assert len(body) == BIG


async def test_range_requests(server_kind, db, bucket_name, stored):
    data = data_for(BIG)
    etag = motor3_etag(stored["big.bin"])
    # Range header (and extra headers) -> expected status and [start, end) of the body.
    cases = [
        ({"Range": "bytes=0-0"}, 206, (0, 1)),
        ({"Range": "bytes=10-19"}, 206, (10, 20)),
        ({"Range": f"bytes={CHUNK - 5}-{CHUNK + 4}"}, 206, (CHUNK - 5, CHUNK + 5)),  # across chunks
        ({"Range": f"bytes={3 * CHUNK}-"}, 206, (3 * CHUNK, BIG)),
        ({"Range": "bytes=-100"}, 206, (BIG - 100, BIG)),
        ({"Range": f"bytes=-{BIG + 10}"}, 206, (0, BIG)),
        ({"Range": f"bytes=100-{BIG + 1000}"}, 206, (100, BIG)),  # clipped to the end
        ({"Range": f"bytes={BIG}-"}, 416, None),
        ({"Range": "bytes=-0"}, 416, None),
        ({"Range": "bytes=5-2"}, 200, (0, BIG)),  # invalid: ignored
        ({"Range": "bytes=0-1,5-6"}, 200, (0, BIG)),  # several ranges: the whole file
        ({"Range": "items=0-1"}, 200, (0, BIG)),
        ({"Range": "bytes=10-19", "If-Range": etag}, 206, (10, 20)),
        ({"Range": "bytes=10-19", "If-Range": '"stale"'}, 200, (0, BIG)),
    ]
    async with http(server_kind, db, bucket_name) as request:
        for headers, expected, span in cases:
            status, response_headers, body = await request("GET", "big.bin", headers)
            assert status == expected, headers
            if expected == 416:
                assert response_headers["Content-Range"] == f"bytes */{BIG}"
                continue
            start, end = span
            assert body == data[start:end], headers
            assert response_headers["Content-Length"] == str(end - start)
            if expected == 206:
                assert response_headers["Content-Range"] == f"bytes {start}-{end - 1}/{BIG}"
            else:
                assert "Content-Range" not in response_headers

        # If-Range with the date the server sent (rounded up to the second by aiohttp).
        _, head_headers, _ = await request("HEAD", "big.bin")
        if_range = {"Range": "bytes=10-19", "If-Range": head_headers["Last-Modified"]}
        status, _, body = await request("GET", "big.bin", if_range)
        assert (status, body) == (206, data[10:20])

        status, _, body = await request("GET", "empty.txt", {"Range": "bytes=0-"})
        assert (status, body) == (416, b"")
        status, headers, body = await request("HEAD", "big.bin", {"Range": "bytes=0-9"})
        assert (status, headers["Content-Length"], body) == (200, str(BIG), b"")  # Range is for GET


async def test_overridden_hooks(server_kind, db, bucket_name, stored, sync_client):
    CACHE_TIME_CALLS.clear()
    async with http(server_kind, db, bucket_name) as request:
        status, headers, body = await request("GET", "big.bin", route="custom")
        assert (status, body) == (200, b"the first revision")
        assert headers["Cache-Control"] == "max-age=3600"
        expires = email.utils.parsedate_to_datetime(headers["Expires"])
        in_an_hour = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
        assert abs((expires - in_an_hour).total_seconds()) < 60
        assert headers["X-GridFS-Id"] != str(stored["big.bin"]["_id"])
        assert headers["ETag"] != motor3_etag(stored["big.bin"])  # the first revision's
        files = sync_client[TEST_DB][bucket_name + ".files"]
        first = files.find_one({"_id": bson.ObjectId(headers["X-GridFS-Id"])})
        uploaded = first["uploadDate"]  # naive: the client is not tz_aware
        expected = uploaded.replace(microsecond=0) if server_kind == "tornado" else uploaded
        assert CACHE_TIME_CALLS == [expected]
        assert (await request("GET", "nothing", route="custom"))[0] == 404


async def test_client_leaving_mid_download(server_kind, db, bucket_name, stored):
    """A client that hangs up mid-file leaves the server able to serve the next request."""
    async with serve(server_kind, db, bucket_name) as base:
        async with aiohttp.ClientSession() as session:
            response = await session.get(f"{base}/fs/big.bin")
            assert len(await response.content.readexactly(1000)) == 1000
            response.close()  # drops the connection with most of the file unsent
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/fs/big.bin") as response:
                assert len(await response.read()) == BIG


async def test_headers_are_motor3s(server_kind, db, bucket_name, stored, sync_client):
    """The validators do not depend on an md5 field, and a file whose type nothing tells
    is sent as application/octet-stream."""
    files = sync_client[TEST_DB][bucket_name + ".files"]
    files.update_one({"_id": stored["page.html"]["_id"]}, {"$set": {"md5": "0123456789abcdef"}})
    gridfs.GridFSBucket(sync_client[TEST_DB], bucket_name).upload_from_stream("noext", b"?")
    async with http(server_kind, db, bucket_name) as request:
        status, headers, _ = await request("GET", "page.html")
        assert headers["ETag"] == motor3_etag(stored["page.html"])
        status, _, _ = await request("GET", "page.html", {"If-None-Match": headers["ETag"]})
        assert status == 304
        status, headers, _ = await request("GET", "noext")
        assert (status, headers["Content-Type"]) == (200, "application/octet-stream")


def test_handlers_need_a_motor_database():
    with pytest.raises(TypeError, match="Motor database"):
        motor.aiohttp.AIOHTTPGridFS("not a database")
