"""The blog demo end to end in a real headless Chromium, driven by Playwright.

``python -m examples.blog`` runs in a process of its own on the test deployment; the
browser opens the admin form, writes a post with a cover image (a PNG made here),
publishes it, reads the public page, checks that the image loaded and came from GridFS
through ``motor.web.GridFSHandler``, pastes the image's Markdown snippet into the body,
and saves a screenshot (its path is printed).

Needs Playwright's Python package and Debian's ``chromium`` at /usr/bin/chromium
(``MOTOR_CHROMIUM`` names another binary); ``playwright install`` is not used. Without
them the test is skipped, unless ``MOTOR_BROWSER_TEST=required`` (set by
``python3 -m tox -e browser``, which installs both), when it fails instead.
"""

import importlib.util
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import gridfs
import pytest

from motor.web._http import hash_gridout

CHROMIUM = os.environ.get("MOTOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRED = os.environ.get("MOTOR_BROWSER_TEST") == "required"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATABASE = "motor_test_blog_browser"
WIDTH, HEIGHT = 160, 90  # of the test's PNG


def _missing():
    """Why the browser test cannot run here ("" if it can)."""
    problems = []
    if importlib.util.find_spec("playwright") is None:
        problems.append("Playwright's Python package is not installed (pip install playwright)")
    if not os.access(CHROMIUM, os.X_OK):
        problems.append(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if importlib.util.find_spec("markdown") is None:
        problems.append("the markdown package is not installed")
    return "; ".join(problems)


MISSING = _missing()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(MISSING) and not REQUIRED,
        reason=f"browser test: {MISSING}; python3 -m tox -e browser installs what it needs",
    ),
]


