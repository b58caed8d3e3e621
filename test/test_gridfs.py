"""GridFS: MotorGridFSBucket, MotorGridFS, MotorGridIn, MotorGridOut, MotorGridOutCursor.

Every test runs on both frameworks; data written through Motor is checked with PyMongo
(``sync_client``) and the other way round.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import math
import os
import time

import gridfs
import pytest
from gridfs.errors import CorruptGridFile, FileExists, NoFile
from gridfs.grid_file_shared import _UPLOAD_BUFFER_SIZE
from gridfs.synchronous.grid_file import GridIn, GridOut, GridOutCursor
from pymongo.errors import InvalidOperation

from motor.core.declare import io_methods
from test.conftest import TEST_DB, collection_name
from test.styles import invoke
from test.test_api_surface import PYMONGO_MINOR, pymongo_lacks, requires_pymongo
from test.test_cursor import ITERATION, collect

CHUNK = 255 * 1024
MB = 1024 * 1024


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def payload(size: int, seed: int = 0) -> bytes:
    """``size`` bytes that differ per seed and per chunk (so misplaced chunks show)."""
    block = hashlib.sha256(b"%d" % seed).digest() * 8  # 256 bytes
    data = bytearray(os.urandom(size))
    data[: min(size, len(block))] = block[: min(size, len(block))]
    return bytes(data)


@pytest.fixture
def bucket_name(request, sync_client):
    name = collection_name(request.node.name)[:60]
    for suffix in (".files", ".chunks"):
        sync_client[TEST_DB].drop_collection(name + suffix)
    return name


@pytest.fixture
def bucket(db, motor_class, bucket_name):
    return motor_class("GridFSBucket")(db, bucket_name)


@pytest.fixture
def sync_bucket(sync_client, bucket_name):
    return gridfs.GridFSBucket(sync_client[TEST_DB], bucket_name)


@pytest.fixture
def chunks(sync_client, bucket_name):
    """The bucket's chunks collection, through PyMongo."""
    return sync_client[TEST_DB][bucket_name + ".chunks"]


# -- uploading and downloading in each style, across sizes ---------------------------------


async def upload(style, bucket, filename, data, motor_class):
    """Store ``data`` through one of the upload APIs; return the new file's _id."""
    if style == "upload_from_stream":
        return await bucket.upload_from_stream(filename, io.BytesIO(data), chunk_size_bytes=CHUNK)
    if style == "open_upload_stream":
        async with bucket.open_upload_stream(filename, chunk_size_bytes=CHUNK) as grid_in:
            for start in range(0, len(data), 100_000):  # writes that straddle chunk boundaries
                await grid_in.write(data[start : start + 100_000])
        assert grid_in.closed and grid_in.length == len(data)
        return grid_in._id
    if style == "legacy_put":
        fs = motor_class("GridFS")(bucket.database, bucket.bucket_name)
        return await fs.put(data, filename=filename, chunk_size=CHUNK)
    assert style == "async_source", style
    reader = asyncio.StreamReader()
    for start in range(0, len(data), 70_000):  # a stream that returns short reads
        reader.feed_data(data[start : start + 70_000])
    reader.feed_eof()
    return await bucket.upload_from_stream(filename, reader, chunk_size_bytes=CHUNK)


async def download(style, bucket, file_id):
    """Read a file back through one of the download APIs."""
    if style == "read":
        grid_out = await bucket.open_download_stream(file_id)
        return await grid_out.read()
    if style == "async_for":
        grid_out = await bucket.open_download_stream(file_id)
        return b"".join([chunk async for chunk in grid_out])
    if style == "download_to_stream":
        sink = io.BytesIO()
        await bucket.download_to_stream(file_id, sink)
        return sink.getvalue()
    assert style == "async_destination", style
    received = []

    class AsyncSink:
        async def write(self, chunk):
            await asyncio.sleep(0)
            received.append(chunk)

    await bucket.download_to_stream(file_id, AsyncSink())
    return b"".join(received)


