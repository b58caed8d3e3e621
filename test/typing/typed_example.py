"""A typed Motor program, checked with ``mypy --strict`` by test/test_typing.py.

Every annotated assignment below states what Motor's stubs must give: if a stub returned
the wrong type (a document where an Optional belongs, a Future of the wrong result, a
cursor of the wrong documents), mypy would reject this file. It is also a real program:
``python test/typing/typed_example.py mongodb://localhost:27017`` runs it against a
server, on asyncio and then on Tornado, and test/test_typing.py does so against the test
deployment.
"""

# Without this, annotations such as AsyncIOMotorCollection[Movie] in function signatures
# are evaluated at import, and Motor's classes cannot be subscripted at runtime.
from __future__ import annotations

import asyncio
import importlib.util
import io
import os
import sys
from collections.abc import Generator
from typing import Any, TypedDict

import bson
import tornado.gen
import tornado.ioloop
import tornado.web
from bson.binary import Binary
from bson.codec_options import CodecOptions
from bson.objectid import ObjectId
from bson.raw_bson import RawBSONDocument
from pymongo import ASCENDING, DESCENDING, InsertOne, ReturnDocument, UpdateOne
from pymongo.encryption_shared import Algorithm
from pymongo.results import (
    BulkWriteResult,
    DeleteResult,
    InsertManyResult,
    InsertOneResult,
    UpdateResult,
)

import motor
from motor.motor_asyncio import (
    AsyncIOMotorChangeStream,
    AsyncIOMotorClient,
    AsyncIOMotorClientEncryption,
    AsyncIOMotorClientSession,
    AsyncIOMotorCollection,
    AsyncIOMotorCommandCursor,
    AsyncIOMotorCursor,
    AsyncIOMotorDatabase,
    AsyncIOMotorGridFSBucket,
    AsyncIOMotorGridIn,
    AsyncIOMotorGridOut,
    AsyncIOMotorGridOutCursor,
    AsyncIOMotorLatentCommandCursor,
)
from motor.motor_tornado import MotorCollection, MotorCursor, MotorDatabase, MotorGridFSBucket

Document = dict[str, Any]


class Movie(TypedDict):
    title: str
    year: int


# -- asyncio -------------------------------------------------------------------------------


async def crud(db: AsyncIOMotorDatabase[Document]) -> None:
    coll: AsyncIOMotorCollection[Document] = db.movies
    same: AsyncIOMotorCollection[Document] = db["movies"]
    assert coll == same
    await coll.drop()

    inserted: InsertOneResult = await coll.insert_one({"title": "Jaws", "year": 1975})
    new_id: Any = inserted.inserted_id
    many: InsertManyResult = await coll.insert_many(
        [{"title": "Alien", "year": 1979}, {"title": "Heat", "year": 1995}]
    )
    ids: list[Any] = many.inserted_ids
    assert len(ids) == 2

    found: Document | None = await coll.find_one({"_id": new_id})
    if found is not None:
        title: str = found["title"]
        assert title == "Jaws"
    count: int = await coll.count_documents({"year": {"$gt": 1970}})
    estimate: int = await coll.estimated_document_count()
    assert count == estimate == 3

    updated: UpdateResult = await coll.update_one({"_id": new_id}, {"$set": {"year": 1976}})
    modified: int = updated.modified_count
    replaced: UpdateResult = await coll.replace_one({"title": "Heat"}, {"title": "Heat", "year": 1995})
    assert modified == 1 and replaced.matched_count == 1
    after: Document | None = await coll.find_one_and_update(
        {"title": "Alien"}, {"$inc": {"year": 0}}, return_document=ReturnDocument.AFTER
    )
    assert after is not None and after["year"] == 1979

    bulk: BulkWriteResult = await coll.bulk_write(
        [InsertOne({"title": "Ran", "year": 1985}), UpdateOne({"title": "Ran"}, {"$set": {"year": 1985}})]
    )
    assert bulk.inserted_count == 1

    index_name: str = await coll.create_index([("year", DESCENDING)])
    info: Any = (await coll.index_information())[index_name]
    assert info
    years: list[Any] = await coll.distinct("year")
    assert 1985 in years

    deleted: DeleteResult = await coll.delete_many({"title": "Ran"})
    assert deleted.deleted_count == 1


