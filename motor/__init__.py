"""Motor: a non-blocking MongoDB driver for Tornado and asyncio, on PyMongo and greenlets.

``import motor`` gives the Tornado classes; ``motor.motor_asyncio`` has the asyncio ones.
"""

from motor._version import version, version_tuple
from motor.bridge.compat import check_pymongo

check_pymongo()

from motor.motor_tornado import (  # noqa: E402 - after the PyMongo check, on purpose
    MotorClient,
    MotorCollection,
    MotorCommandCursor,
    MotorCursor,
    MotorDatabase,
    MotorLatentCommandCursor,
    MotorRawBatchCommandCursor,
    MotorRawBatchCursor,
    MotorReplicaSetClient,
)

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
    "version",
    "version_tuple",
]
