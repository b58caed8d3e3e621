"""The Tornado example app (examples/tornado_app.py), driven over real HTTP.

Each test serves ``make_app`` on a loopback port of the test's own event loop, with the
test's Motor client and collection, and requests pages with Tornado's AsyncHTTPClient.
Like every test with a loop, each runs once per framework: with MotorClient, and with
AsyncIOMotorClient inside the same Tornado handlers (Tornado runs on asyncio).
"""

import os
import urllib.parse

import pytest
import tornado.escape
import tornado.httpclient
import tornado.httpserver
import tornado.testing

from examples import tornado_app

PAGES = ["/fetch_next", "/async_for", "/callbacks"]


class Served:
    """The example app on 127.0.0.1:<free port>, and an HTTP client for it."""

    def __init__(self, client, coll):
        app = tornado_app.make_app(client, database=coll.database.name, collection=coll.name)
        sock, port = tornado.testing.bind_unused_port()
        self.server = tornado.httpserver.HTTPServer(app)
        self.server.add_sockets([sock])
        self.base_url = f"http://127.0.0.1:{port}"
        self.http = tornado.httpclient.AsyncHTTPClient(force_instance=True)

    async def fetch(self, path, **kwargs):
        kwargs.setdefault("follow_redirects", False)
        return await self.http.fetch(
            self.base_url + path, raise_error=False, request_timeout=30, **kwargs
        )

    async def post(self, **fields):
        return await self.fetch("/", method="POST", body=urllib.parse.urlencode(fields))

    async def close(self):
        self.http.close()
        self.server.stop()
        await self.server.close_all_connections()


@pytest.fixture
def served(framework, io_loop, client, coll):
    async def start():
        return Served(client, coll)  # on the running loop

    served = framework.run(io_loop, start)
    yield served
    framework.run(io_loop, served.close)


def listed(body):
    """The message texts of a listing page, in page order, unescaped."""
    html = body.decode()
    items = html.split("<ul>", 1)[1].split("</ul>", 1)[0]
    return [
        tornado.escape.xhtml_unescape(line.strip()[len("<li>") : -len("</li>")])
        for line in items.strip().splitlines()
        if line.strip()
    ]


async def test_seed_fills_an_empty_collection_once(coll):
    assert await tornado_app.seed(coll) == len(tornado_app.SEED)
    assert await tornado_app.seed(coll) == 0
    assert await coll.count_documents({}) == len(tornado_app.SEED)


async def test_index_page(served):
    response = await served.fetch("/")
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    body = response.body.decode()
    assert "Motor message board" in body
    for path in PAGES:
        assert f'href="{path}"' in body
    assert "<ul>" not in body  # the index lists no messages


@pytest.mark.parametrize("path", PAGES)
async def test_listing_pages_show_newest_first(served, coll, path):
    await tornado_app.seed(coll)
    response = await served.fetch(path)
    assert response.code == 200
    assert listed(response.body) == list(reversed(tornado_app.SEED))
    assert f"{len(tornado_app.SEED)} message(s)" in response.body.decode()


@pytest.mark.parametrize("path", PAGES)
async def test_listing_pages_on_empty_collection(served, path):
    response = await served.fetch(path)
    assert response.code == 200
    assert listed(response.body) == []


@pytest.mark.parametrize("path", PAGES)
async def test_listing_pages_stop_at_limit(served, coll, path):
    count = tornado_app.LIMIT + 5
    await coll.insert_many([{"_id": i, "text": f"message {i}"} for i in range(count)])
    response = await served.fetch(path)
    assert response.code == 200
    expected = [f"message {i}" for i in reversed(range(count))][: tornado_app.LIMIT]
    assert listed(response.body) == expected


async def test_all_styles_agree(served, coll):
    await coll.insert_many([{"text": f"<m{i}> & 'quoted'"} for i in range(7)])
    bodies = [listed((await served.fetch(path)).body) for path in PAGES]
    assert bodies[0] == bodies[1] == bodies[2]
    assert len(bodies[0]) == 7
    raw = (await served.fetch("/callbacks")).body.decode()
    assert "<m6>" not in raw and "&lt;m6&gt;" in raw  # escaped


