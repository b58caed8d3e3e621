# Type stubs for motor: "import motor" gives the Tornado classes (motor.MotorClient, ...);
# the asyncio ones are in motor.motor_asyncio.

import asyncio
from collections.abc import Callable
from typing import Any

from motor import motor_tornado as motor_tornado
from motor.motor_tornado import MotorChangeStream as MotorChangeStream
from motor.motor_tornado import MotorClient as MotorClient
from motor.motor_tornado import MotorClientEncryption as MotorClientEncryption
from motor.motor_tornado import MotorClientSession as MotorClientSession
from motor.motor_tornado import MotorCollection as MotorCollection
from motor.motor_tornado import MotorCommandCursor as MotorCommandCursor
from motor.motor_tornado import MotorCursor as MotorCursor
from motor.motor_tornado import MotorDatabase as MotorDatabase
from motor.motor_tornado import MotorGridFS as MotorGridFS
from motor.motor_tornado import MotorGridFSBucket as MotorGridFSBucket
from motor.motor_tornado import MotorGridIn as MotorGridIn
from motor.motor_tornado import MotorGridOut as MotorGridOut
from motor.motor_tornado import MotorGridOutCursor as MotorGridOutCursor
from motor.motor_tornado import MotorLatentCommandCursor as MotorLatentCommandCursor
from motor.motor_tornado import MotorRawBatchCommandCursor as MotorRawBatchCommandCursor
from motor.motor_tornado import MotorRawBatchCursor as MotorRawBatchCursor
from motor.motor_tornado import MotorReplicaSetClient as MotorReplicaSetClient

__all__ = [
    "MotorChangeStream",
    "MotorClient",
    "MotorClientEncryption",
    "MotorClientSession",
    "MotorCollection",
    "MotorCommandCursor",
    "MotorCursor",
    "MotorDatabase",
    "MotorGridFS",
    "MotorGridFSBucket",
    "MotorGridIn",
    "MotorGridOut",
    "MotorGridOutCursor",
    "MotorLatentCommandCursor",
    "MotorRawBatchCommandCursor",
    "MotorRawBatchCursor",
    "MotorReplicaSetClient",
    "Op",
    "get_version_string",
    "version",
    "version_tuple",
]

version: str
version_tuple: tuple[int | str, ...]

# Deprecated: calls fn(*args, callback=..., **kwargs) and returns a Future of its result.
def Op(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> asyncio.Future[Any]: ...
def get_version_string() -> str: ...