STYLES = [
    ("upload_from_stream", "read"),
    ("open_upload_stream", "async_for"),
    ("legacy_put", "download_to_stream"),
    ("async_source", "async_destination"),
]
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * MB]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("up", "down"), STYLES, ids=[f"{u}-{d}" for u, d in STYLES])
async def test_round_trip_is_byte_identical(
    bucket, sync_bucket, chunks, motor_class, up, down, size
):
    data = payload(size, seed=size)
    file_id = await upload(up, bucket, "file.bin", data, motor_class)
    assert chunks.count_documents({"files_id": file_id}) == math.ceil(size / CHUNK)

    back = await download(down, bucket, file_id)
    assert (len(back), sha256(back)) == (size, sha256(data))
    assert sha256(sync_bucket.open_download_stream(file_id).read()) == sha256(data)


async def test_pymongo_files_read_through_motor(bucket, sync_bucket):
    data = payload(3 * CHUNK + 5)
    file_id = sync_bucket.upload_from_stream("from-pymongo", data, chunk_size_bytes=CHUNK)
    grid_out = await bucket.open_download_stream_by_name("from-pymongo")
    assert grid_out._id == file_id
    assert await grid_out.read() == data


@pytest.mark.slow  # about 2 s on a standalone, 10 s on a replica set
async def test_fifty_megabytes_round_trip(bucket, sync_bucket):
    data = os.urandom(50 * MB)
    started = time.monotonic()
    file_id = await bucket.upload_from_stream("big", io.BytesIO(data))
    sink = io.BytesIO()
    await bucket.download_to_stream(file_id, sink)
    elapsed = time.monotonic() - started
    assert sha256(sink.getvalue()) == sha256(data)
    grid_out = await bucket.open_download_stream(file_id)
    assert grid_out.length == 50 * MB and grid_out.chunk_size == CHUNK
    print(f"50 MB up and down in {elapsed:.2f}s; sha256 {sha256(data)[:16]}... matches")


# -- files: names, metadata, revisions, rename, delete, find -------------------------------


async def test_unicode_names_metadata_and_fields(bucket, sync_bucket):
    name = "Ünïcødé 文件 🚀.txt"
    async with bucket.open_upload_stream(
        name, metadata={"contentType": "text/plain", "by": "ü"}
    ) as grid_in:
        grid_in.custom = "field"  # any attribute set before close lands in the file document
        await grid_in.write("déjà vu\n".encode())
    grid_out = await bucket.open_download_stream_by_name(name)
    assert grid_out.filename == grid_out.name == name
    assert grid_out.metadata == {"contentType": "text/plain", "by": "ü"}
    assert grid_out.custom == "field"
    assert grid_out.length == len("déjà vu\n".encode())
    assert grid_out.upload_date is not None and grid_out._id == grid_in._id
    assert await grid_out.readline() == "déjà vu\n".encode()
    assert [f.filename for f in sync_bucket.find({"filename": name})] == [name]


async def test_revisions(bucket):
    ids = [await bucket.upload_from_stream("doc", b"version %d" % n) for n in range(3)]
    for revision, expected in [(0, 0), (1, 1), (2, 2), (-1, 2), (-2, 1), (-3, 0)]:
        grid_out = await bucket.open_download_stream_by_name("doc", revision=revision)
        assert (grid_out._id, await grid_out.read()) == (ids[expected], b"version %d" % expected)
    for revision in (3, -4):
        with pytest.raises(NoFile):
            await bucket.open_download_stream_by_name("doc", revision=revision)
    sink = io.BytesIO()
    await bucket.download_to_stream_by_name("doc", sink, revision=1)
    assert sink.getvalue() == b"version 1"


@pytest.mark.parametrize("style", ITERATION)
async def test_find_iterates_motor_grid_outs(bucket, style):
    ids = [await bucket.upload_from_stream(f"f{n}", b"%d" % n) for n in range(7)]
    cursor = bucket.find({"filename": {"$ne": "f3"}}, sort=[("filename", 1)], batch_size=2)
    files = await collect(cursor, style)
    assert [f._id for f in files] == ids[:3] + ids[4:]
    assert {type(f).__name__.removeprefix("AsyncIO") for f in files} == {"MotorGridOut"}
    assert [await f.read() for f in files] == [b"0", b"1", b"2", b"4", b"5", b"6"]


