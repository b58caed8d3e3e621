"""The blog demo (examples/blog), driven over real HTTP.

Each test serves ``make_app`` on a loopback port of the test's own event loop, on the
test's Motor client (so once with MotorClient and once with AsyncIOMotorClient), in a
database of its own, and talks to it with Tornado's AsyncHTTPClient: forms are posted as
a browser posts them, multipart with the XSRF token from the ``_xsrf`` cookie.
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import gridfs
import pytest
import tornado.httpclient
import tornado.httpserver
import tornado.testing

pytest.importorskip("markdown", reason="the blog demo needs the markdown package")

from examples.blog import app as blog  # noqa: E402
from examples.blog import check as blog_check  # noqa: E402
from examples.blog import images  # noqa: E402
from examples.blog import server as blog_server  # noqa: E402

PER_PAGE = 5
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Served:
    """The blog on 127.0.0.1:<free port>, and an HTTP client for it that keeps the XSRF cookie."""

    def __init__(self, db, **settings):
        self.db = db
        app = blog.make_app(db, per_page=PER_PAGE, **settings)
        sock, port = tornado.testing.bind_unused_port()
        self.server = tornado.httpserver.HTTPServer(app)
        self.server.add_sockets([sock])
        self.base_url = f"http://127.0.0.1:{port}"
        self.http = tornado.httpclient.AsyncHTTPClient(force_instance=True)
        self.xsrf = None

    async def fetch(self, path, **kwargs):
        kwargs.setdefault("follow_redirects", False)
        if self.xsrf:
            kwargs.setdefault("headers", {}).setdefault("Cookie", f"_xsrf={self.xsrf}")
        return await self.http.fetch(
            self.base_url + path, raise_error=False, request_timeout=30, **kwargs
        )

    async def page(self, path, code=200):
        """The text of the page at ``path``, which must answer ``code``."""
        response = await self.fetch(path)
        assert response.code == code, (path, response.code, response.body[:500])
        return response.body.decode()

    async def token(self):
        if self.xsrf is None:
            response = await self.fetch("/admin/new")
            self.xsrf = blog_check.xsrf_cookie(response)
            assert self.xsrf
        return self.xsrf

    async def post(self, path, fields, files=(), xsrf=True):
        """POST a multipart form, as a browser does; returns the response."""
        fields = dict(fields)
        if xsrf:
            fields["_xsrf"] = await self.token()
        body, content_type = blog_check.multipart(fields, files)
        return await self.fetch(
            path, method="POST", body=body, headers={"Content-Type": content_type}
        )

    async def write(
        self, title, body="Some *text*.", action="publish", image=None, path="/admin/new"
    ):
        """Submit the post form; ``image`` is ``(file name, bytes)``. Returns the response."""
        files = [("image", image[0], "image/png", image[1])] if image else []
        return await self.post(path, {"title": title, "body": body, "action": action}, files)

    async def close(self):
        self.http.close()
        self.server.stop()
        await self.server.close_all_connections()


@pytest.fixture
def blog_db(client, sync_client):
    """A Motor database of the test's framework, empty at the start."""
    name = "motor_test_blog"
    sync_client.drop_database(name)
    yield client[name]
    sync_client.drop_database(name)


@pytest.fixture
def sync_db(sync_client, blog_db):
    return sync_client[blog_db.name]


@pytest.fixture
def served(framework, io_loop, blog_db):
    async def start():
        await blog.setup(blog_db)
        return Served(blog_db)  # on the running loop

    served = framework.run(io_loop, start)
    yield served
    framework.run(io_loop, served.close)


def titles(html):
    """The post titles on an index page, in page order."""
    return re.findall(r'<h2><a href="/post/[a-z0-9-]+">([^<]*)</a></h2>', html)


def cover_image(html):
    match = re.search(r'<img class="cover" src="/images/([^"]+)"', html)
    return match and match.group(1)


def post_id(html):
    return re.search(r'href="/admin/edit/([0-9a-f]{24})"', html).group(1)


