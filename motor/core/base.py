"""AgnosticBase: what every Motor wrapper shares, and the per-framework class factory."""

from __future__ import annotations

import asyncio
import functools
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

from motor.bridge.greenlets import start
from motor.core.declare import Declaration, unwrap_args, unwrap_kwargs

# (framework name, PyMongo class) -> the Motor class wrapping it for that framework.
_registry: dict[tuple[str, type], type[AgnosticBase]] = {}
# (Agnostic class, framework name) -> its framework class.
_framework_classes: dict[tuple[type, str], type[AgnosticBase]] = {}

_B = TypeVar("_B", bound="AgnosticBase")


def _deliver(callback: Callable[[Any, Any], Any], future: asyncio.Future[Any]) -> None:
    if future.cancelled():
        callback(None, asyncio.CancelledError())
    elif future.exception() is not None:
        callback(None, future.exception())
    else:
        callback(future.result(), None)


def check_callback(callback: Any) -> None:
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a callable, not {type(callback).__name__}")


class AgnosticBase:
    """Wraps one PyMongo object (``delegate``); framework classes subclass it."""

    __delegate_class__: type | None = None
    __motor_class_name__ = ""
    _framework: Any = None
    # Set by each subclass's constructor: the Motor client this object belongs to.
    _client: Any

    if TYPE_CHECKING:
        # Defined by each class that PyMongo objects are wrapped in (see ``_wrap``).
        @classmethod
        def _from_delegate(cls, delegate: Any, parent: Any) -> Any: ...

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if isinstance(value, Declaration):
                setattr(cls, name, value.build(cls, name))

    def __init__(self, delegate: Any) -> None:
        self.delegate = delegate

    def __class_getitem__(cls, item: Any) -> Any:
        # AsyncIOMotorCollection[dict[str, Any]] in annotations Python evaluates, as in Motor 3.
        return types.GenericAlias(cls, item)

    @property
    def __motor_delegate__(self) -> Any:
        return self.delegate

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AgnosticBase) and type(self) is type(other):
            return bool(self.delegate == other.delegate)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.delegate)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.delegate!r})"

    # -- loop and bridge ----------------------------------------------------------
    def get_io_loop(self) -> Any:
        return self._client.get_io_loop()

    def _run(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        callback: Any = None,
    ) -> Any:
        """Run ``fn`` in a bridge greenlet: a Future, or None with ``callback(result, error)``."""
        if callback is not None:
            check_callback(callback)
        future = start(
            self._framework.hub(self.get_io_loop()),
            fn,
            unwrap_args(args) if args else args,
            unwrap_kwargs(kwargs) if kwargs else kwargs,
        )
        if callback is None:
            return future
        future.add_done_callback(functools.partial(_deliver, callback))
        return None

    def _resolved(self, value: Any, callback: Any = None) -> Any:
        """An answer that needs no I/O: a Future holding ``value``, or ``callback(value, None)`` soon."""
        hub = self._framework.hub(self.get_io_loop())
        if callback is not None:
            check_callback(callback)
            hub.call_soon(callback, value, None)
            return None
        future = hub.loop.create_future()
        future.set_result(value)
        return future

    # -- wrapping results -----------------------------------------------------------
    def _motor_class(self, agnostic: type[_B]) -> type[_B]:
        return create_class_with_framework(agnostic, self._framework)

    def _wrap(self, obj: Any) -> Any:
        """Wrap a PyMongo object in this framework's Motor class, if there is one."""
        for klass in type(obj).__mro__:
            motor_class = _registry.get((self._framework.name, klass))
            if motor_class is not None:
                return motor_class._from_delegate(obj, self)
        return obj


class NotIterable:
    """Refuses synchronous iteration at once: ``iter()``, ``for``, ``list()``, ``in``, ``next()``.

    Without it, ``for x in obj`` would go through ``__getitem__`` forever: ``db[0]``,
    ``db[1]``, ... name collections, and ``cursor[0]``, ``cursor[1]``, ... return Futures.
    Like PyMongo's client, database and collection, ``next`` and ``__next__`` raise too
    (so ``db.next`` is not a collection); cursors define their own ``next``.
    """

    #: Appended to the TypeError's message: what to do instead.
    _not_iterable_hint = ""

    def _not_iterable(self) -> TypeError:
        return TypeError(f"'{type(self).__name__}' object is not iterable{self._not_iterable_hint}")

    def __iter__(self) -> NoReturn:
        raise self._not_iterable()

    def __contains__(self, item: object) -> NoReturn:
        raise self._not_iterable()

    def __next__(self) -> NoReturn:
        raise self._not_iterable()

    next = __next__


def create_class_with_framework(
    agnostic: type[_B], framework: Any, module: str | None = None
) -> type[_B]:
    """The subclass of ``agnostic`` bound to ``framework`` (made once, then cached)."""
    key = (agnostic, framework.name)
    cls = _framework_classes.get(key)
    if cls is None:
        name = framework.CLASS_PREFIX + agnostic.__motor_class_name__
        cls = type(
            name,
            (agnostic,),
            {
                "_framework": framework,
                "__module__": module or agnostic.__module__,
                "__qualname__": name,
            },
        )
        _framework_classes[key] = cls
        delegate_class = agnostic.__dict__.get("__delegate_class__")
        if delegate_class is not None:
            _registry[(framework.name, delegate_class)] = cls
    elif module is not None:
        cls.__module__ = module
    return cast("type[_B]", cls)  # made above as a subclass of ``agnostic``


def export(
    agnostic_classes: list[type[AgnosticBase]], framework: Any, namespace: dict[str, Any]
) -> list[str]:
    """Create each class for ``framework`` in a public module's ``namespace``; return the names."""
    names = []
    for agnostic in agnostic_classes:
        cls = create_class_with_framework(agnostic, framework, namespace["__name__"])
        namespace[cls.__name__] = cls
        names.append(cls.__name__)
    return sorted(names)
