"""Motor for asyncio: every I/O method returns an asyncio Future to ``await``."""

from __future__ import annotations

from motor.core.base import create_class_with_framework
from motor.core.client import AgnosticClient, AgnosticReplicaSetClient
from motor.core.collection import AgnosticCollection
from motor.core.cursor import (
    AgnosticCommandCursor,
    AgnosticCursor,
    AgnosticLatentCommandCursor,
    AgnosticRawBatchCommandCursor,
    AgnosticRawBatchCursor,
)
from motor.core.database import AgnosticDatabase
from motor.frameworks import asyncio as _framework


def _create(agnostic: type) -> type:
    return create_class_with_framework(agnostic, _framework, __name__)


AsyncIOMotorClient = _create(AgnosticClient)
AsyncIOMotorReplicaSetClient = _create(AgnosticReplicaSetClient)
AsyncIOMotorDatabase = _create(AgnosticDatabase)
AsyncIOMotorCollection = _create(AgnosticCollection)
AsyncIOMotorCursor = _create(AgnosticCursor)
AsyncIOMotorRawBatchCursor = _create(AgnosticRawBatchCursor)
AsyncIOMotorCommandCursor = _create(AgnosticCommandCursor)
AsyncIOMotorRawBatchCommandCursor = _create(AgnosticRawBatchCommandCursor)
AsyncIOMotorLatentCommandCursor = _create(AgnosticLatentCommandCursor)

__all__ = [
    "AsyncIOMotorClient",
    "AsyncIOMotorCollection",
    "AsyncIOMotorCommandCursor",
    "AsyncIOMotorCursor",
    "AsyncIOMotorDatabase",
    "AsyncIOMotorLatentCommandCursor",
    "AsyncIOMotorRawBatchCommandCursor",
    "AsyncIOMotorRawBatchCursor",
    "AsyncIOMotorReplicaSetClient",
]
