"""Motor for Tornado: every I/O method returns a Future usable with ``await`` or ``yield``.

Defines ``MotorClient``, ``MotorReplicaSetClient``, ``MotorDatabase``, ``MotorCollection``,
``MotorCursor``, ``MotorCommandCursor``, ``MotorLatentCommandCursor``, ``MotorChangeStream``,
``MotorClientSession`` and the raw-batch cursors (see ``__all__``).
"""

from typing import TypeVar

from motor import core, gridfs
from motor.core.base import create_class_with_framework, export
from motor.frameworks import tornado as _framework

__all__ = export(core.CLASSES + gridfs.CLASSES, _framework, globals())

_T = TypeVar("_T", bound=type)


def create_motor_class(cls: _T) -> _T:
    """This framework's subclass of a Motor class (``core.AgnosticCollection`` or a
    subclass of one), as Motor 3's ``create_motor_class`` made it."""
    return create_class_with_framework(cls, _framework, __name__)
