"""Image helpers for the blog: recognise an upload's type, name it, make a test PNG."""

import re
import struct
import zlib

# Only these types are accepted, recognised by their first bytes (not by the name or the
# Content-Type the browser sent), so an upload can never be served as HTML or SVG.
TYPES = [
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
]


def sniff(data):
    """``(extension, content type)`` of image ``data``, or None if it is not one we take."""
    for magic, extension, content_type in TYPES:
        if data.startswith(magic):
            return extension, content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None


def stored_name(original, extension, token):
    """The GridFS file name for an upload: ``<cleaned original name>-<token>.<extension>``.

    Only lowercase letters, digits, ``-`` and ``_``: the name goes into URLs and Markdown
    as it is, with nothing to escape.
    """
    stem = original.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    stem = re.sub(r"[^a-z0-9_]+", "-", stem.lower()).strip("-_")[:40] or "image"
    return f"{stem}-{token}.{extension}"


def make_png(width, height, pixel):
    """A real PNG (8-bit RGB), ``pixel(x, y)`` giving each ``(r, g, b)``. Needs no library."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def motor_png(width=96, height=48):
    """A small PNG for checks and tests: a green-blue gradient with a white band."""

    def pixel(x, y):
        if height // 3 <= y < 2 * height // 3:
            return (255, 255, 255)
        return (40, 80 + (150 * x) // max(width - 1, 1), 60 + (180 * y) // max(height - 1, 1))

    return make_png(width, height, pixel)
