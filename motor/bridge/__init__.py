"""The greenlet bridge: PyMongo's synchronous code, run cooperatively on an event loop.

Lowest layer of Motor. Nothing here knows about Motor's wrapper classes or about
Tornado; a framework adapter hands the bridge a :class:`~motor.bridge.hub.Hub`.
"""

from motor.bridge.greenlets import (
    BridgeGreenlet,
    NestedOperationError,
    await_future,
    current_bridge,
    spawn,
)
from motor.bridge.hub import Hub
from motor.bridge.orphans import finish_orphans  # and registers it to run at exit

__all__ = [
    "BridgeGreenlet",
    "Hub",
    "NestedOperationError",
    "await_future",
    "current_bridge",
    "finish_orphans",
    "spawn",
]