PNG = images.motor_png(24, 16)


# -- pure functions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, safe",
    [
        ("/images/a.png", True),
        ("post/x", True),
        ("#top", True),
        ("?page=2", True),
        ("https://example.com/", True),
        ("HTTP://example.com/", True),
        ("mailto:a@b.c", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("javascript&colon;alert(1)", False),
        ("data:text/html,<b>", False),
        ("vbscript:x", False),
        ("/a:b", True),
        ("a/b:c", True),
        ("?q=a:b", True),
        ("javascript\\:alert(1)", False),
        ("x:y", False),
        (":x", False),
    ],
)
def test_safe_url(url, safe):
    assert blog.safe_url(url) is safe


def test_markdown_has_no_raw_html():
    out = blog.render_markdown(
        "<script>alert(1)</script>\n\nHi <b onclick=x>there</b> & <!-- c -->\n\n"
        "[link](javascript:alert(1)) [ok](https://example.com/) <a@b.c>\n\n"
        '![pic "1"](/images/a-1.png) ![bad](javascript:x)\n\n```\n<i>code</i>\n```'
    )
    assert "<script" not in out and "&lt;script&gt;" in out
    assert "<b" not in out and "&lt;b onclick=x&gt;" in out
    assert "<!--" not in out
    assert "javascript" not in out.lower()
    assert '<a href="https://example.com/">ok</a>' in out
    assert "&#109;&#97;&#105;&#108;&#116;&#111;&#58;" in out  # the obfuscated mailto: link stays
    assert '<img alt="pic &quot;1&quot;" src="/images/a-1.png"' in out
    assert "&lt;i&gt;code&lt;/i&gt;" in out


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript\\:alert(1))",  # a backslash-escaped colon
        "[x](&#106;avascript:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x]: javascript:alert(1)\n\n[y][x]",  # a reference link
        "<javascript:alert(1)>",
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    ],
)
def test_markdown_drops_script_urls(source):
    out = blog.render_markdown(source)
    assert "href=" not in out and "src=" not in out, out  # the URL is dropped
    assert "<script" not in out and "<svg" not in out, out


def test_image_urls_are_quoted():
    assert blog.image_url("a-1.png") == "/images/a-1.png"
    assert blog.image_url('x y"<>?#.png') == "/images/x%20y%22%3C%3E%3F%23.png"


def test_markdown_basics():
    out = blog.render_markdown("# Title\n\n*em* **strong** `code`\n\n* one\n* two")
    assert "<h1>Title</h1>" in out
    assert "<em>em</em> <strong>strong</strong> <code>code</code>" in out
    assert "<li>one</li>" in out


@pytest.mark.parametrize(
    "title, slug",
    [
        ("Hello, World!", "hello-world"),
        ("  Ünïcödé  café ", "unicode-cafe"),
        ("!!!", "post"),
        ("x" * 100, "x" * 60),
    ],
)
def test_slugify(title, slug):
    assert blog.slugify(title) == slug


def test_sniff_and_names():
    assert images.sniff(PNG) == ("png", "image/png")
    assert images.sniff(b"\xff\xd8\xff\xe0rest") == ("jpg", "image/jpeg")
    assert images.sniff(b"GIF89a...") == ("gif", "image/gif")
    assert images.sniff(b"RIFF\0\0\0\0WEBPVP8 ") == ("webp", "image/webp")
    assert images.sniff(b"<html><script>") is None
    assert images.sniff(b"<svg xmlns=...>") is None
    assert images.stored_name("My Holiday Photo.PNG", "png", "ab12") == "my-holiday-photo-ab12.png"
    assert images.stored_name("../../etc/x<y>.png", "png", "1") == "x-y-1.png"
    assert images.stored_name("C:\\pics\\..png", "jpg", "1") == "image-1.jpg"
    assert images.stored_name("", "gif", "1") == "image-1.gif"


