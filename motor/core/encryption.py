"""AgnosticClientEncryption: explicit client-side field-level encryption (needs pymongocrypt)."""

from __future__ import annotations

from typing import Any

from pymongo.encryption import ClientEncryption

from motor.core.base import AgnosticBase
from motor.core.cursor import AgnosticCursor
from motor.core.declare import Async

# Framework name -> the MotorCursor subclass get_keys() returns (see _keys_cursor_class).
_keys_cursor_classes: dict[str, type] = {}


def _await_self(cursor: Any) -> Any:
    return cursor._resolved(cursor).__await__()


def _keys_cursor_class(encryption: AgnosticClientEncryption) -> type:
    """A MotorCursor that may also be awaited, resolving to itself.

    Motor 3's ``get_keys`` was a coroutine resolving to a cursor; Motor 4's returns the
    cursor at once. Both ``await encryption.get_keys()`` and ``async for key in
    encryption.get_keys()`` work with this class, and it is still a MotorCursor.
    """
    name = encryption._framework.name
    cls = _keys_cursor_classes.get(name)
    if cls is None:
        base = encryption._motor_class(AgnosticCursor)
        cls = type(
            base.__name__, (base,), {"__await__": _await_self, "__module__": base.__module__}
        )
        _keys_cursor_classes[name] = cls
    return cls


class AgnosticClientEncryption(AgnosticBase):
    """Explicit encryption and data-key management; wraps ``pymongo.encryption.ClientEncryption``.

    ``key_vault_client`` is a Motor client: the key vault is read and written through the
    bridge, so key look-ups do not block the loop.
    """

    __motor_class_name__ = "MotorClientEncryption"
    __delegate_class__ = ClientEncryption

    add_key_alt_name = Async()
    close = Async()
    create_data_key = Async()
    decrypt = Async()
    delete_key = Async()
    encrypt = Async()
    encrypt_expression = Async()
    get_key = Async()
    get_key_by_alt_name = Async()
    remove_key_alt_name = Async()
    rewrap_many_data_key = Async()

    def __init__(
        self,
        kms_providers: Any,
        key_vault_namespace: str,
        key_vault_client: Any,
        codec_options: Any,
        io_loop: Any = None,
        **kwargs: Any,
    ) -> None:
        if io_loop is not None:
            self._framework.check_loop(io_loop)
        super().__init__(
            ClientEncryption(
                kms_providers,
                key_vault_namespace,
                key_vault_client.delegate,
                codec_options,
                **kwargs,
            )
        )
        self._client = key_vault_client
        self._io_loop = io_loop

    def get_io_loop(self) -> Any:
        return self._io_loop if self._io_loop is not None else self._client.get_io_loop()

    @property
    def io_loop(self) -> Any:
        return self.get_io_loop()

    def get_keys(self) -> Any:
        """A cursor over every data key in the key vault (no I/O until iterated).

        As in Motor 3, it may also be awaited: ``await encryption.get_keys()`` resolves to
        the same cursor.
        """
        return _keys_cursor_class(self)(self.delegate.get_keys(), self)

    def create_encrypted_collection(
        self, database: Any, name: str, *args: Any, callback: Any = None, **kwargs: Any
    ) -> Any:
        """Resolve to ``(collection, encrypted_fields)``, the collection a Motor collection."""

        def create() -> tuple[Any, Any]:
            collection, fields = self.delegate.create_encrypted_collection(
                database.delegate, name, *args, **kwargs
            )
            return database[collection.name], fields

        return self._run(create, (), {}, callback)

    async def __aenter__(self) -> AgnosticClientEncryption:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def __enter__(self) -> None:
        raise RuntimeError(f"Use {type(self).__name__} in 'async with', not 'with'")

    def __exit__(self, *exc: Any) -> None:
        pass
