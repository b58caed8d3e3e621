"""GridFS for Motor: buckets, files being written and read, cursors over files.

This layer sits above the wrappers in ``motor.core``; nothing in ``motor.core`` or
``motor.bridge`` imports it. The public modules (``motor.motor_tornado``,
``motor.motor_asyncio``) export a class per framework for each of ``CLASSES``:
``MotorGridFSBucket``/``AsyncIOMotorGridFSBucket``, ``MotorGridFS``, ``MotorGridIn``,
``MotorGridOut`` and ``MotorGridOutCursor``.
"""

from motor.gridfs.bucket import AgnosticGridFS, AgnosticGridFSBucket
from motor.gridfs.files import AgnosticGridIn, AgnosticGridOut, AgnosticGridOutCursor

#: Every GridFS wrapper class; each public framework module makes its own subclass of each.
CLASSES = [
    AgnosticGridFS,
    AgnosticGridFSBucket,
    AgnosticGridIn,
    AgnosticGridOut,
    AgnosticGridOutCursor,
]
