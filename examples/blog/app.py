"""The blog application: ``make_app(db)`` builds it around any Motor database.

Pages (``/admin`` pages have no login: the server listens on 127.0.0.1 only)::

    /                       published posts, newest first, PER_PAGE a page (?page=2 ...)
    /post/<slug>            one published post
    /images/<name>          an image from GridFS, served by motor.web.GridFSHandler
    /admin                  every post, drafts too, with links to edit them
    /admin/new              the form that writes a post (GET) and saves it (POST)
    /admin/edit/<id>        the same form for an existing post, with a preview
    /admin/delete/<id>      POST: delete a post
    /admin/images           upload images into GridFS, see their Markdown snippets

A post is a document in the ``posts`` collection::

    {"_id": ObjectId, "slug": "hello-world", "title": str, "body": Markdown source,
     "draft": bool, "published": datetime or None, "created": datetime,
     "updated": datetime, "image": name of the cover image in GridFS, or None}

Images are files of the GridFS bucket ``images`` (collections ``images.files`` and
``images.chunks``), stored with ``MotorGridFSBucket.upload_from_stream`` under a name that
is also their URL: ``/images/<name>``. The post form takes an optional cover image, shown
above the post, and shows the Markdown to place it in the body as well: ``![](/images/<name>)``.

Markdown is rendered with raw HTML disabled (``<b>`` in a post shows as text) and only
http(s), mailto and relative URLs kept in links and images; Tornado's templates escape
everything else.
"""

import datetime
import html
import os
import re
import secrets
import unicodedata
import urllib.parse

import bson
import bson.errors
import markdown
import markdown.treeprocessors
import markdown.util
import pymongo
import tornado.web
from gridfs.errors import NoFile
from pymongo.errors import DuplicateKeyError

import motor.web
from examples.blog import images

POSTS = "posts"  # the collection of posts
BUCKET = "images"  # the GridFS bucket of images
PER_PAGE = 5  # posts on a page of the index
MAX_PAGE = 100_000
MAX_TITLE = 200  # characters
MAX_BODY = 100_000  # characters of Markdown
MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_LIST_LIMIT = 200  # images listed on /admin/images
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

WELCOME = {
    "title": "Welcome to the Motor blog",
    "slug": "welcome-to-the-motor-blog",
    "body": """\
This blog runs on **Tornado** and **Motor**: every page you see was read from MongoDB
without blocking the server.

* Write a post in the [admin pages](/admin): the body is *Markdown*.
* Save it as a draft first (drafts are not on the index), publish it when it is ready.
* Give it a cover image, or upload images on the [images page](/admin/images) and paste
  the Markdown snippet shown there into a post, like `![](/images/<name>)`.

Images are stored in GridFS and served by `motor.web.GridFSHandler`.
""",
}


# -- Markdown ------------------------------------------------------------------------------

SAFE_SCHEMES = {"http", "https", "mailto"}


def safe_url(url):
    """True for a relative URL or one with a scheme in SAFE_SCHEMES; when in doubt, False."""
    # Markdown stands "&" in obfuscated mailto links for AMP_SUBSTITUTE until it serialises,
    # and (before Markdown 3.4) a backslash-escaped character for STX <code> ETX.
    url = url.replace(markdown.util.AMP_SUBSTITUTE, "&")
    url = re.sub(
        re.escape(markdown.util.STX) + r"(\d+)" + re.escape(markdown.util.ETX),
        lambda match: chr(int(match.group(1))),
        url,
    )
    url = html.unescape(url)
    # Browsers ignore whitespace and control characters in a scheme ("java\tscript:").
    url = "".join(c for c in url if ord(c) > 0x20 and ord(c) != 0x7F).lower()
    # A colon before any "/", "?" or "#" ends a scheme (or something posing as one).
    head = re.split(r"[/?#]", url, maxsplit=1)[0]
    return ":" not in head or head.split(":", 1)[0] in SAFE_SCHEMES


class _DropUnsafeUrls(markdown.treeprocessors.Treeprocessor):
    def run(self, root):
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not safe_url(value):
                    del element.attrib[attribute]


class NoRawHtml(markdown.Extension):
    """Markdown without raw HTML: tags in the source are escaped and shown as text."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # After every other tree processor, "unescape" (priority 0) included.
        md.treeprocessors.register(_DropUnsafeUrls(md), "drop_unsafe_urls", -10)


def render_markdown(text):
    """The HTML of Markdown ``text``, safe to insert in a page unescaped."""
    return markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists", NoRawHtml()])


# -- helpers -------------------------------------------------------------------------------


def utcnow():
    """Now, in UTC, to the millisecond that MongoDB keeps."""
    now = datetime.datetime.now(datetime.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000, tzinfo=None)


def slugify(title):
    """``"Hello, Wörld!"`` -> ``"hello-world"``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-") or "post"


def format_date(value):
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def image_url(name):
    """The URL of the GridFS image ``name`` (our names need no quoting; others might)."""
    return "/images/" + urllib.parse.quote(name)


def image_markdown(name):
    return f"![]({image_url(name)})"


class UploadError(ValueError):
    """An uploaded file that is not an image we take."""


