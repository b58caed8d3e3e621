"""Generating a synchronous class from a Motor class.

A Synchro object wraps one Motor (asyncio) object, ``self._motor``. Its methods are made
from the Motor class's own declarations (``__motor_kind__`` on each generated Motor
method, see ``motor.core.declare``):

========== ================================================================
Motor kind  Synchro method
========== ================================================================
I/O         call the Motor method, wait for its Future, wrap the result
I/O-latent  call it, start the latent cursor or change stream now (PyMongo
            runs the command at the call), wrap it
pure        call it, wrap the result
chain       call it, return this Synchro object
========== ================================================================

Motor properties become Synchro properties (results wrapped). ``__aenter__``/``__aexit__``
become ``__enter__``/``__exit__`` and ``__aiter__``/``__anext__`` become ``__iter__``/
``__next__``, each waiting for the Motor coroutine or Future. What is left - hand-written
Motor methods that return Futures, and PyMongo's private attributes, which some tests
inspect - is reached through ``__getattr__``: a private name is looked up on the PyMongo
object Motor wraps, anything else on the Motor object (waiting for a Future it returns).

Arguments are unwrapped (Synchro object -> Motor object) and results wrapped (Motor
object -> Synchro object, the same Synchro object each time for one Motor object).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import weakref
from collections.abc import Callable
from typing import Any

from pymongo.synchronous.client_session import ClientSession as _PyClientSession
from pymongo.synchronous.collection import Collection as _PyCollection
from pymongo.synchronous.command_cursor import CommandCursor as _PyCommandCursor
from pymongo.synchronous.cursor import Cursor as _PyCursor
from pymongo.synchronous.database import Database as _PyDatabase
from pymongo.synchronous.mongo_client import MongoClient as _PyMongoClient

from motor.core.base import AgnosticBase
from synchro._loop import current_loop, motor_call, run

# Motor class -> Synchro class (filled by ``synchronize``).
_classes: dict[type, type] = {}

# Motor's own API that PyMongo does not have: not offered by Synchro.
MOTOR_ONLY = frozenset(
    {
        "each",
        "fetch_next",
        "get_io_loop",
        "io_loop",
        "next_object",
        "open_sync",
        "sync_client",
        "copy_to",
        "stream_to_handler",
    }
)

# A Motor object's attribute holding a weak reference to its Synchro object.
_REF = "_synchro_ref"

# The PyMongo classes whose objects, found in PyMongo's internal attributes, are shown
# as Synchro objects (through Motor's own wrapping).
_WRAPPABLE = (
    _PyClientSession,
    _PyCollection,
    _PyCommandCursor,
    _PyCursor,
    _PyDatabase,
    _PyMongoClient,
)


def wrap(value: Any) -> Any:
    """A Motor object's Synchro object (the same one while it lives); other values as is."""
    if isinstance(value, AgnosticBase):
        ref = vars(value).get(_REF)
        existing = ref() if ref is not None else None
        if existing is not None:
            return existing
        synchro_class = synchro_class_for(value)
        if synchro_class is None:
            return value
        obj = synchro_class._from_motor(value)
        vars(value)[_REF] = weakref.ref(obj)
        return obj
    if type(value) is tuple:
        return tuple(wrap(v) for v in value)
    if type(value) is list and value and isinstance(value[0], AgnosticBase):
        return [wrap(v) for v in value]
    return value


def synchro_class_for(motor_obj: Any) -> type | None:
    for klass in type(motor_obj).__mro__:
        synchro_class = _classes.get(klass)
        if synchro_class is not None:
            chooser = getattr(synchro_class, "_choose_class", None)
            return chooser(motor_obj) if chooser is not None else synchro_class
    return None


def unwrap(value: Any) -> Any:
    """A Synchro object's Motor object; lists and tuples of them element-wise."""
    if isinstance(value, Synchro):
        return value._motor
    if type(value) in (list, tuple) and value and any(isinstance(v, Synchro) for v in value):
        return type(value)(unwrap(v) for v in value)
    return value