@requires_pymongo("GridFSBucket", "rename_by_name")
async def test_rename_delete_find_and_drop(bucket, sync_client, bucket_name):
    ids = {name: await bucket.upload_from_stream(name, name.encode()) for name in ("a", "b", "c")}
    await bucket.upload_from_stream("c", b"c2")

    await bucket.rename(ids["a"], "a2")
    await bucket.rename_by_name("c", "c3")
    cursor = bucket.find({}, sort=[("filename", 1), ("uploadDate", 1)], batch_size=2)
    files = [f async for f in cursor]
    assert [(f.filename, f.length) for f in files] == [("a2", 1), ("b", 1), ("c3", 1), ("c3", 2)]
    assert type(files[0]).__name__.endswith("MotorGridOut")
    assert await files[3].read() == b"c2"

    listed = await bucket.find({"filename": "c3"}).sort("uploadDate", -1).to_list(None)
    assert [await f.read() for f in listed] == [b"c2", b"c"]
    assert len(await bucket.find().to_list(10)) == 4  # more than there are: no error
    cursor = bucket.find({"filename": "b"})
    assert await cursor.fetch_next and cursor.next_object()._id == ids["b"]
    assert cursor.collection.name == bucket_name + ".files"

    await bucket.delete(ids["b"])
    await bucket.delete_by_name("c3")
    assert [f.filename async for f in bucket.find()] == ["a2"]
    # PyMongo before 4.18 raises TypeError for a missing ObjectId in rename (its NoFile
    # message formats the id with %i); Motor raises what PyMongo raises.
    rename_error = NoFile if PYMONGO_MINOR >= (4, 18) else TypeError
    for missing, error in (
        (bucket.delete(ids["b"]), NoFile),
        (bucket.delete_by_name("c3"), NoFile),
        (bucket.rename(ids["b"], "x"), rename_error),
        (bucket.rename_by_name("nope", "x"), NoFile),
        (bucket.open_download_stream(ids["b"]), NoFile),
    ):
        with pytest.raises(error):
            await missing

    await bucket.drop()
    names = sync_client[TEST_DB].list_collection_names()
    assert bucket_name + ".files" not in names and bucket_name + ".chunks" not in names


async def test_legacy_gridfs(db, motor_class, bucket_name, sync_client):
    fs = motor_class("GridFS")(db, bucket_name)
    first = await fs.put(b"one", filename="x", contentType="text/plain", author="me")
    second = await fs.put(io.BytesIO(b"two"), filename="x")
    text = await fs.put("trois", filename="y", encoding="utf-8")

    assert await (await fs.get(first)).read() == b"one"
    assert (await fs.get(first)).author == "me"
    assert await (await fs.get_last_version("x")).read() == b"two"
    assert await (await fs.get_version("x", 0)).read() == b"one"
    assert await (await fs.get_last_version("y")).read() == b"trois"
    assert sorted(await fs.list()) == ["x", "y"]
    assert await fs.exists(first) and await fs.exists(filename="y")
    assert (await fs.find_one({"filename": "y"}))._id == text
    assert await fs.find_one({"filename": "nothing"}) is None
    assert [f._id async for f in fs.find({"filename": "x"}).sort("uploadDate", 1)] == [
        first,
        second,
    ]

    grid_in = fs.new_file(filename="z", _id="z-id")
    await grid_in.write(b"zed")
    await grid_in.close()
    with pytest.raises(FileExists):
        await fs.put(b"again", _id="z-id")

    await fs.delete(first)
    assert not await fs.exists(first)
    with pytest.raises(NoFile):
        await fs.get(first)
    assert gridfs.GridFS(sync_client[TEST_DB], bucket_name).get("z-id").read() == b"zed"


# -- MotorGridIn ------------------------------------------------------------------------


async def test_grid_in_made_directly(db, motor_class, bucket_name, sync_bucket):
    grid_in = motor_class("GridIn")(
        db[bucket_name], filename="direct.txt", content_type="text/plain"
    )
    await grid_in.write(b"made directly")
    await grid_in.close()
    assert sync_bucket.open_download_stream_by_name("direct.txt").read() == b"made directly"
    with pytest.raises(TypeError, match="Collection"):
        motor_class("GridIn")(db, filename="x")


