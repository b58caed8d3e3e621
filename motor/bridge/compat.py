"""The PyMongo internals the bridge relies on: checked at import, patched once.

Motor replaces a few module globals of PyMongo's synchronous package. Each patch only
changes behaviour inside a bridge greenlet; everywhere else PyMongo's original runs.

This is also the one place that knows how those internals differ between the PyMongo
minors Motor supports (4.9 to 4.20); the other bridge modules import the names from here.
What changed, and in which minor:

* The socket factory that ``Pool.connect`` calls: ``synchronous/pool.py``'s
  ``_configured_socket(address, options)``, which returns the socket (4.9-4.11), became
  ``_configured_socket_interface``, which wraps it in a ``NetworkingInterface`` (4.12), and
  took a TLS session cache argument (4.18). So a ``Connection``'s socket is ``conn.conn``
  before 4.12 and ``conn.conn.conn`` from 4.12.
* The connection helpers (``_raise_connection_failure``, ``_set_keepalive_times``,
  ``_get_timeout_details``) moved from ``synchronous/pool.py`` to ``pool_shared.py`` (4.12);
  ``SSLErrors`` and ``_has_sni()`` replaced ``SSLError`` and ``HAS_SNI`` (4.13); TLS session
  reuse (``_get_ssl_session``) came in 4.18.
* Waiting for a reply: 4.9 and 4.10 wait until the socket is readable with
  ``conn.socket_checker.select()``, a blocking ``poll`` in 0.5 s slices, before each read;
  from 4.11, ``network_layer.receive_data`` reads with short socket timeouts instead (which
  ``GreenSocket`` serves). For 4.9 and 4.10 the bridge gives connections a socket checker
  whose ``select`` suspends the bridge greenlet.
* Monitor pools: ``Pool(..., handshake=False)`` before 4.13, ``Pool(..., is_sdam=True)`` since.
* Sleeps: ``synchronous/mongo_client.py`` imports ``time`` (for its retry back-off) since
  4.17; ``synchronous/client_session.py`` always has (its ``with_transaction`` back-off
  sleeps since 4.17).
* Condition waits: ``_cond_wait`` (a plain ``condition.wait``) lives in
  ``synchronous/pool.py`` before 4.11 and in ``lock.py`` since; both call the
  ``HybridCondition``'s ``wait``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from typing import Any, NoReturn, TypedDict

import pymongo
from pymongo import ssl_support as _ssl_support

SUPPORTED = ((4, 9), (4, 21))  # [min, max) of (major, minor)

PYMONGO_MINOR: tuple[int, int] = tuple(pymongo.version_tuple[:2])  # type: ignore[assignment]


def _since(minor: int) -> bool:
    return PYMONGO_MINOR >= (4, minor)


# Where the version-dependent names live in the installed PyMongo.
_POOL = "pymongo.synchronous.pool"
_SHARED = "pymongo.pool_shared" if _since(12) else _POOL
_FACTORY = "_configured_socket_interface" if _since(12) else "_configured_socket"

_REQUIRED: list[tuple[str, tuple[str, ...]]] = [
    (_POOL, ("Pool", "Connection", _FACTORY)),
    ("pymongo.synchronous.client_session", ("time",)),
    ("pymongo.synchronous.topology", ("Topology",)),
    (_SHARED, ("_raise_connection_failure", "_set_keepalive_times", "_get_timeout_details")),
]
if _since(11):
    _REQUIRED += [
        ("pymongo.network_layer", ("receive_data",)),
        ("pymongo.lock", ("_cond_wait",)),
    ]
else:
    _REQUIRED += [
        ("pymongo.synchronous.network", ("wait_for_read",)),
        (_POOL, ("SocketChecker", "_cond_wait")),
    ]
if _since(12):
    _REQUIRED.append(("pymongo.network_layer", ("NetworkingInterface",)))
if _since(13):
    _REQUIRED.append((_SHARED, ("SSLErrors", "_has_sni")))
if _since(17):
    _REQUIRED.append(("pymongo.synchronous.mongo_client", ("time",)))
if _since(18):
    _REQUIRED.append((_SHARED, ("_get_ssl_session",)))


def _lookup(module_name: str, name: str) -> Any:
    """``module_name.name``, or None if missing (``check_pymongo`` reports it)."""
    try:
        return getattr(importlib.import_module(module_name), name, None)
    except ImportError:
        return None


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
    low, high = SUPPORTED
    if not (low <= tuple(pymongo.version_tuple[:2]) < high):  # type: ignore[operator]
        _fail("unsupported version")
    for module_name, names in _REQUIRED:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            _fail(f"cannot import {module_name} ({exc})")
        for name in names:
            if not hasattr(module, name):
                _fail(f"{module_name}.{name} is missing")
    from pymongo.synchronous.pool import Pool

    params = inspect.signature(Pool.__init__).parameters
    if _MONITOR_FLAG not in params or "client_id" not in params:
        _fail("Pool.__init__ has an unexpected signature")
    client_params = inspect.signature(pymongo.MongoClient.__init__).parameters
    if "kwargs" not in client_params:
        _fail("MongoClient no longer accepts hook keyword arguments")


# --- the version-dependent names the other bridge modules use --------------------------

_raise_connection_failure: Callable[..., NoReturn] = _lookup(_SHARED, "_raise_connection_failure")
_set_keepalive_times: Callable[..., Any] = _lookup(_SHARED, "_set_keepalive_times")
_get_timeout_details: Callable[..., Any] = _lookup(_SHARED, "_get_timeout_details")

if _since(13):
    SSLErrors: tuple[type[BaseException], ...] = _lookup(_SHARED, "SSLErrors")
    _has_sni: Callable[[bool], bool] = _lookup(_SHARED, "_has_sni")
else:
    SSLErrors = (_ssl_support.SSLError,)  # PyOpenSSL's, if installed, else the stdlib's

    def _has_sni(is_sync: bool) -> bool:
        return bool(getattr(_ssl_support, "HAS_SNI", False))


def _as_tuple(value: Any) -> tuple[type[BaseException], ...]:
    return tuple(value) if isinstance(value, tuple) else (value,)


# The would-block errors of the TLS library PyMongo uses (PyOpenSSL's, if installed): one
# class each before 4.13, a tuple since.
if getattr(_ssl_support, "HAVE_SSL", False):
    SSL_WANT_READ = _as_tuple(_ssl_support.BLOCKING_IO_READ_ERROR)
    SSL_WANT_WRITE = _as_tuple(_ssl_support.BLOCKING_IO_WRITE_ERROR)
else:
    SSL_WANT_READ = SSL_WANT_WRITE = ()

if _since(18):
    _get_ssl_session: Callable[[Any], Any] = _lookup(_SHARED, "_get_ssl_session")
else:

    def _get_ssl_session(ssl_sock: Any) -> Any:
        return None  # no TLS session cache is passed before 4.18: never called


if _since(12):
    _NetworkingInterface: Any = _lookup("pymongo.network_layer", "NetworkingInterface")

    def socket_interface(sock: Any) -> Any:
        """What the socket factory returns for ``sock``: PyMongo's interface around it."""
        return _NetworkingInterface(sock)

    def connection_socket(conn: Any) -> Any:
        """The socket a ``Connection`` talks through."""
        return conn.conn.conn

    def set_connection_socket(conn: Any, sock: Any) -> None:
        conn.conn.conn = sock