# -- pages ----------------------------------------------------------------------------------


async def test_empty_blog(served):
    html = await served.page("/")
    assert "No posts yet" in html
    assert "Older posts" not in html and "Newer posts" not in html
    assert "No posts yet" in await served.page("/admin")


async def test_seed_publishes_a_welcome_post_once(served, blog_db):
    assert await blog.seed(blog_db) is True
    assert await blog.seed(blog_db) is False
    html = await served.page("/")
    assert titles(html) == [blog.WELCOME["title"]]
    assert 'href="/admin/images"' in html
    await served.page(f"/post/{blog.WELCOME['slug']}")


async def test_write_and_publish_a_post(served, sync_db):
    response = await served.write("Hello, <World> & co", "Some *Markdown* here.")
    assert response.code == 303
    assert response.headers["Location"] == "/post/hello-world-co"

    html = await served.page("/post/hello-world-co")
    assert "<h1>Hello, &lt;World&gt; &amp; co</h1>" in html
    assert "<p>Some <em>Markdown</em> here.</p>" in html
    assert cover_image(html) is None
    assert titles(await served.page("/")) == ["Hello, &lt;World&gt; &amp; co"]

    post = sync_db.posts.find_one()
    assert post["draft"] is False and post["image"] is None
    assert post["published"] == post["created"] == post["updated"]
    assert abs(
        post["published"] - datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    ) < datetime.timedelta(minutes=1)


async def test_edit_a_post(served, sync_db):
    await served.write("First title", "First body", action="publish")
    original = sync_db.posts.find_one()
    edit_path = f"/admin/edit/{original['_id']}"
    form = await served.page(edit_path)
    assert 'value="First title"' in form and ">First body</textarea>" in form
    assert "Update" in form  # it is published

    response = await served.write("Second title", "Second *body*", path=edit_path)
    assert response.code == 303
    assert response.headers["Location"] == "/post/first-title"  # the URL does not change
    html = await served.page("/post/first-title")
    assert "<h1>Second title</h1>" in html and "Second <em>body</em>" in html
    assert "First" not in html

    edited = sync_db.posts.find_one()
    assert sync_db.posts.count_documents({}) == 1
    assert edited["published"] == original["published"]  # first publication date kept
    assert edited["updated"] >= original["updated"]
    assert edited["slug"] == "first-title"


async def test_drafts_are_not_public(served, sync_db):
    await served.write("Public post", action="publish")
    response = await served.write("Secret draft", "Not *yet*.", action="draft")
    assert response.code == 303
    draft = sync_db.posts.find_one({"title": "Secret draft"})
    assert response.headers["Location"] == f"/admin/edit/{draft['_id']}?saved=1"
    assert draft["draft"] is True and draft["published"] is None

    assert titles(await served.page("/")) == ["Public post"]
    await served.page(f"/post/{draft['slug']}", code=404)
    admin = await served.page("/admin")
    assert "Secret draft" in admin and "Draft</span>" in admin

    form = await served.page(response.headers["Location"])
    assert "Draft saved" in form
    assert "Not <em>yet</em>." in form  # the preview

    # Publishing it puts it on the index, newest first.
    response = await served.write(
        "Secret draft", "Now *public*.", path=f"/admin/edit/{draft['_id']}"
    )
    assert response.headers["Location"] == f"/post/{draft['slug']}"
    assert titles(await served.page("/")) == ["Secret draft", "Public post"]
    # Unpublishing hides it again but keeps its first publication date.
    published = sync_db.posts.find_one({"_id": draft["_id"]})["published"]
    await served.write(
        "Secret draft", "Hidden.", action="draft", path=f"/admin/edit/{draft['_id']}"
    )
    assert titles(await served.page("/")) == ["Public post"]
    assert sync_db.posts.find_one({"_id": draft["_id"]})["published"] == published


