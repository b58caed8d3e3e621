"""Motor: a non-blocking MongoDB driver for Tornado and asyncio, on PyMongo and greenlets.

``import motor`` gives the Tornado classes (``motor.MotorClient``, ...);
``motor.motor_asyncio`` has the asyncio ones (``AsyncIOMotorClient``, ...).
"""

from motor._version import version, version_tuple
from motor.bridge.compat import check_pymongo

check_pymongo()

from motor import motor_tornado  # noqa: E402 - after the PyMongo check, on purpose

globals().update({name: getattr(motor_tornado, name) for name in motor_tornado.__all__})

__all__ = [*motor_tornado.__all__, "version", "version_tuple"]