def make_png():
    """A PNG of WIDTH x HEIGHT: Motor-green and white stripes."""
    from examples.blog.images import make_png

    return make_png(
        WIDTH,
        HEIGHT,
        lambda x, y: (19, 170, 82) if (x // 20 + y // 15) % 2 else (255, 255, 255),
    )


class BlogProcess:
    """``python -m examples.blog --mongodb-uri <the test deployment>`` in a child process."""

    def __init__(self, uri):
        from test.mongod import free_port

        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "examples.blog",
                "--mongodb-uri",
                uri,
                "--database",
                DATABASE,
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = []
        deadline = time.monotonic() + 60
        for line in self.proc.stdout:
            self.output.append(line)
            if line.startswith("Serving the blog at"):
                break
            if time.monotonic() > deadline:
                break
        if not self.output or not self.output[-1].startswith("Serving the blog at"):
            self.stop()
            pytest.fail("the blog did not start:\n" + "".join(self.output))
        self.base_url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        """Ctrl-C it; return its exit status and everything it printed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            rest, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rest, _ = self.proc.communicate()
        return self.proc.returncode, "".join(self.output) + (rest or "")


@pytest.fixture
def chromium():
    """The Chromium binary; fails the test at once when it cannot run (see REQUIRED)."""
    if MISSING:
        pytest.fail(f"MOTOR_BROWSER_TEST=required, but: {MISSING}")
    return CHROMIUM


@pytest.fixture
def blog_database(sync_client):
    sync_client.drop_database(DATABASE)
    yield sync_client[DATABASE]
    sync_client.drop_database(DATABASE)


def wait_loaded(page, selector):
    """Wait until the image ``selector`` has loaded; return its natural size."""
    image = page.locator(selector).first
    image.wait_for(state="attached")
    handle = image.element_handle()
    page.wait_for_function("img => img.complete", arg=handle)
    return handle.evaluate("img => [img.naturalWidth, img.naturalHeight]")


def test_blog_in_chromium(chromium, deployment, blog_database, tmp_path, capsys):
    from playwright.sync_api import sync_playwright

    png = make_png()
    png_path = tmp_path / "Browser Test Picture.png"
    png_path.write_bytes(png)
    shots = tempfile.mkdtemp(prefix="motor-blog-screenshot-")
    title = "Hello from Chromium"

    blog = BlogProcess(deployment.uri)
    stopped = None
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),  # a fresh user-data dir
                executable_path=chromium,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1000, "height": 800},
            )
            try:
                context.set_default_timeout(30_000)
                page = context.new_page()
                responses = []
                page.on("response", lambda response: responses.append(response))

                # The admin form: a title, a Markdown body, a cover image; publish.
                page.goto(blog.base_url + "/admin/new")
                page.fill("#title", title)
                page.fill("#body", "Written in a **real browser**.\n\n<b>not bold</b>")
                page.set_input_files("#image", str(png_path))
                with page.expect_navigation():
                    page.click("#publish")
                assert re.fullmatch(
                    re.escape(blog.base_url) + r"/post/hello-from-chromium", page.url
                )

                # The public page: the post, with its cover image loaded from /images/.
                assert page.locator("h1").inner_text() == title
                assert page.locator("article strong").inner_text() == "real browser"
                assert "<b>not bold</b>" in page.locator("article").inner_text()  # as text
                assert wait_loaded(page, "img.cover") == [WIDTH, HEIGHT]
                src = page.locator("img.cover").get_attribute("src")
                name = re.fullmatch(r"/images/(browser-test-picture-[0-9a-f]{8}\.png)", src).group(
                    1
                )
                served = [r for r in responses if r.url == f"{blog.base_url}/images/{name}"]
                assert served, [r.url for r in responses]
                image = served[-1]
                assert image.status == 200
                assert image.header_value("content-type") == "image/png"
                assert image.body() == png
                # GridFSHandler's ETag is Motor 3's hash of the GridFS file's _id, length
                # and upload date: the bytes came from the file stored in "images".
                stored = blog_database["images.files"].find_one({"filename": name})
                assert stored is not None and stored["length"] == len(png)
                bucket = gridfs.GridFSBucket(blog_database, "images")
                grid_out = bucket.open_download_stream_by_name(name)
                assert image.header_value("etag") == f'"{hash_gridout(grid_out)}"'
                assert grid_out._id == stored["_id"] and grid_out.read() == png

                # Use the image in the body too: the edit form shows its Markdown snippet.
                with page.expect_navigation():
                    page.click("a:text-is('Edit')")
                snippet = page.locator("#image-markdown").inner_text()
                assert snippet == f"![]({src})"
                page.fill(
                    "#body", page.input_value("#body") + "\n\nAnd again, inline:\n\n" + snippet
                )
                edit_screenshot = os.path.join(shots, "blog-edit-form.png")
                page.screenshot(path=edit_screenshot, full_page=True)
                with page.expect_navigation():
                    page.click("#publish")
                assert wait_loaded(page, f'article p img[src="{src}"]') == [WIDTH, HEIGHT]

                # The index lists it, image and all.
                page.goto(blog.base_url + "/")
                assert page.locator("article h2").first.inner_text() == title
                assert wait_loaded(page, "article img.cover") == [WIDTH, HEIGHT]

                page.goto(blog.base_url + "/post/hello-from-chromium")
                wait_loaded(page, "img.cover")
                screenshot = os.path.join(shots, "blog-post.png")
                page.screenshot(path=screenshot, full_page=True)
            finally:
                context.close()
        with capsys.disabled():
            print(f"\nscreenshot of the blog post in Chromium: {screenshot}", flush=True)
            print(f"screenshot of its edit form: {edit_screenshot}", flush=True)
        assert os.path.getsize(screenshot) > 1000 and os.path.getsize(edit_screenshot) > 1000
    finally:
        stopped = blog.stop()
    code, output = stopped
    assert code == 0, output
    assert "Traceback" not in output, output
    # The server logged the browser's requests, the image among them.
    assert re.search(rf"200 GET /images/{re.escape(name)} ", output), output