async def test_paging(served, sync_db):
    start = datetime.datetime(2024, 1, 1)
    count = 2 * PER_PAGE + 2
    sync_db.posts.insert_many(
        [
            {
                "title": f"Post {i:02}",
                "slug": f"post-{i}",
                "body": f"Body {i}",
                "draft": False,
                "published": start + datetime.timedelta(days=i),
                "image": None,
            }
            for i in range(count)
        ]
        + [
            {
                "title": "A draft",
                "slug": "a-draft",
                "body": "",
                "draft": True,
                "published": start + datetime.timedelta(days=99),
                "image": None,
            }
        ]
    )
    newest_first = [f"Post {i:02}" for i in reversed(range(count))]

    page1 = await served.page("/")
    assert titles(page1) == newest_first[:PER_PAGE]
    assert 'href="/?page=2">Older posts' in page1 and "Newer posts" not in page1

    page2 = await served.page("/?page=2")
    assert titles(page2) == newest_first[PER_PAGE : 2 * PER_PAGE]
    assert 'href="/?page=3">Older posts' in page2 and 'href="/">&larr; Newer posts' in page2

    page3 = await served.page("/?page=3")
    assert titles(page3) == newest_first[2 * PER_PAGE :]
    assert "Older posts" not in page3 and 'href="/?page=2">&larr; Newer posts' in page3

    await served.page("/?page=4", code=404)
    await served.page("/?page=0", code=404)
    await served.page("/?page=x", code=400)


async def test_paging_exactly_one_page(served, sync_db):
    sync_db.posts.insert_many(
        [
            {
                "title": f"P{i}",
                "slug": f"p{i}",
                "body": "",
                "draft": False,
                "published": datetime.datetime(2024, 1, 1 + i),
            }
            for i in range(PER_PAGE)
        ]
    )
    html = await served.page("/")
    assert len(titles(html)) == PER_PAGE
    assert "Older posts" not in html


async def test_post_with_cover_image(served, sync_db, sync_client):
    response = await served.write("With a picture", "Look:", image=("Holiday Pic.png", PNG))
    assert response.code == 303
    html = await served.page(response.headers["Location"])
    name = cover_image(html)
    assert re.fullmatch(r"holiday-pic-[0-9a-f]{8}\.png", name)

    image = await served.fetch(f"/images/{name}")
    assert image.code == 200
    assert image.body == PNG
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Content-Length"] == str(len(PNG))
    # Stored in the "images" bucket, with its type.
    files = list(sync_db["images.files"].find())
    assert [f["filename"] for f in files] == [name]
    assert files[0]["metadata"] == {"contentType": "image/png", "originalName": "Holiday Pic.png"}
    bucket = gridfs.GridFSBucket(sync_db, "images")
    assert bucket.open_download_stream_by_name(name).read() == PNG

    # The edit form shows the image and the Markdown that puts it in the body.
    post = sync_db.posts.find_one()
    assert post["image"] == name
    form = await served.page(f"/admin/edit/{post['_id']}")
    assert f'<code id="image-markdown">![](/images/{name})</code>' in form

    # Which the author pastes into the body: the image shows inside the post.
    await served.write(
        "With a picture", f"Look: ![](/images/{name})", path=f"/admin/edit/{post['_id']}"
    )
    html = await served.page(response.headers["Location"])
    assert f'<img alt="" src="/images/{name}" />' in html
    assert cover_image(html) == name  # still the cover too

    # Removing the cover keeps the file (the body still uses it).
    await served.post(
        f"/admin/edit/{post['_id']}",
        {"title": "With a picture", "body": "No cover.", "action": "publish", "remove_image": "1"},
    )
    html = await served.page(response.headers["Location"])
    assert cover_image(html) is None
    assert sync_db.posts.find_one()["image"] is None
    assert (await served.fetch(f"/images/{name}")).code == 200


async def test_replacing_the_cover_image(served, sync_db):
    response = await served.write("Pics", image=("one.png", PNG))
    post = sync_db.posts.find_one()
    other = images.motor_png(8, 8)
    await served.write("Pics", image=("two.png", other), path=f"/admin/edit/{post['_id']}")
    name = cover_image(await served.page(response.headers["Location"]))
    assert name.startswith("two-")
    assert (await served.fetch(f"/images/{name}")).body == other


