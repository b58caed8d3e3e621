"""Motor for asyncio: every I/O method returns an asyncio Future to ``await``.

Defines ``AsyncIOMotorClient``, ``AsyncIOMotorDatabase``, ``AsyncIOMotorCollection``,
``AsyncIOMotorCursor``, ``AsyncIOMotorChangeStream``, ``AsyncIOMotorClientSession`` and the
rest of Motor's classes with the ``AsyncIO`` prefix (see ``__all__``).
"""

from typing import TypeVar

from motor import core, gridfs
from motor.core.base import create_class_with_framework, export
from motor.frameworks import asyncio as _framework

__all__ = export(core.CLASSES + gridfs.CLASSES, _framework, globals())

_T = TypeVar("_T", bound=type)


def create_asyncio_class(cls: _T) -> _T:
    """This framework's subclass of a Motor class (``core.AgnosticCollection`` or a
    subclass of one), as Motor 3's ``create_asyncio_class`` made it."""
    return create_class_with_framework(cls, _framework, __name__)