async def test_grid_in_attributes_and_set(bucket, sync_bucket, bucket_name, sync_client):
    grid_in = bucket.open_upload_stream_with_id("my-id", "before.txt", chunk_size_bytes=1000)
    assert (grid_in._id, grid_in.filename, grid_in.chunk_size, grid_in.closed) == (
        "my-id",
        "before.txt",
        1000,
        False,
    )
    with pytest.raises(AttributeError):
        grid_in.length  # only once closed
    with pytest.raises(AttributeError):
        grid_in._id = "other"
    grid_in.filename = "after.txt"
    grid_in.color = "blue"
    await grid_in.writelines([b"a" * 600, b"b" * 600])
    await grid_in.close()
    await grid_in.close()  # twice is allowed
    assert (grid_in.closed, grid_in.length, grid_in.color) == (True, 1200, "blue")
    assert grid_in.upload_date is not None

    with pytest.raises(InvalidOperation, match="set"):
        grid_in.color = "red"
    with pytest.raises(InvalidOperation, match="set"):
        grid_in.filename = "late.txt"
    with pytest.raises(ValueError, match="closed"):
        await grid_in.write(b"more")
    assert await grid_in.set("color", "red") is None
    doc = sync_client[TEST_DB][bucket_name + ".files"].find_one({"_id": "my-id"})
    assert (doc["filename"], doc["color"], doc["length"]) == ("after.txt", "red", 1200)
    assert sync_bucket.open_download_stream("my-id").read() == b"a" * 600 + b"b" * 600


async def test_abort_and_failed_block_leave_nothing(bucket, bucket_name, sync_client):
    files = sync_client[TEST_DB][bucket_name + ".files"]
    chunks = sync_client[TEST_DB][bucket_name + ".chunks"]

    grid_in = bucket.open_upload_stream("aborted")
    await grid_in.write(payload(3 * CHUNK))
    await grid_in.abort()
    assert grid_in.closed

    with pytest.raises(ZeroDivisionError):
        async with bucket.open_upload_stream("failed") as grid_in:
            await grid_in.write(payload(CHUNK + 1))
            1 / 0
    assert grid_in.closed
    assert files.count_documents({}) == 0 and chunks.count_documents({}) == 0

    await bucket.upload_from_stream_with_id("taken", "first", b"1")
    with pytest.raises(FileExists):
        await bucket.upload_from_stream_with_id("taken", "second", b"2")


@pytest.mark.slow  # 48 MB up
async def test_abort_after_chunks_reached_the_server(bucket, chunks):
    # PyMongo sends chunks in batches of about 48 MB: write past one batch, then abort.
    grid_in = bucket.open_upload_stream("big-abort")
    await grid_in.write(io.BytesIO(bytes(_UPLOAD_BUFFER_SIZE + 2 * CHUNK)))
    assert chunks.count_documents({"files_id": grid_in._id}) > 0
    await grid_in.abort()
    assert chunks.count_documents({"files_id": grid_in._id}) == 0


async def test_concurrent_uploads_and_downloads(bucket):
    datas = [payload(CHUNK * 2 + n * 1000, seed=n) for n in range(8)]
    ids = await asyncio.gather(
        *(bucket.upload_from_stream(f"f{n}", d) for n, d in enumerate(datas))
    )
    assert len(set(ids)) == 8

    async def read(file_id):
        return await (await bucket.open_download_stream(file_id)).read()

    backs = await asyncio.gather(*(read(i) for i in ids))
    assert [sha256(b) for b in backs] == [sha256(d) for d in datas]


@pytest.fixture
def slow_bucket(deployment, motor_class, sync_client, bucket_name):
    """A bucket whose client's find and getMore commands each wait 50 ms on the server, so
    reads and the first write of a file really wait (a fast server often answers before
    Motor would wait at all)."""
    sync_client.admin.command(
        "configureFailPoint",
        "failCommand",
        mode="alwaysOn",
        data={
            "failCommands": ["find", "getMore"],
            "blockConnection": True,
            "blockTimeMS": 50,
            "appName": "slow",
        },
    )
    client = motor_class("Client")(deployment.uri, appname="slow")
    yield motor_class("GridFSBucket")(client[TEST_DB], bucket_name)
    sync_client.admin.command("configureFailPoint", "failCommand", mode="off")
    client.close()