def to_pymongo(value: Any) -> Any:
    """A Synchro (or Motor) object's PyMongo object; anything else unchanged."""
    value = unwrap(value)
    return value.delegate if isinstance(value, AgnosticBase) else value


def unwrap_args(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return tuple(unwrap(a) for a in args), {k: unwrap(v) for k, v in kwargs.items()}


def wait(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the Motor method ``fn`` and wait for the Future it returns; return its result."""
    return run(motor_call(fn, *args, **kwargs))


def _settle(result: Any) -> Any:
    """Wait for ``result`` if it is a Future or coroutine (Motor's I/O); return it wrapped."""
    if isinstance(result, asyncio.Future) or asyncio.iscoroutine(result):
        result = run(result)
    return wrap(result)


class Synchro:
    """Base of every Synchro class: holds the Motor object, forwards what is not declared."""

    __motor_class__: type | None = None

    _motor: Any

    @classmethod
    def _from_motor(cls, motor_obj: Any) -> Any:
        obj = cls.__new__(cls)
        object.__setattr__(obj, "_motor", motor_obj)
        return obj

    def _bind(self, motor_obj: Any) -> None:
        """For constructors: wrap a new Motor object, and make it map back to ``self``."""
        object.__setattr__(self, "_motor", motor_obj)
        vars(motor_obj)[_REF] = weakref.ref(self)

    @property
    def _pymongo(self) -> Any:
        """The PyMongo object under the Motor object."""
        return self._motor.delegate

    def __getattr__(self, name: str) -> Any:
        if name == "__del__":
            # Not a method of the class (collecting the wrapper must not close what the
            # Motor object may still use), but tests call it: PyMongo's cleanup.
            try:
                motor_obj = object.__getattribute__(self, "_motor")
            except AttributeError:  # made with __new__ alone
                motor_obj = None
            delegate = getattr(motor_obj, "delegate", None)
            return getattr(delegate, "__del__", lambda: None)
        if name.startswith("__") or name == "_motor":
            raise AttributeError(name)
        if name.startswith("_"):
            # PyMongo's internals, which some tests inspect (cursor._query_flags,
            # client._topology, ...): the real PyMongo object's.
            motor_obj = self._motor
            delegate = motor_obj.delegate
            if delegate is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            return _wrap_internal(motor_obj, getattr(delegate, name))
        if name in MOTOR_ONLY:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        current_loop()
        value = getattr(self._motor, name)
        if callable(value) and not isinstance(value, (AgnosticBase, Synchro)):
            return _forwarding(value)
        return wrap(value)

    def __repr__(self) -> str:
        delegate = self._motor.delegate
        if delegate is None:
            return f"{type(self).__name__}({self._motor!r})"
        return repr(delegate)


def _wrap_internal(motor_obj: Any, value: Any) -> Any:
    """A PyMongo internal attribute's value: a PyMongo object of a class Synchro replaces
    (``change_stream._cursor``, ``cursor._session``) comes back as the Synchro object."""
    if isinstance(value, _WRAPPABLE):
        try:
            value = motor_obj._wrap(value)
        except (AttributeError, TypeError):
            return value
        return wrap(value)
    return value


def _forwarding(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        args, kwargs = unwrap_args(args, kwargs)
        current_loop()
        return _settle(motor_call(fn, *args, **kwargs))

    return call


# -- method factories, one per Motor kind ---------------------------------------------------


def _io(name: str, motor_fn: Any) -> Callable[..., Any]:
    def method(self: Synchro, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = unwrap_args(args, kwargs)
        current_loop()
        return wrap(run(motor_call(getattr(self._motor, name), *args, **kwargs)))

    return _named(method, name, motor_fn)


def _latent(name: str, motor_fn: Any) -> Callable[..., Any]:
    def method(self: Synchro, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = unwrap_args(args, kwargs)
        current_loop()
        latent = getattr(self._motor, name)(*args, **kwargs)
        # PyMongo sends the command here, so errors are raised here: start it now.
        run(motor_call(latent._run, latent._ensure_started, (), {}))
        return wrap(latent)

    return _named(method, name, motor_fn)


def _pure(name: str, motor_fn: Any) -> Callable[..., Any]:
    def method(self: Synchro, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = unwrap_args(args, kwargs)
        current_loop()
        return wrap(getattr(self._motor, name)(*args, **kwargs))

    return _named(method, name, motor_fn)


def _chain(name: str, motor_fn: Any) -> Callable[..., Any]:
    def method(self: Synchro, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = unwrap_args(args, kwargs)
        getattr(self._motor, name)(*args, **kwargs)
        return self

    return _named(method, name, motor_fn)


_FACTORIES = {"I/O": _io, "I/O-latent": _latent, "pure": _pure, "chain": _chain}


def _named(method: Callable[..., Any], name: str, motor_fn: Any) -> Callable[..., Any]:
    method.__name__ = name
    method.__doc__ = getattr(motor_fn, "__doc__", None)
    method.__synchro_kind__ = motor_fn.__motor_kind__  # type: ignore[attr-defined]
    return method


def _property(name: str, prop: property) -> property:
    def fget(self: Synchro) -> Any:
        current_loop()
        return wrap(getattr(self._motor, name))

    fset = None
    if prop.fset is not None:

        def fset(self: Synchro, value: Any) -> None:
            setattr(self._motor, name, unwrap(value))

    return property(fget, fset, doc=prop.__doc__)


def _enter(self: Synchro) -> Any:
    current_loop()
    return wrap(run(motor_call(self._motor.__aenter__)))


def _exit(self: Synchro, exc_type: Any, exc: Any, tb: Any) -> Any:
    current_loop()
    return run(motor_call(self._motor.__aexit__, exc_type, exc, tb))


def _iter(self: Synchro) -> Synchro:
    return self


def _next(self: Synchro) -> Any:
    current_loop()
    try:
        return wrap(run(motor_call(self._motor.__anext__)))
    except StopAsyncIteration:
        raise StopIteration from None


def synchronize(
    motor_class: type,
    name: str,
    bases: tuple[type, ...] = (Synchro,),
    glue: dict[str, Any] | None = None,
) -> type:
    """Make the Synchro class ``name`` for ``motor_class``; ``glue`` is hand-written attributes.

    The generated methods come from the Motor class's declarations; ``glue`` wins over them.
    """
    namespace: dict[str, Any] = {
        "__motor_class__": motor_class,
        "__module__": "synchro",
        "__qualname__": name,
    }
    for attr in dir(motor_class):
        if attr in MOTOR_ONLY or attr == "__motor_delegate__":
            continue
        value = getattr(motor_class, attr, None)
        kind = getattr(value, "__motor_kind__", None)
        if kind in _FACTORIES:
            method = namespace[attr] = _FACTORIES[kind](attr, value)
            _copy_signature(method, motor_class, value)
            continue
        static = inspect_static(motor_class, attr)
        if isinstance(static, property) and not attr.startswith("__"):
            namespace[attr] = _property(attr, static)
    if hasattr(motor_class, "__aenter__"):
        namespace["__enter__"] = _enter
        namespace["__exit__"] = _exit
    if hasattr(motor_class, "__anext__"):
        namespace["__iter__"] = _iter
        namespace["__next__"] = _next
        namespace["next"] = _next
    namespace.update(glue or {})
    cls = type(name, bases, namespace)
    _classes[motor_class] = cls
    return cls


def _copy_signature(method: Callable[..., Any], motor_class: type, motor_fn: Any) -> None:
    """Give a generated method the signature of the PyMongo method it stands for."""
    delegate_class = getattr(motor_class, "__delegate_class__", None)
    pymongo_fn = getattr(delegate_class, getattr(motor_fn, "__motor_attr__", ""), None)
    if not callable(pymongo_fn):
        return
    try:
        method.__signature__ = inspect.signature(pymongo_fn)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return
    method.__doc__ = pymongo_fn.__doc__ or method.__doc__


def inspect_static(cls: type, attr: str) -> Any:
    for klass in cls.__mro__:
        if attr in vars(klass):
            return vars(klass)[attr]
    return None
