"""Serve files from GridFS with aiohttp: ``motor.aiohttp.AIOHTTPGridFS``.

Needs aiohttp (``pip install aiohttp``). Run it with
``python aiohttp_gridfs.py``, then open http://localhost:8888/fs/hello.txt.
"""

import asyncio

from aiohttp import web

from motor.aiohttp import AIOHTTPGridFS
from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorGridFSBucket


async def main():
    client = AsyncIOMotorClient("mongodb://localhost:27017")
    db = client.test_database

    # A file to serve. Each run stores a new revision; the newest is served.
    bucket = AsyncIOMotorGridFSBucket(db)
    await bucket.upload_from_stream("hello.txt", b"Hello from GridFS!\n")

    app = web.Application()
    handler = AIOHTTPGridFS(db)
    # The route needs a {filename} part: /fs/hello.txt serves "hello.txt".
    # A GET route answers HEAD requests too.
    app.router.add_get("/fs/{filename}", handler)

    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "localhost", 8888).start()
    print("Serving http://localhost:8888/fs/hello.txt")
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await client.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
