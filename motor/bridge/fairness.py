"""Loop fairness: no single operation holds the event loop for long, at any size.

A bridge greenlet gives the loop back only when its socket would block, so the CPU work
of a big operation (encoding a large ``insert_many``, decoding a 16 MB reply batch) and a
tight run of operations whose replies are already there would otherwise run without a
break. Four measures bound that time (doc/bridge.rst, "How CPU-heavy operations share
the loop"); the first and the last are the bridge's own (``greenlets.checkpoint`` and
``greenlets.start``, timed by ``turns``), the middle two are PyMongo patches made here:

* **Time slices.** ``checkpoint()`` runs at safe points: before each ``sendall`` and
  ``recv_into`` of a ``GreenSocket``, and every ``EVERY`` Python-level steps while
  PyMongo prepares a bulk write (patched in here). A greenlet that has run ``SLICE``
  seconds since the loop last resumed it suspends once (``greenlets.give_turn``).
* **Write batches sized by CPU time.** Motor's bulk writes encode batches of about
  ``BATCH_SECONDS`` of CPU each (measured on the previous batch of the same write) instead
  of the server's 48 MB / 100,000-document maximum; the loop runs while each batch's
  reply is awaited. PyMongo's own batch splitting does the work, so ordering, error
  indexes and retries are PyMongo's.
* **Reply batches sized by CPU time.** When the application gave no ``batch_size``, each
  ``getMore`` asks for as many documents as decode in about ``BATCH_SECONDS``, measured
  on the cursor's previous batch, rather than the server's 16 MB default.
* **A run of operations that never wait.** When the loop has not been seen to turn for
  ``SLICE``, ``start`` makes the next operation begin by suspending once.

Only bridge greenlets are affected: PyMongo used from threads, or PyMongo's async API,
behaves as before.

PyMongo names this relies on (``install`` checks them):
``pymongo.synchronous.bulk._Bulk`` (``bulk_ctx_class``, ``add_insert``, ``add_update``,
``add_replace``, ``add_delete``), ``pymongo.bulk_shared._Run.add``,
``pymongo.message._BulkWriteContext`` (``batch_command``, ``max_write_batch_size``),
``pymongo.message._GetMore``, ``pymongo.synchronous.cursor.Cursor`` and
``pymongo.synchronous.command_cursor.CommandCursor`` (``_unpack_response``,
``_getmore_class``, ``_batch_size``), and the ``ObjectId`` global of
``pymongo.synchronous.collection``.
"""

from __future__ import annotations

import functools
from time import monotonic, thread_time
from typing import Any

from motor.bridge.greenlets import checkpoint, current_bridge

BATCH_SECONDS = 0.015  # target CPU time to encode one write batch, or decode one reply batch
FIRST_WRITE_BATCH = 16  # documents in a bulk write's first batch, before anything is measured
GROWTH = 16  # a write batch is at most this many times the size of the one before
LARGE_REPLY = 256 * 1024  # bytes; a larger reply's decoding is timed by CPU clock
EVERY = 64  # Python-level steps of a bulk write's preparation between two checkpoints


# -- Python-level steps of a bulk write -----------------------------------------------------
# A countdown that each wrapper decrements inline: the wrapped calls run once per document
# (100,000 times for a 100,000-document insert_many), and a call to a helper there costs as
# much as the step it counts (0.2 us against _Run.add's 0.15 us).
_left = EVERY


def _stepping(method: Any, *, keywords: bool = True) -> Any:
    """``method``, counting one step per call, with a checkpoint every EVERY steps."""
    if keywords:

        @functools.wraps(method, updated=())
        def stepping(*args: Any, **kwargs: Any) -> Any:
            global _left
            _left -= 1
            if not _left:
                _left = EVERY
                checkpoint()
            return method(*args, **kwargs)

    else:  # a tenth of a microsecond less per call, for positional-only callers

        @functools.wraps(method, updated=())
        def stepping(*args: Any) -> Any:
            global _left
            _left -= 1
            if not _left:
                _left = EVERY
                checkpoint()
            return method(*args)

    return stepping


# -- write batches ------------------------------------------------------------------------
def _sliced_context_class(base: type) -> type:
    class SlicedBulkWriteContext(base):  # type: ignore[valid-type,misc]
        """A bulk write context whose batches take about BATCH_SECONDS to encode."""

        __slots__ = ("motor_limit",)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.motor_limit = FIRST_WRITE_BATCH

        @property
        def max_write_batch_size(self) -> int:
            return min(self.conn.max_write_batch_size, self.motor_limit)

        def batch_command(self, cmd: Any, docs: Any) -> Any:
            # CPU time, so that waiting for a CPU does not shrink batches; but reading
            # that clock is a system call, too slow for the first, small batch.
            clock = thread_time if self.motor_limit > FIRST_WRITE_BATCH else monotonic
            started = clock()
            result = super().batch_command(cmd, docs)
            took = clock() - started
            sent = len(result[2])
            if took > 0:
                fits = int(sent * BATCH_SECONDS / took)
            else:
                fits = sent * GROWTH
            self.motor_limit = max(1, min(fits, sent * GROWTH))
            return result

    return SlicedBulkWriteContext