async def test_one_file_serialises_its_operations(slow_bucket):
    """Calls on one GridIn or GridOut started together run one at a time, in call order."""
    parts = [payload(100_000, seed=n) for n in range(10)]
    grid_in = slow_bucket.open_upload_stream("ordered", chunk_size_bytes=64 * 1024)
    writes = [grid_in.write(p) for p in parts]
    assert not writes[0].done()  # its first chunk waits for the index check; the rest queue
    await asyncio.gather(*writes, grid_in.close())
    data = b"".join(parts)

    grid_out = await slow_bucket.open_download_stream(grid_in._id)
    reads = [grid_out.read(70_000) for _ in range(15)]
    assert not reads[0].done()
    with pytest.raises(InvalidOperation, match="seek"):
        grid_out.seek(0)  # not while a read is under way
    reads = await asyncio.gather(*reads)
    assert [len(r) for r in reads] == [70_000] * 14 + [20_000]
    assert b"".join(reads) == data and grid_out.tell() == len(data)
    assert grid_out.seek(0) == 0


async def test_cancelled_operations_release_the_file(bucket, sync_bucket):
    """A call cancelled in the queue never runs; one cancelled mid-way lets the next run."""

    class GatedSource:  # an async source whose read waits until the test opens its gate
        def __init__(self, data):
            self.gate, self.data = asyncio.Event(), data

        async def read(self, size):
            await self.gate.wait()
            data, self.data = self.data[:size], self.data[size:]
            return data

    grid_in = bucket.open_upload_stream("gated", chunk_size_bytes=4)
    first = GatedSource(b"AAAA")
    holding = grid_in.write(first)
    queued = grid_in.write(b"XXXX")
    after = grid_in.write(b"BBBB")
    assert not holding.done() and not after.done()
    queued.cancel()
    first.gate.set()
    await holding
    await after
    assert queued.cancelled()

    running = grid_in.write(GatedSource(b"YYYY"))  # its gate never opens
    next_write = grid_in.write(b"CCCC")
    running.cancel()
    await next_write
    with pytest.raises(asyncio.CancelledError):
        await running
    await grid_in.close()
    assert sync_bucket.open_download_stream(grid_in._id).read() == b"AAAABBBBCCCC"


# -- MotorGridOut ------------------------------------------------------------------------


async def test_grid_out_reading_api(bucket, motor_class, db, bucket_name):
    data = b"".join(b"line %d\n" % n for n in range(40_000))  # ~350 KB, two chunks
    file_id = await bucket.upload_from_stream("lines", data, chunk_size_bytes=CHUNK)

    grid_out = motor_class("GridOut")(db[bucket_name], file_id)
    with pytest.raises(InvalidOperation, match="open"):
        grid_out.length
    with pytest.raises(InvalidOperation, match="open"):
        grid_out.seek(-1, os.SEEK_END)
    assert await grid_out.open() is grid_out
    assert (grid_out.length, grid_out.chunk_size, grid_out.filename) == (len(data), CHUNK, "lines")

    assert await grid_out.readline() == b"line 0\n"
    assert await grid_out.read(7) == b"line 1\n"
    assert grid_out.tell() == 14
    assert await grid_out.readchunk() == data[14:CHUNK]  # the rest of the first chunk
    assert grid_out.seek(-8, os.SEEK_END) == len(data) - 8  # kills the open chunk cursor
    assert await grid_out.read() == data[-8:]
    assert await grid_out.read() == b""
    assert grid_out.seek(CHUNK + 3) == CHUNK + 3
    assert grid_out.seek(-3, os.SEEK_CUR) == CHUNK
    assert await grid_out.read(5) == data[CHUNK : CHUNK + 5]
    grid_out.seek(0)
    assert [len(c) async for c in grid_out] == [CHUNK, len(data) - CHUNK]
    assert (grid_out.readable(), grid_out.seekable(), grid_out.writable()) == (True, True, False)
    async with grid_out:
        pass
    assert grid_out.closed

    with pytest.raises(NoFile):
        await motor_class("GridOut")(db[bucket_name], "no such id").open()
    with pytest.raises(TypeError, match="Collection"):
        motor_class("GridOut")(db, file_id)


