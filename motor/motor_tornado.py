"""Motor for Tornado: every I/O method returns a Future usable with ``await`` or ``yield``.

Defines ``MotorClient``, ``MotorReplicaSetClient``, ``MotorDatabase``, ``MotorCollection``,
``MotorCursor``, ``MotorCommandCursor``, ``MotorLatentCommandCursor``, ``MotorChangeStream``,
``MotorClientSession`` and the raw-batch cursors (see ``__all__``).
"""

from motor import core, gridfs
from motor.core.base import export
from motor.frameworks import tornado as _framework

__all__ = export(core.CLASSES + gridfs.CLASSES, _framework, globals())
