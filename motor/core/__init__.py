"""Motor's wrapper classes, independent of any framework (one module per concept).

The names Motor 3's ``motor.core`` module offered for subclassing and annotations are
here too: every ``Agnostic*`` class, ``AgnosticBase`` and ``AgnosticBaseCursor``.
"""

from motor.core.base import AgnosticBase
from motor.core.change_stream import AgnosticChangeStream
from motor.core.client import AgnosticClient, AgnosticReplicaSetClient
from motor.core.collection import AgnosticCollection
from motor.core.cursor import (
    AgnosticBaseCursor,
    AgnosticCommandCursor,
    AgnosticCursor,
    AgnosticLatentCommandCursor,
    AgnosticRawBatchCommandCursor,
    AgnosticRawBatchCursor,
)
from motor.core.database import AgnosticDatabase
from motor.core.encryption import AgnosticClientEncryption
from motor.core.session import AgnosticClientSession

#: Every wrapper class; each public framework module makes its own subclass of each.
CLASSES = [
    AgnosticChangeStream,
    AgnosticClient,
    AgnosticClientSession,
    AgnosticCollection,
    AgnosticCommandCursor,
    AgnosticCursor,
    AgnosticDatabase,
    AgnosticLatentCommandCursor,
    AgnosticRawBatchCommandCursor,
    AgnosticRawBatchCursor,
    AgnosticReplicaSetClient,
    AgnosticClientEncryption,
]

__all__ = [
    "CLASSES",
    "AgnosticBase",
    "AgnosticBaseCursor",
    "AgnosticChangeStream",
    "AgnosticClient",
    "AgnosticClientEncryption",
    "AgnosticClientSession",
    "AgnosticCollection",
    "AgnosticCommandCursor",
    "AgnosticCursor",
    "AgnosticDatabase",
    "AgnosticLatentCommandCursor",
    "AgnosticRawBatchCommandCursor",
    "AgnosticRawBatchCursor",
    "AgnosticReplicaSetClient",
]