async def test_images_page_upload_list_delete(served, sync_db):
    assert "No images yet" in await served.page("/admin/images")
    response = await served.post("/admin/images", {}, [("image", "diagram.png", "image/png", PNG)])
    assert response.code == 303
    location = response.headers["Location"]
    name = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["uploaded"][0]
    assert name.startswith("diagram-") and name.endswith(".png")

    html = await served.page(location)
    assert f'<code id="uploaded-markdown">![](/images/{name})</code>' in html
    assert f'<img src="/images/{name}"' in html
    image = await served.fetch(f"/images/{name}")
    assert image.code == 200 and image.body == PNG

    file_id = sync_db["images.files"].find_one({"filename": name})["_id"]
    response = await served.post("/admin/images/delete", {"file_id": str(file_id)})
    assert response.code == 303 and response.headers["Location"] == "/admin/images"
    assert (await served.fetch(f"/images/{name}")).code == 404
    assert sync_db["images.files"].count_documents({}) == 0
    assert sync_db["images.chunks"].count_documents({}) == 0
    # Deleting it again, or a bad id, does no harm.
    assert (await served.post("/admin/images/delete", {"file_id": str(file_id)})).code == 303
    assert (await served.post("/admin/images/delete", {"file_id": "nope"})).code == 400


async def test_missing_image_is_404(served):
    for path in ["/images/no-such.png", "/images/", "/images/a/b.png"]:
        response = await served.fetch(path)
        assert response.code == 404, path


async def test_non_images_are_refused(served, sync_db):
    html_file = ("evil.png", b"<html><script>alert(1)</script></html>")
    response = await served.write("Sneaky", image=html_file)
    assert response.code == 400
    body = response.body.decode()
    assert "not a PNG, JPEG, GIF or WebP image" in body
    assert 'value="Sneaky"' in body  # the form keeps what was typed
    assert sync_db.posts.count_documents({}) == 0
    response = await served.post(
        "/admin/images", {}, [("image", "x.svg", "image/svg+xml", b"<svg/>")]
    )
    assert response.code == 400
    assert sync_db["images.files"].count_documents({}) == 0
    response = await served.post("/admin/images", {})
    assert response.code == 400 and "Choose an image file" in response.body.decode()


async def test_form_validation(served, sync_db):
    for fields, message in [
        ({"title": "  ", "body": "x", "action": "publish"}, "needs a title"),
        ({"title": "x" * 201, "body": "x", "action": "publish"}, "title is longer"),
        ({"title": "T", "body": "x" * (blog.MAX_BODY + 1), "action": "publish"}, "body is longer"),
        ({"title": "T", "body": "x", "action": "explode"}, "Choose Save draft or Publish"),
    ]:
        response = await served.post("/admin/new", fields)
        assert response.code == 400
        assert message in response.body.decode()
    assert sync_db.posts.count_documents({}) == 0


async def test_user_content_is_escaped(served):
    title = '<img src=x onerror="alert(1)">'
    body = "<script>alert(2)</script>\n\n[click](javascript:alert(3)) <b>bold?</b>"
    response = await served.write(title, body)
    for path in [response.headers["Location"], "/", "/admin"]:
        html = await served.page(path)
        assert "<img src=x" not in html and "<script>alert" not in html, path
        assert "javascript:" not in html and "<b>bold?</b>" not in html, path
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html, path


async def test_forms_need_the_xsrf_token(served, sync_db):
    response = await served.post("/admin/new", {"title": "T", "action": "publish"}, xsrf=False)
    assert response.code == 403
    served.xsrf = "forged"
    response = await served.post("/admin/new", {"title": "T", "action": "publish"}, xsrf=False)
    assert response.code == 403
    assert sync_db.posts.count_documents({}) == 0


