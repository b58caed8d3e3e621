"""Declaring Motor's wrapper classes: which delegate methods do I/O, which are pure.

A wrapper class lists its delegate's public surface as class attributes::

    class AgnosticCollection(AgnosticBase):
        __delegate_class__ = pymongo.collection.Collection
        insert_one = Async()            # I/O: runs in a bridge greenlet, returns a Future
        list_indexes = Async(wrap=True) # ... and the result becomes a Motor object
        with_options = Sync(wrap=True)  # pure: called directly
        name = ReadOnly()               # pure property

``__init_subclass__`` turns each declaration into a real method once, when the class is
defined. This table is the one place that says what does I/O; Synchro reads it too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

_T = TypeVar("_T")


class Declaration:
    """A marker for one delegate attribute; replaced by a real method or property."""

    def __init__(self, attr_name: str | None = None, *, wrap: bool = False, doc: str | None = None):
        self.attr_name = attr_name
        self.wrap = wrap
        self.doc = doc
        self.name = ""

    def build(self, cls: type, name: str) -> Any:
        raise NotImplementedError

    if TYPE_CHECKING:
        # For type checkers only: what the attribute is once ``__init_subclass__`` has
        # replaced the declaration with ``build()``'s result. The subclasses narrow it.
        def __get__(self, obj: object, owner: type | None = None) -> Any: ...


class Async(Declaration):
    """An I/O method: returns a Future (or calls ``callback(result, error)``)."""

    if TYPE_CHECKING:

        def __get__(self, obj: object, owner: type | None = None) -> Callable[..., Any]: ...

    def build(self, cls: type, name: str) -> Callable[..., Any]:
        attr = self.attr_name or name
        wrap = self.wrap

        def method(self: Any, *args: Any, callback: Any = None, **kwargs: Any) -> Any:
            fn = getattr(self.delegate, attr)
            if wrap:
                fn = wrapping(self, fn)
            return self._run(fn, args, kwargs, callback)

        return _describe(method, cls, name, attr, self.doc, "I/O")


class Sync(Declaration):
    """A pure method, called directly on the delegate (its result wrapped if ``wrap``)."""

    if TYPE_CHECKING:

        def __get__(self, obj: object, owner: type | None = None) -> Callable[..., Any]: ...

    def build(self, cls: type, name: str) -> Callable[..., Any]:
        attr = self.attr_name or name
        wrap = self.wrap

        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = getattr(self.delegate, attr)(*unwrap_args(args), **unwrap_kwargs(kwargs))
            return self._wrap(result) if wrap else result

        return _describe(method, cls, name, attr, self.doc, "pure")


class ReadOnly(Declaration):
    """A pure, read-only property of the delegate."""

    def build(self, cls: type, name: str) -> property:
        attr = self.attr_name or name
        wrap = self.wrap

        def fget(self: Any) -> Any:
            result = getattr(self.delegate, attr)
            return self._wrap(result) if wrap else result

        delegate_attr = getattr(cls.__dict__.get("__delegate_class__"), attr, None)
        return property(fget, doc=self.doc or getattr(delegate_attr, "__doc__", None))


def _describe(
    method: Callable[..., Any], cls: type, name: str, attr: str, doc: str | None, kind: str
) -> Callable[..., Any]:
    method.__name__ = name
    method.__qualname__ = f"{cls.__name__}.{name}"
    delegate_fn = getattr(getattr(cls, "__delegate_class__", None), attr, None)
    method.__doc__ = doc or getattr(delegate_fn, "__doc__", None)
    method.__motor_kind__ = kind  # type: ignore[attr-defined]
    method.__motor_attr__ = attr  # type: ignore[attr-defined]
    return method


def wrapping(owner: Any, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        return owner._wrap(fn(*args, **kwargs))

    return call


def unwrap(value: Any) -> Any:
    """A Motor object's PyMongo delegate; anything else unchanged."""
    return getattr(value, "__motor_delegate__", value)


# Argument types that are never Motor objects: skipped without an attribute lookup
# (a failed getattr raises and catches AttributeError: the costliest part of a call).
_PLAIN = frozenset({dict, list, tuple, str, bytes, int, float, bool, type(None)})


def unwrap_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    for a in args:
        if type(a) not in _PLAIN:
            return tuple(unwrap(a) for a in args)
    return args


def unwrap_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    for v in kwargs.values():
        if type(v) not in _PLAIN:
            return {k: unwrap(v) for k, v in kwargs.items()}
    return kwargs


def io_methods(cls: type) -> dict[str, str]:
    """Map each declared I/O method of ``cls`` to the delegate attribute it calls."""
    found = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if getattr(value, "__motor_kind__", None) == "I/O":
                found[name] = value.__motor_attr__
    return found


class Latent(Declaration):
    """An I/O method whose result is a cursor that runs the method when first used.

    ``cursor`` is the Agnostic class of that cursor (a latent command cursor, or a change
    stream), built with the owner, the delegate's method and the call's arguments. The
    call returns it at once; the command runs when it is first iterated, as in Motor 3
    (``async for doc in coll.aggregate(pipeline)``).
    """

    if TYPE_CHECKING:

        def __get__(self, obj: object, owner: type | None = None) -> Callable[..., Any]: ...

    def __init__(self, attr_name: str | None = None, *, cursor: type, doc: str | None = None):
        super().__init__(attr_name, doc=doc)
        self.cursor = cursor

    def build(self, cls: type, name: str) -> Callable[..., Any]:
        attr = self.attr_name or name
        agnostic = self.cursor

        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            cursor_class = self._motor_class(agnostic)
            start = getattr(self.delegate, attr)
            return cursor_class(self, start, *unwrap_args(args), **unwrap_kwargs(kwargs))

        return _describe(method, cls, name, attr, self.doc, "I/O-latent")


class Chain(Declaration):
    """A cursor modifier: applied to the delegate, returns the Motor cursor for chaining."""

    if TYPE_CHECKING:

        @overload
        def __get__(self, obj: None, owner: type | None = None) -> Callable[..., Any]: ...
        @overload
        def __get__(self, obj: _T, owner: type | None = None) -> Callable[..., _T]: ...
        def __get__(self, obj: object, owner: type | None = None) -> Callable[..., Any]: ...

    def build(self, cls: type, name: str) -> Callable[..., Any]:
        attr = self.attr_name or name

        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            getattr(self.delegate, attr)(*args, **kwargs)
            return self

        return _describe(method, cls, name, attr, self.doc, "chain")
