"""``--check``: use the running blog once over real HTTP, as a browser would.

It writes a post with a cover image through the admin form (a multipart POST with the
form's XSRF token), reads the index, the post's page and the image, checks that a missing
image is a 404, deletes the post through the admin page and checks that it is gone. One
line per step; anything it created is removed again at the end, even after a failure.
"""

import http.cookies
import re
import urllib.parse
import uuid

import tornado.httpclient

from examples.blog import app as blog
from examples.blog import images


def multipart(fields, files=()):
    """The body and Content-Type of a ``multipart/form-data`` request.

    ``fields``: ``{name: str}``; ``files``: ``[(field name, file name, content type, bytes)]``.
    """
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
        )
    for name, filename, content_type, data in files:
        parts.append(
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def xsrf_cookie(response):
    """The ``_xsrf`` cookie a response set, or None."""
    for header in response.headers.get_list("Set-Cookie"):
        cookie = http.cookies.SimpleCookie(header)
        if "_xsrf" in cookie:
            return cookie["_xsrf"].value
    return None


class Steps:
    """Requests against ``base_url``, printing one line per request."""

    def __init__(self, base_url):
        self.base_url = base_url.rstrip("/")
        self.http = tornado.httpclient.AsyncHTTPClient(force_instance=True)
        self.passed = True

    async def run(self, method, path, code, check=None, **kwargs):
        """Request ``path``; it passes if the status is ``code`` and ``check(response)``
        returns a true description. Returns the response if it passed, else None."""
        response, good = None, False
        try:
            # raise_error=False returns HTTP errors as responses; a refused connection
            # or a timeout still raises.
            response = await self.http.fetch(
                self.base_url + path,
                method=method,
                raise_error=False,
                follow_redirects=False,
                request_timeout=30,
                **kwargs,
            )
        except Exception as exc:
            detail = repr(exc)
        else:
            good = response.code == code
            detail = str(response.code)
            if not good:
                detail += f", expected {code}"
            elif check is not None:
                try:
                    found = check(response)
                except Exception as exc:
                    found = f"error {exc!r}"
                    good = False
                else:
                    good = bool(found)
                detail += f" ({found if good else found or 'unexpected content'})"
        print(f"{'ok  ' if good else 'FAIL'} {method:4} {path} -> {detail}", flush=True)
        self.passed = self.passed and good
        return response if good else None

    def close(self):
        self.http.close()


def body_text(response):
    return response.body.decode(errors="replace")


async def check(base_url, db, bucket_name=blog.BUCKET):
    """Exercise the blog at ``base_url`` (which keeps its data in ``db``); True if all passed."""
    token = uuid.uuid4().hex[:10]
    title = f"Motor check {token}"
    png = images.motor_png()
    steps = Steps(base_url)
    try:
        form = await steps.run(
            "GET",
            "/admin/new",
            200,
            lambda r: xsrf_cookie(r) and "<form" in body_text(r) and "form with XSRF token",
        )
        if form is None:
            return False
        xsrf = xsrf_cookie(form)
        body, content_type = multipart(
            {"_xsrf": xsrf, "title": title, "body": f"Checked *{token}*.", "action": "publish"},
            [("image", f"motor-check-{token}.png", "image/png", png)],
        )
        created = await steps.run(
            "POST",
            "/admin/new",
            303,
            lambda r: (
                r.headers.get("Location", "").startswith("/post/")
                and "redirect to " + r.headers["Location"]
            ),
            body=body,
            headers={"Content-Type": content_type, "Cookie": f"_xsrf={xsrf}"},
        )
        if created is None:
            return False
        post_path = created.headers["Location"]
        await steps.run("GET", "/", 200, lambda r: title in body_text(r) and "post listed")
        page = await steps.run(
            "GET",
            post_path,
            200,
            lambda r: (
                title in body_text(r)
                and re.search(r'<img class="cover" src="/images/[^"]+"', body_text(r))
                and f"<em>{token}</em>" in body_text(r)
                and "title, Markdown body and cover image"
            ),
        )
        if page is None:
            return False
        image_path = re.search(r'<img class="cover" src="(/images/[^"]+)"', body_text(page)).group(
            1
        )
        await steps.run(
            "GET",
            image_path,
            200,
            lambda r: (
                r.body == png
                and r.headers.get("Content-Type") == "image/png"
                and f"{len(r.body)} bytes of image/png from GridFS"
            ),
        )
        await steps.run("GET", "/images/no-such-image.png", 404)
        post_id = re.search(r'href="/admin/edit/([0-9a-f]{24})"', body_text(page)).group(1)
        await steps.run(
            "POST",
            f"/admin/delete/{post_id}",
            303,
            lambda r: r.headers.get("Location") == "/admin" and "deleted",
            body=urllib.parse.urlencode({"_xsrf": xsrf}),
            headers={"Cookie": f"_xsrf={xsrf}"},
        )
        await steps.run("GET", post_path, 404)
        return steps.passed
    finally:
        steps.close()
        await cleanup(db, bucket_name, title, token)


async def cleanup(db, bucket_name, title, token):
    """Remove the check's post and image, if they are still there."""
    await db[blog.POSTS].delete_many({"title": title})
    bucket = blog.bucket_for(db, bucket_name)
    cursor = bucket.find({"filename": {"$regex": f"^motor-check-{token}-"}})
    async for grid_out in cursor:
        await bucket.delete(grid_out._id)
