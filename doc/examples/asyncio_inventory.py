"""A complete asyncio program on Motor: an inventory stored, queried, changed.

Run it with ``python asyncio_inventory.py``.
"""

import asyncio

from motor.motor_asyncio import AsyncIOMotorClient


async def main():
    client = AsyncIOMotorClient("mongodb://localhost:27017")
    try:
        inventory = client.test_database.inventory
        await inventory.drop()  # start afresh each run
        await inventory.create_index("item", unique=True)
        await inventory.insert_many(
            [
                {"item": "journal", "qty": 25, "tags": ["blank", "red"]},
                {"item": "notebook", "qty": 50, "tags": ["red", "blank"]},
                {
                    "item": "paper",
                    "qty": 100,
                    "tags": ["red", "blank", "plain"],
                },
                {"item": "planner", "qty": 75, "tags": ["blank", "red"]},
                {"item": "postcard", "qty": 45, "tags": ["blue"]},
            ]
        )

        print("Running low:")
        async for doc in inventory.find({"qty": {"$lt": 50}}).sort("item"):
            print(f"  {doc['item']}: {doc['qty']}")

        restock = {"$inc": {"qty": 10}}
        result = await inventory.update_many({"tags": "red"}, restock)
        print(f"Restocked {result.modified_count} red items")

        pipeline = [
            {"$unwind": "$tags"},
            {"$group": {"_id": "$tags", "qty": {"$sum": "$qty"}}},
            {"$sort": {"_id": 1}},
        ]
        print("Quantity per tag:")
        for total in await inventory.aggregate(pipeline).to_list():
            print(f"  {total['_id']}: {total['qty']}")

        await inventory.delete_one({"item": "postcard"})
        print(await inventory.count_documents({}), "items left")
    finally:
        await client.close()


if __name__ == "__main__":
    asyncio.run(main())
