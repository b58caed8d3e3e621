"""The rest of what PyMongo's async users reach for: collection options, raw batches,
tailable cursors, codec options, explicit encryption, driver metadata."""

from __future__ import annotations

import asyncio
import os

import bson
import pytest
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from bson.son import SON
from pymongo import CursorType
from pymongo.driver_info import DriverInfo
from pymongo.encryption import Algorithm
from pymongo.errors import WriteError

from test.test_api_surface import pymongo_lacks


async def test_create_collection_options(db, coll, motor_class):
    name = coll.name
    capped = await db.create_collection(name + "_capped", capped=True, size=4096, max=3)
    assert isinstance(capped, motor_class("Collection"))
    await capped.insert_many([{"i": i} for i in range(5)])
    assert [d["i"] async for d in capped.find()] == [2, 3, 4]
    assert (await capped.options())["capped"] is True

    checked = await db.create_collection(
        name + "_valid", validator={"$jsonSchema": {"required": ["a"]}}
    )
    with pytest.raises(WriteError):
        await checked.insert_one({"b": 1})

    series = await db.create_collection(
        name + "_ts", timeseries={"timeField": "t", "metaField": "m", "granularity": "seconds"}
    )
    await series.insert_one({"t": bson.datetime.datetime.now(), "m": 1, "v": 2})
    infos = [c async for c in await db.list_collections(filter={"name": name + "_ts"})]
    assert infos[0]["type"] == "timeseries"
    for suffix in ("_capped", "_valid", "_ts"):
        await db.drop_collection(name + suffix)


async def test_aggregate_out_and_merge(db, coll):
    await coll.insert_many([{"_id": i, "g": i % 2} for i in range(6)])
    target = db[coll.name + "_out"]
    await coll.aggregate([{"$match": {"g": 0}}, {"$out": target.name}]).to_list(None)
    assert await target.count_documents({}) == 3
    await coll.aggregate([{"$match": {"g": 1}}, {"$merge": {"into": target.name}}]).to_list(None)
    assert await target.count_documents({}) == 6
    assert [d async for d in db.aggregate([{"$documents": [{"x": 1}]}])] == [{"x": 1}]
    await target.drop()


async def test_raw_batches(coll):
    await coll.insert_many([{"_id": i} for i in range(10)])
    batches = [b async for b in coll.find_raw_batches().sort("_id").batch_size(4)]
    assert [d["_id"] for b in batches for d in bson.decode_all(b)] == list(range(10))
    batches = [b async for b in coll.aggregate_raw_batches([{"$sort": {"_id": 1}}])]
    assert [d["_id"] for b in batches for d in bson.decode_all(b)] == list(range(10))


@pytest.mark.parametrize("cursor_type", [CursorType.TAILABLE, CursorType.TAILABLE_AWAIT])
async def test_tailable_cursor_on_capped_collection(db, coll, cursor_type):
    capped = await db.create_collection(coll.name + "_tail", capped=True, size=4096)
    await capped.insert_one({"_id": 0})
    cursor = capped.find(cursor_type=cursor_type)
    if cursor_type == CursorType.TAILABLE_AWAIT:
        cursor.max_await_time_ms(50)
    assert await cursor.fetch_next and cursor.next_object() == {"_id": 0}
    assert await cursor.fetch_next is False  # no new document yet
    assert cursor.alive  # ... but the tailable cursor stays open
    await capped.insert_one({"_id": 1})
    while not await cursor.fetch_next:
        pass  # each fetch is one getMore; the new document arrives within a few
    assert cursor.next_object() == {"_id": 1}
    await cursor.close()
    await capped.drop()


async def test_codec_options_and_with_options(client, db, coll):
    await coll.insert_one({"_id": 1, "b": 2, "a": 1})
    as_son = coll.with_options(codec_options=CodecOptions(document_class=SON))
    assert isinstance(await as_son.find_one(), SON)
    raw = db.get_collection(coll.name, codec_options=CodecOptions(document_class=RawBSONDocument))
    assert isinstance(await raw.find_one(), RawBSONDocument)
    other = client.get_database(db.name, codec_options=CodecOptions(tz_aware=True))
    assert other.codec_options.tz_aware and other[coll.name].codec_options.tz_aware


async def test_driver_info_and_append_metadata(deployment, framework):
    client = framework.client_class()(deployment.uri, driver=DriverInfo("MyLib", "1.0"))
    try:
        metadata = client.delegate.options.pool_options.metadata["driver"]
        assert metadata["name"].endswith("|Motor|MyLib")  # PyMongo, maybe "|c", then us
        if not pymongo_lacks("MongoClient", "append_metadata"):
            client.append_metadata(DriverInfo("Extra", "2.0"))
            assert "Extra" in client.delegate.options.pool_options.metadata["driver"]["name"]
        assert (await client.admin.command("ping"))["ok"] == 1
    finally:
        await client.close()


async def test_explicit_encryption(client, db, coll, motor_class):
    pytest.importorskip("pymongocrypt")
    key_vault = db[coll.name + "_keys"]
    options = CodecOptions(uuid_representation=bson.binary.UuidRepresentation.STANDARD)
    async with motor_class("ClientEncryption")(
        {"local": {"key": os.urandom(96)}}, key_vault.full_name, client, options
    ) as encryption:
        key_id = await encryption.create_data_key("local", key_alt_names=["motor"])
        assert (await encryption.get_key_by_alt_name("motor"))["_id"] == key_id
        secret = await encryption.encrypt(
            "secret", Algorithm.AEAD_AES_256_CBC_HMAC_SHA_512_Deterministic, key_id=key_id
        )
        assert secret.subtype == 6
        await coll.insert_one({"s": secret})
        stored = await coll.find_one()
        assert await encryption.decrypt(stored["s"]) == "secret"
        assert [k["_id"] async for k in encryption.get_keys()] == [key_id]
        assert encryption.get_keys().collection.full_name == key_vault.full_name
    await key_vault.drop()


async def test_concurrent_cursors_share_one_pool(coll):
    await coll.insert_many([{"_id": i} for i in range(200)])
    lists = await asyncio.gather(
        *(coll.find().sort("_id").batch_size(7).to_list(None) for _ in range(20))
    )
    assert all([d["_id"] for d in docs] == list(range(200)) for docs in lists)


def test_client_accepts_positional_connect(motor_class):
    client = motor_class("Client")(
        "127.0.0.1", 1, dict, False, False
    )  # connect=False, positionally
    assert client.codec_options.document_class is dict
    client.delegate.close()
