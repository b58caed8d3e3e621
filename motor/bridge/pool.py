"""GreenPool: PyMongo's connection pool with waits that suspend greenlets, not the loop."""

from __future__ import annotations

from typing import Any

from pymongo.synchronous.pool import Connection, Pool

from motor.bridge.compat import connection_socket, is_monitor_pool, set_connection_socket
from motor.bridge.condition import HybridCondition
from motor.bridge.socket import GreenSocket


class GreenPool(Pool):
    """An application pool whose conditions and sockets cooperate with bridge greenlets.

    Monitor pools (``is_sdam``) live on PyMongo's monitor threads and stay plain.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_monitor_pool(self):
            # PyMongo builds both without the _condition_class hook; both must share self.lock.
            self.size_cond = HybridCondition(self.lock)  # type: ignore[assignment]
            self._max_connecting_cond = HybridCondition(self.lock)  # type: ignore[assignment]

    def connect(self, handler: Any = None) -> Connection:
        conn = super().connect(handler)
        if not is_monitor_pool(self):
            # A connection opened off the loop (the kill-cursors thread filling minPoolSize)
            # has a blocking socket; make it safe to check out on the loop later.
            sock = connection_socket(conn)
            if not isinstance(sock, GreenSocket):
                set_connection_socket(conn, GreenSocket(sock, sock.gettimeout()))
        return conn