def _bulk_ctx_class(original: Any, plain: type, sliced: type) -> Any:
    @functools.wraps(original.fget)
    def bulk_ctx_class(self: Any) -> type:
        cls = original.fget(self)  # also sets self.is_encrypted
        if cls is plain and current_bridge() is not None:
            return sliced
        return cls  # type: ignore[no-any-return]

    return property(bulk_ctx_class)


# -- reply batches ------------------------------------------------------------------------
def _timed_unpack(original: Any) -> Any:
    @functools.wraps(original)
    def _unpack_response(self: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        # CPU time for a large reply (see batch_command); a small one is quickly decoded.
        size = len(getattr(response, "payload_document", b""))
        clock = thread_time if size > LARGE_REPLY else monotonic
        started = clock()
        docs = original(self, response, *args, **kwargs)
        took = clock() - started
        try:
            cursor = docs[0]["cursor"]
            batch = cursor.get("nextBatch")
            if batch is None:
                batch = cursor["firstBatch"]
            if batch:
                # Quick to shrink the next batch, slow to grow it: decoding speed varies
                # from batch to batch (garbage collection, other processes).
                per_doc = took / len(batch)
                before = self.__dict__.get("_motor_doc_seconds", per_doc)
                self._motor_doc_seconds = max(per_doc, (per_doc + before) / 2)
        except (LookupError, TypeError, AttributeError):
            pass  # not a cursor reply (an error, a legacy reply): nothing to learn
        return docs

    return _unpack_response


def _getmore_class(getmore: type) -> Any:
    def make(cap: int, db: Any, coll: Any, ntoreturn: int, *args: Any) -> Any:
        return getmore(db, coll, min(ntoreturn, cap) if ntoreturn else cap, *args)

    def _getmore_class(self: Any) -> Any:
        per_doc = self.__dict__.get("_motor_doc_seconds")
        if per_doc is None or self._batch_size or current_bridge() is None:
            return getmore  # the application's batch_size, or nothing measured yet
        return functools.partial(make, max(1, int(BATCH_SECONDS / max(per_doc, 1e-9))))

    return property(_getmore_class)


_installed = False


def install() -> None:
    """Patch PyMongo's synchronous bulk writes and cursors (idempotent)."""
    global _installed
    if _installed:
        return
    import pymongo.bulk_shared as bulk_shared
    import pymongo.synchronous.bulk as bulk
    import pymongo.synchronous.collection as collection
    from pymongo.message import _BulkWriteContext, _GetMore
    from pymongo.synchronous.command_cursor import CommandCursor
    from pymongo.synchronous.cursor import Cursor

    needed = {
        bulk._Bulk: (
            "bulk_ctx_class",
            "add_insert",
            "add_update",
            "add_replace",
            "add_delete",
        ),
        bulk_shared._Run: ("add",),
        _BulkWriteContext: ("batch_command", "max_write_batch_size"),
        Cursor: ("_unpack_response", "_getmore_class"),
        CommandCursor: ("_unpack_response", "_getmore_class"),
    }
    missing = [
        f"{cls.__qualname__}.{name}"
        for cls, names in needed.items()
        for name in names
        if not hasattr(cls, name)
    ]
    if not isinstance(getattr(bulk._Bulk, "bulk_ctx_class", None), property):
        missing.append("_Bulk.bulk_ctx_class (a property)")
    if not hasattr(collection, "ObjectId"):
        missing.append("pymongo.synchronous.collection.ObjectId")
    if missing:
        from motor.bridge.compat import _fail

        _fail("missing " + ", ".join(missing))
    # insert_many makes each missing _id with ObjectId(): it counts a step too.
    collection.ObjectId = _stepping(collection.ObjectId, keywords=False)  # type: ignore[misc]
    for name in ("add_insert", "add_update", "add_replace", "add_delete"):
        setattr(bulk._Bulk, name, _stepping(getattr(bulk._Bulk, name)))
    # Grouping the operations into runs is a Python loop over all of them too. _Run is
    # shared with PyMongo's async API, where a step costs a counter and, every EVERY
    # steps, a look at the current greenlet.
    bulk_shared._Run.add = _stepping(bulk_shared._Run.add, keywords=False)  # type: ignore[method-assign]
    bulk._Bulk.bulk_ctx_class = _bulk_ctx_class(  # type: ignore[method-assign,assignment]
        bulk._Bulk.bulk_ctx_class,
        _BulkWriteContext,
        _sliced_context_class(_BulkWriteContext),
    )
    for cls in (Cursor, CommandCursor):
        cls._unpack_response = _timed_unpack(cls._unpack_response)  # type: ignore[method-assign]
        cls._getmore_class = _getmore_class(_GetMore)  # type: ignore[assignment,misc]
    _installed = True
