"""Serve files from GridFS with Tornado: ``motor.web.GridFSHandler``.

Run it with ``python tornado_gridfs.py``, then open
http://localhost:8888/fs/hello.txt.
"""

import asyncio

import tornado.web

import motor.motor_tornado
import motor.web


async def main():
    client = motor.motor_tornado.MotorClient("mongodb://localhost:27017")
    db = client.test_database

    # A file to serve. Each run stores a new revision; the newest is served.
    bucket = motor.motor_tornado.MotorGridFSBucket(db)
    await bucket.upload_from_stream("hello.txt", b"Hello from GridFS!\n")

    # The pattern's group is the file name: /fs/hello.txt is "hello.txt".
    handlers = [(r"/fs/(.*)", motor.web.GridFSHandler, {"database": db})]
    app = tornado.web.Application(handlers)
    app.listen(8888)
    print("Serving http://localhost:8888/fs/hello.txt")
    try:
        await asyncio.Event().wait()
    finally:
        await client.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
