"""Mistakes that Motor's stubs must make ``mypy --strict`` report (see test/test_typing.py).

Each line ending in ``# error: <code>`` must get an error with that code (and, if given,
with the quoted text in its message); no other line may get one. This file is never run.
"""

from typing import Any, TypedDict

from pymongo.results import InsertOneResult, UpdateResult

from motor.motor_asyncio import (
    AsyncIOMotorChangeStream,
    AsyncIOMotorClient,
    AsyncIOMotorCollection,
    AsyncIOMotorGridFSBucket,
)
from motor.motor_tornado import MotorClient, MotorCollection

Document = dict[str, Any]


class Movie(TypedDict):
    title: str
    year: int


async def optional_results(coll: AsyncIOMotorCollection[Document]) -> None:
    # find_one may find nothing.
    doc: Document = await coll.find_one({})  # error: assignment "dict[str, Any] | None"
    found = await coll.find_one({})
    print(found["title"])  # error: index "None"
    replaced: Document = await coll.find_one_and_replace({}, {})  # error: assignment "| None"


async def wrong_results(coll: AsyncIOMotorCollection[Document]) -> None:
    count: str = await coll.count_documents({})  # error: assignment "int"
    result: UpdateResult = await coll.insert_one({})  # error: assignment "InsertOneResult"
    names: list[int] = await coll.database.list_collection_names()  # error: assignment "list[str]"


async def forgotten_await(coll: AsyncIOMotorCollection[Document]) -> None:
    doc: Document | None = coll.find_one({})  # error: assignment "Future"
    async for info in coll.database.list_collections():  # error: attr-defined "__aiter__"
        print(info)


async def document_types(
    client: AsyncIOMotorClient[Document], movies: AsyncIOMotorCollection[Movie]
) -> None:
    # (An I/O method is overloaded on callback=, so a wrong argument is "No overload variant".)
    await movies.insert_one({"title": "Jaws"})  # error: call-overload "dict[str, str]"
    async for movie in movies.find():
        year: str = movie["year"]  # error: assignment "int"
    typed: list[Movie] = await client.db.coll.find().to_list(None)  # error: assignment "list[Movie]"
    stream: AsyncIOMotorChangeStream[Movie] = client.db.coll.watch()  # error: assignment "ChangeStream[Movie]"


async def cursor_misuse(coll: AsyncIOMotorCollection[Document]) -> None:
    for doc in coll.find():  # error: attr-defined "__iter__"
        print(doc)
    coll.find().limit("10")  # error: arg-type "str"
    await coll.find().to_list(2.5)  # error: call-overload "float"
    coll.find(filtr={})  # error: call-arg "filtr"


async def frameworks(client: AsyncIOMotorClient[Document], tornado_client: MotorClient[Document]) -> None:
    coll: AsyncIOMotorCollection[Document] = tornado_client.db.coll  # error: assignment "MotorCollection"
    session = client.start_session()
    tornado_coll: MotorCollection[Document] = tornado_client.db.coll
    await tornado_coll.insert_one({}, session=session)  # error: call-overload "AsyncIOMotorClientSession"
    with session:  # error: attr-defined "__enter__"
        pass


async def callbacks_and_close(
    coll: AsyncIOMotorCollection[Document], client: AsyncIOMotorClient[Document]
) -> None:
    def on_insert(result: InsertOneResult | None, error: BaseException | None) -> None:
        pass

    # Given callback=, an I/O method returns None: there is nothing to await.
    await coll.insert_one({}, callback=on_insert)  # error: misc "actual type "None""
    # close() returns a Future only on a running loop.
    await client.close()  # error: misc "None"


async def gridfs(bucket: AsyncIOMotorGridFSBucket) -> None:
    grid_out = await bucket.open_download_stream("id")
    text: str = await grid_out.read()  # error: assignment "bytes"
    await bucket.upload_from_stream("name", 12345)  # error: call-overload "int"
