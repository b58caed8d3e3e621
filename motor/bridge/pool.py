"""GreenPool: PyMongo's connection pool with waits that suspend greenlets, not the loop."""

from __future__ import annotations

from typing import Any

from pymongo.synchronous.pool import Connection, Pool

from motor.bridge.condition import HybridCondition
from motor.bridge.socket import GreenSocket


class GreenPool(Pool):
    """An application pool whose conditions and sockets cooperate with bridge greenlets.

    Monitor pools (``is_sdam``) live on PyMongo's monitor threads and stay plain.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_sdam:
            # PyMongo builds both without the _condition_class hook; both must share self.lock.
            self.size_cond = HybridCondition(self.lock)  # type: ignore[assignment]
            self._max_connecting_cond = HybridCondition(self.lock)  # type: ignore[assignment]

    def connect(self, handler: Any = None) -> Connection:
        conn = super().connect(handler)
        if not self.is_sdam:
            # A connection opened off the loop (the kill-cursors thread filling minPoolSize)
            # has a blocking socket; make it safe to check out on the loop later.
            interface = conn.conn
            if not isinstance(interface.conn, GreenSocket):
                interface.conn = GreenSocket(interface.conn, interface.conn.gettimeout())
        return conn
