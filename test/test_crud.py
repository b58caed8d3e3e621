"""The everyday API of MotorClient, MotorDatabase and MotorCollection, in all three styles."""

from __future__ import annotations

import pymongo
import pytest
from bson import SON
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure

from test.styles import STYLES, invoke


@pytest.fixture(params=STYLES)
def style(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_crud_round_trip(style, coll):
    result = await invoke(style, coll.insert_one, {"_id": 1, "x": 1})
    assert result.inserted_id == 1
    result = await invoke(style, coll.insert_many, [{"_id": i, "x": i} for i in range(2, 6)])
    assert result.inserted_ids == [2, 3, 4, 5]
    assert await invoke(style, coll.find_one, {"_id": 3}) == {"_id": 3, "x": 3}
    assert await invoke(style, coll.count_documents, {"x": {"$gt": 2}}) == 3
    assert await invoke(style, coll.estimated_document_count) == 5
    assert sorted(await invoke(style, coll.distinct, "x")) == [1, 2, 3, 4, 5]

    assert (
        await invoke(style, coll.update_one, {"_id": 1}, {"$inc": {"x": 10}})
    ).modified_count == 1
    assert (
        await invoke(style, coll.update_many, {"x": {"$lt": 4}}, {"$set": {"low": True}})
    ).modified_count == 2
    assert (await invoke(style, coll.replace_one, {"_id": 2}, {"y": 2})).matched_count == 1
    doc = await invoke(
        style,
        coll.find_one_and_update,
        {"_id": 4},
        {"$set": {"x": 40}},
        return_document=ReturnDocument.AFTER,
    )
    assert doc == {"_id": 4, "x": 40}
    assert (await invoke(style, coll.find_one_and_replace, {"_id": 5}, {"z": 5}))["x"] == 5
    assert (await invoke(style, coll.find_one_and_delete, {"_id": 5}))["z"] == 5
    assert (await invoke(style, coll.delete_one, {"_id": 4})).deleted_count == 1
    assert (await invoke(style, coll.delete_many, {})).deleted_count == 3

    requests = [pymongo.InsertOne({"_id": 7}), pymongo.UpdateOne({"_id": 7}, {"$set": {"a": 1}})]
    result = await invoke(style, coll.bulk_write, requests)
    assert (result.inserted_count, result.modified_count) == (1, 1)


async def test_indexes_and_collection_admin(style, db, coll):
    await coll.insert_one({"k": 1})
    name = await invoke(style, coll.create_index, [("k", pymongo.ASCENDING)], unique=True)
    assert name == "k_1"
    assert "k_1" in await invoke(style, coll.index_information)
    assert [i["name"] async for i in coll.list_indexes()] == ["_id_", "k_1"]
    await invoke(style, coll.drop_index, "k_1")
    assert list(await invoke(style, coll.index_information)) == ["_id_"]
    assert (await invoke(style, coll.options)) == {}

    new_name = coll.name + "_renamed"
    await invoke(style, coll.rename, new_name)
    assert new_name in await invoke(style, db.list_collection_names)
    await invoke(style, db.drop_collection, new_name)
    assert new_name not in await invoke(style, db.list_collection_names)


async def test_commands(style, client, db, coll):
    await coll.insert_many([{"n": i % 3} for i in range(9)])
    reply = await invoke(style, db.command, SON([("distinct", coll.name), ("key", "n")]))
    assert sorted(reply["values"]) == [0, 1, 2]
    reply = await invoke(style, db.command, {"count": coll.name, "query": {"n": 0}})
    assert reply["n"] == 3
    reply = await invoke(
        style,
        db.command,
        "aggregate",
        coll.name,
        pipeline=[{"$group": {"_id": "$n", "c": {"$sum": 1}}}, {"$sort": {"_id": 1}}],
        cursor={},
    )
    assert [d["c"] for d in reply["cursor"]["firstBatch"]] == [3, 3, 3]
    assert (await invoke(style, client.server_info))["ok"] == 1
    assert db.name in await invoke(style, client.list_database_names)
    databases = await invoke(style, client.list_databases)
    assert db.name in [d["name"] async for d in databases]


async def test_errors_are_pymongos(style, coll):
    await coll.insert_one({"_id": 1})
    with pytest.raises(DuplicateKeyError) as info:
        await invoke(style, coll.insert_one, {"_id": 1})
    assert "duplicate key" in str(info.value)
    with pytest.raises(OperationFailure):
        await invoke(style, coll.find_one, {"$bogus": 1})


async def test_names_give_motor_objects(client, db, coll, motor_class):
    Database, Collection = motor_class("Database"), motor_class("Collection")
    assert isinstance(client.some_db, Database)
    assert isinstance(client["some_db"], Database)
    assert client.some_db.name == "some_db"
    assert isinstance(db.some_coll, Collection)
    assert db["some_coll"].full_name == f"{db.name}.some_coll"
    assert coll.sub.name == f"{coll.name}.sub"
    assert coll.database is db
    assert db.client is client
    assert isinstance(coll.with_options(write_concern=pymongo.WriteConcern(w=1)), Collection)
    assert isinstance(db.get_collection("x"), Collection)
    assert client.some_db == client["some_db"]
    # Non-I/O attributes pass through to PyMongo.
    assert coll.write_concern == coll.delegate.write_concern
    assert db.codec_options == db.delegate.codec_options
    with pytest.raises(AttributeError):
        client._private


def test_non_callable_callback_raises_at_call_time(coll):
    with pytest.raises(TypeError, match="callback must be a callable"):
        coll.find_one({}, callback="not callable")
    with pytest.raises(TypeError, match="callback must be a callable"):
        coll.find().to_list(None, callback=1)
    with pytest.raises(TypeError, match="callback must be a callable"):
        coll.find().each(None)


async def test_bad_input_raises_pymongos_errors(coll):
    with pytest.raises(TypeError):
        await coll.insert_one("not a document")
    with pytest.raises(TypeError):
        await coll.find_one_and_update({}, "not a document")
    with pytest.raises(ValueError):
        await coll.update_one({}, {"no_operator": 1})
    with pytest.raises(pymongo.errors.InvalidName):
        coll.database[""]


async def test_cursor_next_and_client_close_in_every_style(style, deployment, framework, coll):
    await coll.insert_one({"_id": 1})
    assert (await invoke(style, coll.find().next))["_id"] == 1
    client = framework.client_class()(deployment.uri)
    await client.admin.command("ping")
    assert await invoke(style, client.close) is None
