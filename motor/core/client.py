"""AgnosticClient: MotorClient's framework-independent core."""

from __future__ import annotations

import asyncio
from typing import Any

import pymongo
import tornado
from pymongo.driver_info import DriverInfo
from pymongo.server_selectors import any_server_selector

from motor._version import version as motor_version
from motor.bridge.compat import client_hooks
from motor.bridge.orphans import finish_orphans
from motor.core.base import AgnosticBase, NotIterable, check_callback
from motor.core.change_stream import AgnosticChangeStream
from motor.core.declare import Async, Latent, ReadOnly, Sync


def handshake_driver(framework: Any, user_driver: DriverInfo | None) -> DriverInfo:
    """The ``driver`` PyMongo puts in every connection's handshake, in Motor 3's shape.

    The platform names the framework with its version ("Tornado 6.4", "asyncio"), and an
    application's own DriverInfo follows Motor's in each field: the server logs
    "PyMongo|Motor|App", "4.20.1|4.0.0|1.0" and "CPython ...|asyncio|AppPlatform".
    """
    platform = f"Tornado {tornado.version}" if framework.name == "tornado" else framework.name
    if user_driver is None:
        return DriverInfo("Motor", motor_version, platform)
    # Joined here, not with append_metadata(): PyMongo builds its monitoring connections'
    # handshake from the constructor's driver alone. The segments are joined exactly as
    # append_metadata joins them ("|", an empty segment for a missing name or version);
    # _make skips DriverInfo's check that a single driver's fields contain no "|".
    return DriverInfo._make(
        (
            f"Motor|{user_driver.name or ''}",
            f"{motor_version}|{user_driver.version or ''}",
            f"{platform}|{user_driver.platform}" if user_driver.platform else platform,
        )
    )


class AgnosticClient(NotIterable, AgnosticBase):
    """A MongoDB client whose I/O methods return Futures; wraps ``pymongo.MongoClient``."""

    __motor_class_name__ = "MotorClient"
    __delegate_class__ = pymongo.MongoClient

    HOST = pymongo.MongoClient.HOST
    PORT = pymongo.MongoClient.PORT

    address = ReadOnly()
    arbiters = ReadOnly()
    codec_options = ReadOnly()
    is_mongos = ReadOnly()
    is_primary = ReadOnly()
    nodes = ReadOnly()
    options = ReadOnly()
    primary = ReadOnly()
    read_concern = ReadOnly()
    read_preference = ReadOnly()
    secondaries = ReadOnly()
    topology_description = ReadOnly()
    write_concern = ReadOnly()

    append_metadata = Sync()
    eq_props = Sync()
    get_database = Sync(wrap=True)
    get_default_database = Sync(wrap=True)

    bulk_write = Async()
    drop_database = Async()
    list_database_names = Async()
    list_databases = Async(wrap=True)
    server_info = Async()
    start_session = Sync(wrap=True)
    watch = Latent(cursor=AgnosticChangeStream)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Create a client; takes everything ``pymongo.MongoClient`` takes, plus ``io_loop``.

        No I/O happens here: the client connects on its first operation, or on ``open()``.
        """
        io_loop = kwargs.pop("io_loop", None)
        if io_loop is not None:
            self._framework.check_loop(io_loop)
        self._io_loop = io_loop
        if len(args) < 5:  # MongoClient(host, port, document_class, tz_aware, connect, ...)
            kwargs.setdefault("connect", False)
        user_driver = kwargs.pop("driver", None)
        if user_driver is not None and not isinstance(user_driver, DriverInfo):
            # Before the PyMongo client exists: it would be left open (connect=True).
            raise TypeError(f"driver must be an instance of DriverInfo, not {type(user_driver)}")
        self._init_args = args
        self._init_kwargs = dict(kwargs, driver=user_driver)
        kwargs["driver"] = handshake_driver(self._framework, user_driver)
        super().__init__(pymongo.MongoClient(*args, **kwargs, **client_hooks()))
        self._client = self

    @classmethod
    def _from_delegate(cls, delegate: Any, parent: Any) -> AgnosticClient:
        return parent._client

    def wrap(self, obj: Any) -> Any:
        """``obj`` (a PyMongo database, session, cursor...) in its Motor class; else ``obj``."""
        return self._wrap(obj)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"'{type(self).__name__}' object is not callable: no such method exists")

    def get_io_loop(self) -> Any:
        return self._io_loop if self._io_loop is not None else self._framework.default_loop()

    @property
    def io_loop(self) -> Any:
        return self.get_io_loop()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(
                f"{type(self).__name__} has no attribute {name!r}. To access the {name}"
                f" database, use client[{name!r}]."
            )
        return self[name]

    def __getitem__(self, name: str) -> Any:
        from motor.core.database import AgnosticDatabase

        return self._motor_class(AgnosticDatabase)(self, name)

    # -- connecting and closing -------------------------------------------------------
    def _open(self) -> AgnosticClient:
        topology = self.delegate._get_topology()
        topology.select_server(any_server_selector, "open")
        return self

    def open(self, callback: Any = None) -> Any:
        """Connect and wait until a server is available. Resolves to this client."""
        return self._run(self._open, (), {}, callback)

    def _running_loop(self) -> Any:
        """This client's loop if it is running now, else None; never creates a loop."""
        if self._io_loop is not None:
            return self._io_loop if self._framework.is_running(self._io_loop) else None
        if asyncio._get_running_loop() is None:
            return None
        return self._framework.default_loop()

    def open_sync(self) -> AgnosticClient:
        """Connect before the event loop runs (application start-up). Blocks; returns self."""
        if self._running_loop() is not None:
            raise RuntimeError("open_sync() blocks; use 'await client.open()' on a running loop")
        return self._open()

    def sync_client(self) -> pymongo.MongoClient[Any]:
        """A blocking ``pymongo.MongoClient`` with this client's options."""
        return pymongo.MongoClient(*self._init_args, **self._init_kwargs)

    def close(self, callback: Any = None) -> Any:
        """Close the client: end its sessions, kill its cursors, close its connections.

        On a running loop the work runs in the background and the returned Future may be
        awaited (or ``callback(None, error)`` is called); otherwise it runs now and None
        is returned.
        """
        if self._running_loop() is not None:
            return self._run(self._close, (), {}, callback)
        check_callback(callback)
        self._close()
        if callback is not None:
            callback(None, None)
        return None

    def _close(self) -> None:
        # Operations stranded by a closed loop finish first (doc/bridge.rst), so that
        # their writes are done and their connections back in the pool when it closes.
        finish_orphans()
        self.delegate.close()

    async def __aenter__(self) -> AgnosticClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        future = self.close()
        if future is not None:
            await future


class AgnosticReplicaSetClient(AgnosticClient):
    """A client for a replica set: like MotorClient, but requires a ``replicaSet`` name."""

    __motor_class_name__ = "MotorReplicaSetClient"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.delegate.options.replica_set_name:
            self.delegate.close()
            raise pymongo.errors.ConfigurationError(
                f"{type(self).__name__} requires a replica set name: pass replicaSet=... "
                "or put replicaSet in the URI"
            )


def _joined(ours: DriverInfo, theirs: DriverInfo) -> DriverInfo:
    """One DriverInfo for PyMongo before 4.14: what ``append_metadata`` would make of both."""

    def join(a: str | None, b: str | None) -> str | None:
        return "|".join(v for v in (a, b) if v) or None

    return DriverInfo(
        join(ours.name, theirs.name) or ours.name,
        join(ours.version, theirs.version),
        join(ours.platform, theirs.platform),
    )
