"""Making PyMongo's test suite import Synchro's classes instead of PyMongo's.

Only the modules of the test suite are redirected (those named ``test`` or ``test.*``,
PyMongo's test package): ``builtins.__import__`` is wrapped so that when one of them
imports ``pymongo`` or ``gridfs`` (or anything below them), it gets a *proxy* of the
module. A proxy answers every attribute from the real module, except that

* a class Synchro replaces (``MongoClient``, ``Collection``, ``GridFS``, ...) is answered
  with the Synchro class, under whichever name and module the test reaches it
  (``pymongo.MongoClient``, ``pymongo.synchronous.mongo_client.MongoClient``, ...);
* a submodule is answered with its proxy.

``sys.modules`` is left alone, so PyMongo itself, Motor, and everything else keep the
real modules (PyMongo imports some of its own classes inside functions; those must stay
PyMongo's). ``unittest.mock.patch("pymongo....")`` patches the real modules, as the tests
intend.
"""

from __future__ import annotations

import builtins
import types
from typing import Any

_ROOTS = ("pymongo", "gridfs")


def _replacements() -> dict[type, type]:
    import gridfs.synchronous.grid_file as grid_file
    from pymongo.synchronous import (
        change_stream,
        client_session,
        collection,
        command_cursor,
        cursor,
        database,
        encryption,
        mongo_client,
    )

    import synchro

    pairs = {
        mongo_client.MongoClient: synchro.MongoClient,
        database.Database: synchro.Database,
        collection.Collection: synchro.Collection,
        cursor.Cursor: synchro.Cursor,
        cursor.RawBatchCursor: synchro.RawBatchCursor,
        command_cursor.CommandCursor: synchro.CommandCursor,
        command_cursor.RawBatchCommandCursor: synchro.RawBatchCommandCursor,
        change_stream.ChangeStream: synchro.ChangeStream,
        change_stream.CollectionChangeStream: synchro.CollectionChangeStream,
        change_stream.DatabaseChangeStream: synchro.DatabaseChangeStream,
        change_stream.ClusterChangeStream: synchro.ClusterChangeStream,
        client_session.ClientSession: synchro.ClientSession,
        encryption.ClientEncryption: synchro.ClientEncryption,
        grid_file.GridFS: synchro.GridFS,
        grid_file.GridFSBucket: synchro.GridFSBucket,
        grid_file.GridIn: synchro.GridIn,
        grid_file.GridOut: synchro.GridOut,
        grid_file.GridOutCursor: synchro.GridOutCursor,
    }
    return pairs


class ModuleProxy(types.ModuleType):
    """A stand-in for one real module, seen only by the test suite."""

    def __init__(self, real: types.ModuleType, redirector: Redirector) -> None:
        super().__init__(real.__name__, real.__doc__)
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_redirector", redirector)

    def __getattr__(self, name: str) -> Any:
        try:
            value = getattr(self._real, name)
        except AttributeError:
            if name == "__all__":  # "from module import *" of a module without __all__
                return [n for n in vars(self._real) if not n.startswith("_")]
            raise
        return self._redirector.translate(value)

    def __setattr__(self, name: str, value: Any) -> None:
        # The import system records submodules on their parent: keep the real one in step.
        setattr(self._real, name, self._redirector.untranslate(value))

    def __delattr__(self, name: str) -> None:
        delattr(self._real, name)

    def __dir__(self) -> list[str]:
        return dir(self._real)

    def __repr__(self) -> str:
        return f"<synchro proxy of {self._real!r}>"


class Redirector:
    def __init__(self, is_test_module: Any) -> None:
        self._is_test_module = is_test_module
        self._replacements = _replacements()
        self._originals = {v: k for k, v in self._replacements.items()}
        self._proxies: dict[str, ModuleProxy] = {}
        self._real_import = None

    def translate(self, value: Any) -> Any:
        if isinstance(value, type):
            return self._replacements.get(value, value)
        if isinstance(value, types.ModuleType) and value.__name__.partition(".")[0] in _ROOTS:
            return self.proxy(value)
        return value

    def untranslate(self, value: Any) -> Any:
        """What to store in a real module (mock.patch restoring an attribute, say)."""
        if isinstance(value, ModuleProxy):
            return value._real
        if isinstance(value, type):
            return self._originals.get(value, value)
        return value

    def proxy(self, module: types.ModuleType) -> ModuleProxy:
        proxy = self._proxies.get(module.__name__)
        if proxy is None:
            proxy = self._proxies[module.__name__] = ModuleProxy(module, self)
        return proxy

    def _import(
        self, name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> Any:
        module = self._real_import(name, globals, locals, fromlist, level)
        if globals is None or not self._is_test_module(globals.get("__name__") or ""):
            return module
        if isinstance(module, types.ModuleType) and module.__name__.partition(".")[0] in _ROOTS:
            return self.proxy(module)
        return module

    def install(self) -> None:
        if self._real_import is None:
            self._real_import = builtins.__import__
            builtins.__import__ = self._import

    def uninstall(self) -> None:
        if self._real_import is not None:
            builtins.__import__ = self._real_import
            self._real_import = None


def is_pymongo_test_module(name: str) -> bool:
    return name == "test" or name.startswith("test.")


def install(is_test_module: Any = is_pymongo_test_module) -> Redirector:
    """Redirect the test modules' imports of pymongo and gridfs to Synchro; return the redirector."""
    import motor.motor_asyncio  # noqa: F401 - binds the real PyMongo first

    redirector = Redirector(is_test_module)
    redirector.install()
    return redirector
