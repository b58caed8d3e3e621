"""The PyMongo internals the bridge relies on: checked at import, patched once.

Motor replaces a few module globals of PyMongo's synchronous package. Each patch only
changes behaviour inside a bridge greenlet; everywhere else PyMongo's original runs.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, TypedDict

import pymongo

SUPPORTED = ((4, 20), (4, 21))  # [min, max) of (major, minor)

_REQUIRED = {
    "pymongo.synchronous.pool": ("Pool", "Connection", "_configured_socket_interface"),
    "pymongo.synchronous.mongo_client": ("MongoClient", "time"),
    "pymongo.synchronous.client_session": ("time",),
    "pymongo.synchronous.topology": ("Topology",),
    "pymongo.pool_shared": (
        "_configured_socket_interface",
        "_get_ssl_session",
        "_raise_connection_failure",
        "_set_keepalive_times",
        "_has_sni",
    ),
    "pymongo.network_layer": ("NetworkingInterface", "receive_data"),
    "pymongo.lock": ("_cond_wait",),
}


class IncompatiblePyMongo(ImportError):
    """The installed PyMongo lacks an internal hook Motor needs."""


def _fail(reason: str) -> None:
    low, high = SUPPORTED
    raise IncompatiblePyMongo(
        f"Motor {_motor_version()} requires PyMongo >={low[0]}.{low[1]},<{high[0]}.{high[1]}, "
        f"but PyMongo {pymongo.version} is installed: {reason}"
    )


def _motor_version() -> str:
    from motor._version import version

    return version


def check_pymongo() -> None:
    """Fail with a clear message naming the PyMongo version if a private hook is missing."""
    import importlib

    low, high = SUPPORTED
    if not (low <= tuple(pymongo.version_tuple[:2]) < high):  # type: ignore[operator]
        _fail("unsupported version")
    for module_name, names in _REQUIRED.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            _fail(f"cannot import {module_name} ({exc})")
        for name in names:
            if not hasattr(module, name):
                _fail(f"{module_name}.{name} is missing")
    from pymongo.synchronous.pool import Pool

    params = inspect.signature(Pool.__init__).parameters
    if "is_sdam" not in params or "client_id" not in params:
        _fail("Pool.__init__ has an unexpected signature")
    client_params = inspect.signature(pymongo.MongoClient.__init__).parameters
    if "kwargs" not in client_params:
        _fail("MongoClient no longer accepts hook keyword arguments")


def _dispatching_socket_interface(original: Any) -> Any:
    from motor.bridge.connect import green_socket_interface
    from motor.bridge.greenlets import current_bridge

    @functools.wraps(original)
    def configured_socket_interface(address: Any, options: Any, *args: Any) -> Any:
        child = current_bridge()
        if child is None or address[0].endswith(".sock"):
            return original(address, options, *args)
        return green_socket_interface(child, address, options, *args)

    configured_socket_interface.__motor_original__ = original  # type: ignore[attr-defined]
    return configured_socket_interface


_installed = False


def install() -> None:
    """Point PyMongo's socket factory and sleeps at the bridge's (idempotent)."""
    global _installed
    if _installed:
        return
    import pymongo.synchronous.client_session as client_session
    import pymongo.synchronous.mongo_client as mongo_client
    import pymongo.synchronous.pool as pool

    from motor.bridge import fairness
    from motor.bridge.sleep import green_time

    pool._configured_socket_interface = _dispatching_socket_interface(  # type: ignore[attr-defined]
        pool._configured_socket_interface
    )
    mongo_client.time = green_time  # type: ignore[attr-defined]
    client_session.time = green_time  # type: ignore[attr-defined]
    fairness.install()
    _installed = True


class ClientHooks(TypedDict):
    """``client_hooks()``'s keywords, named so that type checkers see they are not MongoClient's
    own parameters (``host``, ``port``, ...)."""

    _pool_class: type
    _condition_class: type


def client_hooks() -> ClientHooks:
    """The private MongoClient keyword arguments that route a client through the bridge."""
    from motor.bridge.condition import HybridCondition
    from motor.bridge.pool import GreenPool

    install()
    return {"_pool_class": GreenPool, "_condition_class": HybridCondition}