async def test_same_titles_get_different_slugs(served, sync_db):
    locations = []
    for _ in range(3):
        response = await served.write("Same title")
        locations.append(response.headers["Location"])
    assert locations == ["/post/same-title", "/post/same-title-2", "/post/same-title-3"]
    for location in locations:
        await served.page(location)


async def test_delete_a_post(served, sync_db):
    response = await served.write("Short-lived")
    html = await served.page(response.headers["Location"])
    response = await served.post(f"/admin/delete/{post_id(html)}", {})
    assert response.code == 303 and response.headers["Location"] == "/admin"
    assert sync_db.posts.count_documents({}) == 0
    await served.page("/post/short-lived", code=404)


async def test_unknown_pages_are_404(served):
    for path in ["/post/nope", "/admin/edit/0123456789abcdef01234567", "/nope", "/post/UPPER"]:
        response = await served.fetch(path)
        assert response.code == 404, path
    assert "404: No such post" in (await served.fetch("/post/nope")).body.decode()


# -- --check and the command line -------------------------------------------------------------


async def test_check_passes_and_cleans_up(served, blog_db, sync_db, capsys):
    await blog.seed(blog_db)
    assert await blog_check.check(served.base_url + "/", blog_db) is True
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8
    assert all(line.startswith("ok ") for line in lines), lines
    assert [p["title"] for p in sync_db.posts.find()] == [blog.WELCOME["title"]]
    assert sync_db["images.files"].count_documents({}) == 0
    assert sync_db["images.chunks"].count_documents({}) == 0


async def test_check_reports_failures(blog_db, capsys):
    served = Served(blog_db)
    try:
        served.server.stop()  # nobody listens any more
        assert await blog_check.check(served.base_url + "/", blog_db) is False
    finally:
        await served.close()
    lines = capsys.readouterr().out.splitlines()
    assert lines and lines[0].startswith("FAIL GET  /admin/new"), lines


def test_main_check_on_the_test_deployment(deployment, sync_client, capsys):
    database = "motor_test_blog_main"
    sync_client.drop_database(database)
    try:
        code = blog_server.main(
            ["--check", "--mongodb-uri", deployment.uri, "--database", database]
        )
        out = capsys.readouterr().out
        assert code == 0, out
        assert out.splitlines()[-1] == "blog check passed"
        # The welcome post was published; the check's own post and image were removed.
        db = sync_client[database]
        assert [p["slug"] for p in db.posts.find()] == [blog.WELCOME["slug"]]
        assert db["images.files"].count_documents({}) == 0
        assert "slug_1" in db.posts.index_information()
    finally:
        sync_client.drop_database(database)


def _mongod_available():
    from test import mongod

    try:
        mongod.find_mongod()
    except RuntimeError as exc:
        pytest.skip(str(exc))


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serves_until_a_signal_and_stops_its_mongod(tmp_path, stop_signal):
    """``python -m examples.blog`` in a process of its own: serve, then stop on the signal."""
    _mongod_available()
    from test.mongod import free_port

    port = free_port()
    dbpath = tmp_path / "blog-data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "examples.blog", "--port", str(port), "--dbpath", str(dbpath)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out = []
    try:
        deadline = time.monotonic() + 90
        for line in proc.stdout:
            out.append(line)
            if line.startswith("Serving the blog at"):
                break
            assert time.monotonic() < deadline, out
        assert out and out[-1].startswith(f"Serving the blog at http://127.0.0.1:{port}/"), out
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            assert response.status == 200
            assert blog.WELCOME["title"] in response.read().decode()
        proc.send_signal(stop_signal)
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = "".join(out) + rest
    assert proc.returncode == 0, out
    pid = int(re.search(r"Started mongod \(PID (\d+)\)", out).group(1))
    assert f"Stopped mongod (PID {pid})" in out
    assert "Traceback" not in out, out
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert (dbpath / "mongod.log").exists()  # the data folder is kept
