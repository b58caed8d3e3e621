"""Motor for Tornado: every I/O method returns a Future usable with ``await`` or ``yield``."""

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
from motor.frameworks import tornado as _framework


def _create(agnostic: type) -> type:
    return create_class_with_framework(agnostic, _framework, __name__)


MotorClient = _create(AgnosticClient)
MotorReplicaSetClient = _create(AgnosticReplicaSetClient)
MotorDatabase = _create(AgnosticDatabase)
MotorCollection = _create(AgnosticCollection)
MotorCursor = _create(AgnosticCursor)
MotorRawBatchCursor = _create(AgnosticRawBatchCursor)
MotorCommandCursor = _create(AgnosticCommandCursor)
MotorRawBatchCommandCursor = _create(AgnosticRawBatchCommandCursor)
MotorLatentCommandCursor = _create(AgnosticLatentCommandCursor)

__all__ = [
    "MotorClient",
    "MotorCollection",
    "MotorCommandCursor",
    "MotorCursor",
    "MotorDatabase",
    "MotorLatentCommandCursor",
    "MotorRawBatchCommandCursor",
    "MotorRawBatchCursor",
    "MotorReplicaSetClient",
]
