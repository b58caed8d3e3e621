"""AgnosticClientSession: MotorClientSession's framework-independent core."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Coroutine
from typing import Any

from pymongo.client_session import ClientSession

from motor.bridge.greenlets import await_future, shielded
from motor.core.base import AgnosticBase
from motor.core.declare import Async, ReadOnly, Sync

_FINISHERS = ("commit_transaction", "abort_transaction", "end_session")


def _shield(session: ClientSession, name: str) -> Callable[..., Any]:
    method = getattr(ClientSession, name)
    ref = weakref.ref(session)  # no cycle: the session stays freed by refcount alone

    def run_shielded(*args: Any, **kwargs: Any) -> Any:
        with shielded():
            return method(ref(), *args, **kwargs)

    return run_shielded


class _TransactionContext:
    """``async with session.start_transaction():`` commits on success, aborts on error."""

    __slots__ = ("_session",)

    def __init__(self, session: AgnosticClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> _TransactionContext:
        return self

    async def __aexit__(self, exc_type: Any, *exc: Any) -> None:
        if self._session.in_transaction:
            if exc_type is None:
                await self._session.commit_transaction()
            else:
                await self._session.abort_transaction()


class AgnosticClientSession(AgnosticBase):
    """A causally consistent session, with transactions; wraps ``ClientSession``.

    ``client.start_session()`` returns one at once; it may also be awaited, and used as
    ``async with client.start_session() as session`` (ending the session on exit).
    """

    __motor_class_name__ = "MotorClientSession"
    __delegate_class__ = ClientSession

    cluster_time = ReadOnly()
    has_ended = ReadOnly()
    in_transaction = ReadOnly()
    operation_time = ReadOnly()
    options = ReadOnly()
    session_id = ReadOnly()

    advance_cluster_time = Sync()
    advance_operation_time = Sync()
    bind = Sync()

    abort_transaction = Async()
    commit_transaction = Async()
    end_session = Async()

    def __init__(self, delegate: ClientSession, client: Any) -> None:
        super().__init__(delegate)
        self._client = client
        # So PyMongo objects that return their session (cursor.session) give back this one.
        delegate._motor_session = weakref.ref(self)  # type: ignore[attr-defined]
        # Ending a transaction runs to its end even if the caller is cancelled: PyMongo
        # marks it committed or aborted in a ``finally``, sent or not. Shadowed on the
        # instance so that PyMongo's own with_transaction and end_session use them too.
        for name in _FINISHERS:
            setattr(delegate, name, _shield(delegate, name))

    @classmethod
    def _from_delegate(cls, delegate: ClientSession, parent: Any) -> Any:
        ref = getattr(delegate, "_motor_session", None)
        motor_session = ref() if ref is not None else None
        return motor_session if motor_session is not None else cls(delegate, parent._client)

    @property
    def client(self) -> Any:
        return self._client

    def start_transaction(
        self,
        read_concern: Any = None,
        write_concern: Any = None,
        read_preference: Any = None,
        max_commit_time_ms: int | None = None,
    ) -> _TransactionContext:
        """Start a transaction (no I/O); usable as ``async with``."""
        self.delegate.start_transaction(
            read_concern, write_concern, read_preference, max_commit_time_ms
        )
        return _TransactionContext(self)

    def with_transaction(
        self,
        coro_fn: Callable[[Any], Coroutine[Any, Any, Any]],
        read_concern: Any = None,
        write_concern: Any = None,
        read_preference: Any = None,
        max_commit_time_ms: int | None = None,
        callback: Any = None,
    ) -> Any:
        """Run ``await coro_fn(session)`` in a transaction and commit it, with PyMongo's retries.

        PyMongo's own ``with_transaction`` drives the retry rules (transient errors,
        unknown commit results, the 120 s limit); each time it calls back, the bridge
        greenlet waits for the coroutine, which runs on the loop like any other.
        """
        if not callable(coro_fn):
            raise TypeError(f"with_transaction() needs a coroutine function, not {coro_fn!r}")

        def run_callback(_: ClientSession) -> Any:
            return await_future(asyncio.ensure_future(coro_fn(self)))

        return self._run(
            self.delegate.with_transaction,
            (run_callback, read_concern, write_concern, read_preference, max_commit_time_ms),
            {},
            callback,
        )

    def __copy__(self) -> Any:
        raise TypeError(f"A {type(self).__name__} cannot be copied, create a new session instead")

    def __await__(self) -> Any:
        # Motor 3 code awaits start_session(); a session needs no I/O to start.
        return self._resolved(self).__await__()

    async def __aenter__(self) -> AgnosticClientSession:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.end_session()

    def __enter__(self) -> None:
        raise AttributeError(
            f"Use a {type(self).__name__} as 'async with await client.start_session()'"
            " (or 'async with client.start_session()'), not with 'with'"
        )

    def __exit__(self, *exc: Any) -> None:
        pass