async def cursors(db: AsyncIOMotorDatabase[Document]) -> None:
    coll = db.movies

    cursor: AsyncIOMotorCursor[Document] = coll.find({"year": {"$gte": 1970}})
    cursor = cursor.sort("year", ASCENDING).limit(10)
    titles: list[str] = []
    async for movie in cursor:
        movie_title: str = movie["title"]
        titles.append(movie_title)
    assert titles[0] == "Jaws"

    docs: list[Document] = await coll.find().sort([("year", DESCENDING)]).to_list(None)
    first_two: list[Document] = await coll.find(projection={"_id": False}).to_list(length=2)
    assert len(docs) == 3 and len(first_two) == 2

    classic = coll.find().batch_size(1)
    while await classic.fetch_next:
        maybe: Document | None = classic.next_object()
        assert maybe is not None
    one: Document = await coll.find().sort("year").skip(1).next()
    assert one["title"] == "Alien"
    plan: Document = await coll.find().explain()
    assert "queryPlanner" in plan

    pipeline = [{"$group": {"_id": None, "n": {"$sum": 1}}}]
    aggregation: AsyncIOMotorLatentCommandCursor[Document] = coll.aggregate(pipeline)
    async for group in aggregation:
        n: int = group["n"]
        assert n == 3

    async for index in coll.list_indexes():
        index_key: Any = index["key"]
        assert index_key

    async for batch in coll.find_raw_batches().sort("year"):
        decoded: list[dict[str, Any]] = bson.decode_all(batch)
        assert decoded

    names: list[str] = await db.list_collection_names()
    assert "movies" in names
    listing: AsyncIOMotorCommandCursor[Any] = await db.list_collections()
    async with listing:
        collection_infos: list[Any] = await listing.to_list(None)
        assert collection_infos

    # Another document class, through codec options.
    raw_coll: AsyncIOMotorCollection[RawBSONDocument] = coll.with_options(
        codec_options=CodecOptions(document_class=RawBSONDocument)
    )
    raw: RawBSONDocument | None = await raw_coll.find_one()
    assert raw is not None and raw.raw

    reply: dict[str, Any] = await db.command("ping")
    assert reply["ok"] == 1.0


async def typed_documents(client: AsyncIOMotorClient[Movie]) -> None:
    """A TypedDict document type: fields are checked on the way in and out."""
    movies: AsyncIOMotorCollection[Movie] = client.typed_example.movies
    await movies.insert_one({"title": "Vertigo", "year": 1958})
    movie: Movie | None = await movies.find_one({"title": "Vertigo"})
    if movie is not None:
        year: int = movie["year"]
        assert year == 1958
    all_movies: list[Movie] = await movies.find().to_list(None)
    assert all_movies
    async for each in movies.find():
        each_title: str = each["title"]
        assert each_title


async def sessions(client: AsyncIOMotorClient[Document]) -> None:
    coll = client.typed_example.movies

    async with client.start_session() as session:
        s: AsyncIOMotorClientSession = session
        doc: Document | None = await coll.find_one({}, session=s)
        assert doc is not None
        assert not session.in_transaction

    awaited: AsyncIOMotorClientSession = await client.start_session()
    await awaited.end_session()


async def transactions(client: AsyncIOMotorClient[Document]) -> None:
    """Needs a replica set."""
    coll = client.typed_example.movies

    async with client.start_session() as session:
        async with session.start_transaction():
            await coll.insert_one({"title": "M", "year": 1931}, session=session)

        async def callback(s: AsyncIOMotorClientSession) -> int:
            result: InsertOneResult = await coll.insert_one({"title": "Ikiru", "year": 1952}, session=s)
            return 1 if result.acknowledged else 0

        inserted: int = await session.with_transaction(callback)
        assert inserted == 1


async def change_streams(client: AsyncIOMotorClient[Document]) -> None:
    """Needs a replica set."""
    coll = client.typed_example.movies
    stream: AsyncIOMotorChangeStream[Document] = coll.watch([{"$match": {"operationType": "insert"}}])
    async with stream:
        await coll.insert_one({"title": "Ran", "year": 1985})
        change: Document = await stream.next()
        full_document: Any = change["fullDocument"]
        assert full_document["title"] == "Ran"
        nothing_yet: Document | None = await stream.try_next()
        assert nothing_yet is None
        token: Any = stream.resume_token
        assert token is not None