@pytest.mark.parametrize("damage", ["truncated", "missing", "extra"])
async def test_corrupt_chunk_raises(bucket, chunks, damage):
    file_id = await bucket.upload_from_stream("corrupt", payload(3 * CHUNK), chunk_size_bytes=CHUNK)
    if damage == "truncated":
        chunks.update_one({"files_id": file_id, "n": 1}, {"$set": {"data": b"short"}})
    elif damage == "missing":
        chunks.delete_one({"files_id": file_id, "n": 1})
    else:
        chunks.insert_one({"files_id": file_id, "n": 3, "data": b"surplus"})
    grid_out = await bucket.open_download_stream(file_id)
    with pytest.raises(CorruptGridFile):
        await grid_out.read()
    if damage != "extra":  # chunk-by-chunk readers stop at the file's length
        with pytest.raises(CorruptGridFile):
            await bucket.download_to_stream(file_id, io.BytesIO())


async def test_stream_to_handler_flushes_each_chunk(bucket):
    data = payload(3 * CHUNK + 17)
    grid_out = await bucket.open_download_stream(await bucket.upload_from_stream("s", data))
    events = []

    class Handler:
        def write(self, chunk):
            events.append(("write", len(chunk)))

        async def flush(self):
            events.append(("flush", None))

    assert await grid_out.stream_to_handler(Handler()) == len(data)
    assert events == [("write", CHUNK), ("flush", None)] * 3 + [("write", 17), ("flush", None)]


# -- API shape ---------------------------------------------------------------------------


async def test_callback_and_gen_styles(bucket):
    for style in ("callback", "gen"):
        file_id = await invoke(style, bucket.upload_from_stream, style, style.encode())
        grid_out = await invoke(style, bucket.open_download_stream, file_id)
        assert await invoke(style, grid_out.read) == style.encode()
        assert await invoke(style, bucket.delete, file_id) is None


def test_wrong_database_type(motor_class, framework):
    with pytest.raises(TypeError, match="Database"):
        motor_class("GridFSBucket")("not a database")
    with pytest.raises(TypeError, match="Database"):
        motor_class("GridFS")(object())


PAIRS = {
    "GridFSBucket": gridfs.GridFSBucket,
    "GridFS": gridfs.GridFS,
    "GridIn": GridIn,
    "GridOut": GridOut,
    "GridOutCursor": GridOutCursor,
}


@pytest.mark.parametrize("short_name", list(PAIRS))
def test_public_attributes_match_pymongo(motor_class, short_name):
    public = {name for name in dir(PAIRS[short_name]) if not name.startswith("_")}
    missing = public - set(dir(motor_class(short_name)))
    assert not missing, f"{short_name} lacks {sorted(missing)}"
    for name, attr in io_methods(motor_class(short_name)).items():
        if pymongo_lacks(PAIRS[short_name].__name__, attr):
            continue
        assert callable(getattr(PAIRS[short_name], attr, None)), f"{short_name}.{name} -> {attr}"


async def test_drop_timeout_bounds_the_drop_as_a_whole(
    deployment, motor_class, sync_client, bucket_name
):
    # The GridFS spec (and PyMongo's test suite): the client's timeoutMS bounds drop() as
    # a whole. Each collection's drop is held 250 ms: either alone fits in 400 ms, both
    # together do not.
    from pymongo.errors import PyMongoError

    from test.reliability import fail_point

    appname = "gridfs-drop-" + bucket_name[-20:]
    client = motor_class("Client")(deployment.uri, timeoutMS=400, appName=appname)
    try:
        gridfs.GridFSBucket(sync_client[TEST_DB], bucket_name).upload_from_stream("f", b"data")
        bucket = motor_class("GridFSBucket")(client[TEST_DB], bucket_name)
        data = {
            "failCommands": ["drop"],
            "blockConnection": True,
            "blockTimeMS": 250,
            "appName": appname,
        }
        with fail_point(sync_client, data, mode={"times": 2}):
            with pytest.raises(PyMongoError) as info:
                await bucket.drop()
        assert info.value.timeout
    finally:
        result = client.close()
        if result is not None:
            await result