def bucket_for(db, bucket_name):
    """A GridFS bucket of the framework ``db`` belongs to (Tornado or asyncio)."""
    from motor import motor_asyncio, motor_tornado

    if isinstance(db, motor_asyncio.AsyncIOMotorDatabase):
        return motor_asyncio.AsyncIOMotorGridFSBucket(db, bucket_name=bucket_name)
    return motor_tornado.MotorGridFSBucket(db, bucket_name=bucket_name)


async def store_image(bucket, upload):
    """Store a Tornado upload (``{"filename", "body", "content_type"}``) in GridFS.

    Returns the new file's name; raises UploadError if it is not a PNG, JPEG, GIF or WebP
    image or is too big.
    """
    data = upload["body"]
    if len(data) > MAX_IMAGE_BYTES:
        raise UploadError(f"the image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    kind = images.sniff(data)
    if kind is None:
        raise UploadError("that file is not a PNG, JPEG, GIF or WebP image")
    extension, content_type = kind
    original = upload.get("filename") or "image"
    name = images.stored_name(original, extension, secrets.token_hex(4))
    await bucket.upload_from_stream(
        name, data, metadata={"contentType": content_type, "originalName": original[:200]}
    )
    return name


# -- handlers ------------------------------------------------------------------------------


class BaseHandler(tornado.web.RequestHandler):
    @property
    def db(self):
        return self.settings["blog_db"]

    @property
    def posts(self):
        """The Motor collection of posts."""
        return self.db[POSTS]

    @property
    def bucket(self):
        """The MotorGridFSBucket of images."""
        return self.settings["blog_images"]

    def get_template_namespace(self):
        namespace = super().get_template_namespace()
        namespace.update(
            format_date=format_date,
            image_url=image_url,
            image_markdown=image_markdown,
            render_markdown=render_markdown,
        )
        return namespace

    def write_error(self, status_code, **kwargs):
        if self.settings.get("serve_traceback") and "exc_info" in kwargs:
            return super().write_error(status_code, **kwargs)
        self.render("error.html", status_code=status_code, reason=self._reason)

    async def find_post(self, post_id):
        post = await self.posts.find_one({"_id": bson.ObjectId(post_id)})
        if post is None:
            raise tornado.web.HTTPError(404, reason="No such post")
        return post


class IndexHandler(BaseHandler):
    async def get(self):
        try:
            page = int(self.get_query_argument("page", "1"))
        except ValueError:
            raise tornado.web.HTTPError(400, reason="Bad page number") from None
        if not 1 <= page <= MAX_PAGE:
            raise tornado.web.HTTPError(404, reason="No such page")
        per_page = self.settings["blog_per_page"]
        # One more than a page: if it comes, there is an older page.
        cursor = (
            self.posts.find({"draft": False})
            .sort([("published", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)])
            .skip((page - 1) * per_page)
            .limit(per_page + 1)
        )
        posts = []
        async for post in cursor:
            posts.append(post)
        if page > 1 and not posts:
            raise tornado.web.HTTPError(404, reason="No such page")
        older = page + 1 if len(posts) > per_page else None
        newer = page - 1 if page > 1 else None
        self.render("index.html", posts=posts[:per_page], page=page, older=older, newer=newer)


class PostHandler(BaseHandler):
    async def get(self, slug):
        post = await self.posts.find_one({"slug": slug, "draft": False})
        if post is None:
            raise tornado.web.HTTPError(404, reason="No such post")
        self.render("post.html", post=post)


class AdminHandler(BaseHandler):
    async def get(self):
        cursor = self.posts.find({}, {"body": False}).sort(
            [("updated", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)]
        )
        posts = await cursor.to_list(None)
        self.render("admin.html", posts=posts)


class EditHandler(BaseHandler):
    """``/admin/new`` and ``/admin/edit/<id>``: the post form, and saving it."""

    async def get(self, post_id=None):
        if post_id is None:
            post = {"title": "", "body": "", "draft": True, "image": None}
        else:
            post = await self.find_post(post_id)
        self.render(
            "edit.html", post=post, error=None, saved=bool(self.get_query_argument("saved", ""))
        )

    async def post(self, post_id=None):
        existing = None if post_id is None else await self.find_post(post_id)
        title = self.get_body_argument("title", "").strip()
        body = self.get_body_argument("body", "").replace("\r\n", "\n")
        action = self.get_body_argument("action", "draft")
        remove_image = bool(self.get_body_argument("remove_image", ""))
        uploads = [f for f in self.request.files.get("image", []) if f["body"]]

        form = dict(existing or {"draft": True, "image": None}, title=title, body=body)
        error = None
        if not title:
            error = "The post needs a title."
        elif len(title) > MAX_TITLE:
            error = f"The title is longer than {MAX_TITLE} characters."
        elif len(body) > MAX_BODY:
            error = f"The body is longer than {MAX_BODY} characters."
        elif action not in ("draft", "publish"):
            error = "Choose Save draft or Publish."
        image = None
        if error is None and uploads:
            try:
                image = await store_image(self.bucket, uploads[0])
            except UploadError as exc:
                error = f"Cover image not saved: {exc}."
        if error is not None:
            self.set_status(400)
            self.render("edit.html", post=form, error=error, saved=False)
            return

        now = utcnow()
        fields = {"title": title, "body": body, "draft": action == "draft", "updated": now}
        if image is not None:
            fields["image"] = image
        elif remove_image:
            fields["image"] = None
        if action == "publish" and not (existing or {}).get("published"):
            fields["published"] = now  # the first time it is published
        if existing is not None:
            await self.posts.update_one({"_id": existing["_id"]}, {"$set": fields})
            post_id, slug = existing["_id"], existing["slug"]
        else:
            post_id, slug = await self.insert(fields, now)
        if action == "publish":
            self.redirect(f"/post/{slug}", status=303)
        else:
            self.redirect(f"/admin/edit/{post_id}?saved=1", status=303)

    async def insert(self, fields, now):
        """Insert a new post under a free slug; return its ``_id`` and slug."""
        document = {"image": None, "published": None, "created": now, **fields}
        base = slugify(fields["title"])
        for attempt in range(1, 100):
            slug = base if attempt == 1 else f"{base}-{attempt}"
            if await self.posts.find_one({"slug": slug}, {"_id": True}) is not None:
                continue
            document.pop("_id", None)  # insert_one adds it even when it fails
            try:
                result = await self.posts.insert_one(dict(document, slug=slug))
            except DuplicateKeyError:
                continue  # taken in the meantime (the unique index from setup())
            return result.inserted_id, slug
        raise tornado.web.HTTPError(409, reason="Too many posts with this title")


class DeleteHandler(BaseHandler):
    async def post(self, post_id):
        await self.posts.delete_one({"_id": bson.ObjectId(post_id)})
        self.redirect("/admin", status=303)


class ImagesHandler(BaseHandler):
    """``/admin/images``: upload an image; list the images with their Markdown."""

    async def get(self):
        await self.show(uploaded=self.get_query_argument("uploaded", None))

    async def show(self, uploaded=None, error=None):
        files = []
        cursor = self.bucket.find(
            {}, sort=[("uploadDate", pymongo.DESCENDING)], limit=IMAGE_LIST_LIMIT
        )
        async for grid_out in cursor:
            files.append(grid_out)
        self.render("images.html", files=files, uploaded=uploaded, error=error)

    async def post(self):
        uploads = [f for f in self.request.files.get("image", []) if f["body"]]
        if not uploads:
            self.set_status(400)
            await self.show(error="Choose an image file to upload.")
            return
        try:
            name = await store_image(self.bucket, uploads[0])
        except UploadError as exc:
            self.set_status(400)
            await self.show(error=f"Not uploaded: {exc}.")
            return
        self.redirect(f"/admin/images?uploaded={name}", status=303)


class DeleteImageHandler(BaseHandler):
    async def post(self):
        try:
            file_id = bson.ObjectId(self.get_body_argument("file_id"))
        except bson.errors.InvalidId:
            raise tornado.web.HTTPError(400, reason="Bad file id") from None
        try:
            await self.bucket.delete(file_id)
        except NoFile:
            pass  # deleted already
        self.redirect("/admin/images", status=303)


# -- the application -------------------------------------------------------------------------


def make_app(db, per_page=PER_PAGE, bucket_name=BUCKET, **settings):
    """The blog on Motor database ``db`` (a MotorDatabase or an AsyncIOMotorDatabase).

    ``settings`` go to ``tornado.web.Application`` (``xsrf_cookies`` is on unless you
    pass ``xsrf_cookies=False``). Creating the application does no I/O; ``setup(db)``
    creates the indexes.
    """
    settings.setdefault("xsrf_cookies", True)
    settings.setdefault("template_path", TEMPLATES)
    object_id = r"([0-9a-f]{24})"
    return tornado.web.Application(
        [
            (r"/", IndexHandler),
            (r"/post/([a-z0-9-]+)", PostHandler),
            (
                r"/images/(.*)",
                motor.web.GridFSHandler,
                {"database": db, "root_collection": bucket_name},
            ),
            (r"/admin/?", AdminHandler),
            (r"/admin/new", EditHandler),
            (rf"/admin/edit/{object_id}", EditHandler),
            (rf"/admin/delete/{object_id}", DeleteHandler),
            (r"/admin/images", ImagesHandler),
            (r"/admin/images/delete", DeleteImageHandler),
        ],
        blog_db=db,
        blog_images=bucket_for(db, bucket_name),
        blog_per_page=per_page,
        **settings,
    )


async def setup(db):
    """Create the indexes the blog relies on (a no-op when they exist)."""
    posts = db[POSTS]
    await posts.create_index("slug", unique=True)
    await posts.create_index([("draft", 1), ("published", -1), ("_id", -1)])


async def seed(db):
    """Publish a welcome post if there are no posts at all; return True if it did."""
    posts = db[POSTS]
    if await posts.find_one({}, {"_id": True}) is not None:
        return False
    now = utcnow()
    try:
        await posts.insert_one(
            dict(WELCOME, draft=False, published=now, created=now, updated=now, image=None)
        )
    except DuplicateKeyError:
        return False
    return True