else:

    def socket_interface(sock: Any) -> Any:
        """What the socket factory returns for ``sock``: the socket itself before 4.12."""
        return sock

    def connection_socket(conn: Any) -> Any:
        """The socket a ``Connection`` talks through."""
        return conn.conn

    def set_connection_socket(conn: Any, sock: Any) -> None:
        conn.conn = sock


_MONITOR_FLAG = "is_sdam" if _since(13) else "handshake"


def is_monitor_pool(pool: Any) -> bool:
    """A monitor's pool (``is_sdam``; ``handshake=False`` before 4.13), used on its thread."""
    return bool(pool.is_sdam) if _since(13) else not pool.handshake


# --- patching ----------------------------------------------------------------------------


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


def _green_socket_checker(original: type) -> type:
    """PyMongo 4.9-4.10: a SocketChecker whose waits suspend the bridge greenlet."""
    from motor.bridge.greenlets import current_bridge
    from motor.bridge.socket import GreenSocket

    class GreenSocketChecker(original):  # type: ignore[valid-type, misc]
        def select(
            self, sock: Any, read: bool = False, write: bool = False, timeout: float | None = 0
        ) -> bool:
            child = current_bridge()
            if child is None or timeout == 0 or write or not isinstance(sock, GreenSocket):
                return bool(super().select(sock, read, write, timeout))
            # wait_for_read's 0.5 s slice: suspend the greenlet, not the thread.
            return sock.wait_green(child, False, timeout)

    GreenSocketChecker.__motor_original__ = original  # type: ignore[attr-defined]
    return GreenSocketChecker


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

    setattr(pool, _FACTORY, _dispatching_socket_interface(getattr(pool, _FACTORY)))
    if not _since(11):
        pool.SocketChecker = _green_socket_checker(pool.SocketChecker)  # type: ignore[attr-defined]
    if _since(17):
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