@pytest.mark.parametrize("path", PAGES)
async def test_post_inserts_and_redirects_back(served, coll, path):
    await tornado_app.seed(coll)
    text = f"posted <b>to</b> {path} & more"
    response = await served.post(text=f"  {text}  ", next=path)
    assert response.code == 302
    assert response.headers["Location"] == path
    assert await coll.count_documents({"text": text}) == 1

    page = await served.fetch(path)
    assert page.code == 200
    assert listed(page.body)[0] == text  # newest first
    assert len(listed(page.body)) == len(tornado_app.SEED) + 1


async def test_post_follows_redirect(served, coll):
    response = await served.fetch(
        "/",
        method="POST",
        follow_redirects=True,
        body=urllib.parse.urlencode({"text": "followed", "next": "/fetch_next"}),
    )
    assert response.code == 200
    assert response.effective_url.endswith("/fetch_next")
    assert listed(response.body) == ["followed"]


async def test_post_redirect_target_is_checked(served, coll):
    response = await served.post(text="hello", next="https://example.com/")
    assert response.code == 302
    assert response.headers["Location"] == "/"
    response = await served.post(text="hello again")
    assert response.headers["Location"] == "/"
    assert await coll.count_documents({}) == 2


async def test_post_truncates_long_messages(served, coll):
    response = await served.post(text="x" * (tornado_app.MAX_LENGTH + 50))
    assert response.code == 302
    doc = await coll.find_one()
    assert doc["text"] == "x" * tornado_app.MAX_LENGTH


@pytest.mark.parametrize("fields", [{"text": "   "}, {"next": "/async_for"}])
async def test_post_rejects_empty_or_missing_text(served, coll, fields):
    response = await served.post(**fields)
    assert response.code == 400
    assert await coll.count_documents({}) == 0


@pytest.mark.parametrize("path", PAGES)
async def test_listing_error_is_a_500(framework, coll, path):
    # Nothing listens on port 1: server selection fails, and so does every style.
    dead = framework.client_class()("mongodb://127.0.0.1:1/", serverSelectionTimeoutMS=100)
    served = Served(dead, coll)
    try:
        response = await served.fetch(path)
        assert response.code == 500
        response = await served.fetch("/")
        assert response.code == 200  # the app goes on serving
    finally:
        await served.close()
        await dead.close()


async def test_check_passes_and_cleans_up(served, coll, capsys):
    await tornado_app.seed(coll)
    assert await tornado_app.check(served.base_url + "/", coll) is True
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + len(PAGES)
    assert all(line.startswith("ok ") for line in lines), lines
    # The message the check posted was removed again.
    assert await coll.count_documents({}) == len(tornado_app.SEED)


async def test_check_reports_failures(client, coll, capsys):
    served = Served(client, coll)
    try:
        # Nobody listens any more: every request fails, and the check must say so.
        served.server.stop()
        assert await tornado_app.check(served.base_url + "/", coll) is False
    finally:
        await served.close()
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith("FAIL") for line in lines), lines


def test_main_check_on_the_test_deployment(deployment, sync_client, capsys):
    database = "motor_test_example_main"
    sync_client.drop_database(database)
    try:
        code = tornado_app.main(
            ["--check", "--mongodb-uri", deployment.uri, "--database", database]
        )
        out = capsys.readouterr().out
        assert code == 0, out
        assert out.splitlines()[-1] == "demo check passed"
        # Seeded once; the check's own message was removed.
        texts = [d["text"] for d in sync_client[database].messages.find()]
        assert sorted(texts) == sorted(tornado_app.SEED)
    finally:
        sync_client.drop_database(database)


def test_main_starts_and_stops_its_own_mongod(tmp_path, capsys):
    from test import mongod

    try:
        mongod.find_mongod()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    dbpath = tmp_path / "demo-data"
    for run in range(2):
        code = tornado_app.main(["--check", "--dbpath", str(dbpath)])
        out = capsys.readouterr().out
        assert code == 0, out
        assert ("Seeded" in out) == (run == 0)  # data kept between runs
        started = [line for line in out.splitlines() if line.startswith("Started mongod")]
        pid = int(started[0].split("PID ")[1].split(")")[0])
        assert f"Stopped mongod (PID {pid})" in out
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert (dbpath / "mongod.log").exists()