async def gridfs(db: AsyncIOMotorDatabase[Document]) -> None:
    bucket = AsyncIOMotorGridFSBucket(db, bucket_name="posters")
    await bucket.drop()

    file_id: ObjectId = await bucket.upload_from_stream("jaws.txt", b"shark", metadata={"year": 1975})
    from_file: ObjectId = await bucket.upload_from_stream("alien.txt", io.BytesIO(b"xenomorph"))
    assert file_id != from_file

    grid_in: AsyncIOMotorGridIn = bucket.open_upload_stream("heat.txt")
    async with grid_in:
        await grid_in.write(b"heat")
    heat_id: Any = grid_in._id

    grid_out: AsyncIOMotorGridOut = await bucket.open_download_stream(heat_id)
    data: bytes = await grid_out.read()
    length: int = grid_out.length
    assert data == b"heat" and length == 4

    destination = io.BytesIO()
    await bucket.download_to_stream(file_id, destination)
    assert destination.getvalue() == b"shark"

    found: AsyncIOMotorGridOutCursor = bucket.find({"filename": "jaws.txt"})
    async for poster in found:
        name: str = poster.filename
        chunk: bytes = await poster.readchunk()
        assert name == "jaws.txt" and chunk == b"shark"
    every: list[AsyncIOMotorGridOut] = await bucket.find().sort("filename").to_list(None)
    assert len(every) == 3

    await bucket.delete(from_file)


async def explicit_encryption(client: AsyncIOMotorClient[Document]) -> None:
    kms_providers = {"local": {"key": os.urandom(96)}}
    encryption: AsyncIOMotorClientEncryption[Document] = AsyncIOMotorClientEncryption(
        kms_providers, "typed_example.datakeys", client, CodecOptions()
    )
    async with encryption:
        key_id: Binary = await encryption.create_data_key("local")
        encrypted: Binary = await encryption.encrypt(
            "secret", Algorithm.AEAD_AES_256_CBC_HMAC_SHA_512_Deterministic, key_id=key_id
        )
        decrypted: Any = await encryption.decrypt(encrypted)
        assert decrypted == "secret"


async def asyncio_main(uri: str, replica_set: bool) -> None:
    client: AsyncIOMotorClient[Document] = AsyncIOMotorClient(uri)
    async with client:
        await client.open()
        db = client.typed_example
        await crud(db)
        await cursors(db)
        await sessions(client)
        await gridfs(db)
        if replica_set:
            await transactions(client)
            await change_streams(client)
        if importlib.util.find_spec("pymongocrypt") is not None:
            await explicit_encryption(client)
        databases: list[str] = await client.list_database_names()
        assert "typed_example" in databases

    typed: AsyncIOMotorClient[Movie] = AsyncIOMotorClient(uri)
    await typed_documents(typed)
    await typed.drop_database("typed_example")
    typed.close()


# -- Tornado ---------------------------------------------------------------------------------


class PosterHandler(tornado.web.RequestHandler):
    """Streams a GridFS file to the browser."""

    def initialize(self, db: MotorDatabase[Document]) -> None:
        self.bucket = MotorGridFSBucket(db, bucket_name="posters")

    async def get(self, filename: str) -> None:
        grid_out = await self.bucket.open_download_stream_by_name(filename)
        self.set_header("Content-Type", grid_out.content_type or "application/octet-stream")
        sent: int = await grid_out.stream_to_handler(self)
        assert sent == grid_out.length


@tornado.gen.coroutine
def legacy_count(coll: MotorCollection[Document]) -> Generator[Any, Any, int]:
    """A Motor 1-style coroutine: each Future is yielded."""
    total = yield coll.count_documents({})
    assert isinstance(total, int)
    return total


async def tornado_main(uri: str) -> None:
    # No annotation needed: without a document_class, documents are dict[str, Any].
    client = motor.MotorClient(uri)
    db: MotorDatabase[Document] = client.get_database("typed_example")
    coll: MotorCollection[Document] = db.movies

    future: asyncio.Future[InsertOneResult] = coll.insert_one({"title": "Rashomon", "year": 1950})
    await future
    doc: Document | None = await coll.find_one({"title": "Rashomon"})
    assert doc is not None
    cursor: MotorCursor[Document] = coll.find().sort("year")
    years: list[int] = [movie["year"] async for movie in cursor]
    assert years == sorted(years)
    n: int = await legacy_count(coll)
    assert n == len(years)

    # Callback style: the method returns None and reports (result, error) later.
    done = asyncio.get_running_loop().create_future()

    def on_deleted(result: DeleteResult | None, error: BaseException | None) -> None:
        done.set_result(result.deleted_count if result is not None else error)

    coll.delete_one({"title": "Rashomon"}, callback=on_deleted)
    assert await done == 1

    app = tornado.web.Application([(r"/posters/(.+)", PosterHandler, {"db": db})])
    assert app
    await client.drop_database("typed_example")
    client.close()


def main(uri: str, replica_set: bool = False) -> None:
    asyncio.run(asyncio_main(uri, replica_set))
    tornado.ioloop.IOLoop(make_current=False).run_sync(lambda: tornado_main(uri))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "mongodb://localhost:27017", "--replset" in sys.argv)
