"""Motor for asyncio: every I/O method returns an asyncio Future to ``await``.

Defines ``AsyncIOMotorClient``, ``AsyncIOMotorDatabase``, ``AsyncIOMotorCollection``,
``AsyncIOMotorCursor``, ``AsyncIOMotorChangeStream``, ``AsyncIOMotorClientSession`` and the
rest of Motor's classes with the ``AsyncIO`` prefix (see ``__all__``).
"""

from motor import core, gridfs
from motor.core.base import export
from motor.frameworks import asyncio as _framework

__all__ = export(core.CLASSES + gridfs.CLASSES, _framework, globals())
