"""Bad input to every I/O method of MotorCollection: PyMongo's errors, nothing broken.

Property-based (hypothesis): for each method that ``motor.core.declare.io_methods``
lists for MotorCollection, arguments are drawn from a mix of invalid documents, keys
(``$``-prefixed, dotted, empty, with NUL, not strings), wrong types, unknown options and
plausible values. The same input goes to Motor and to plain PyMongo, each on its own
database (``motor_bad_m`` and ``motor_bad_p``, given the same calls, so their states
stay the same): both must succeed, or both raise the same exception type with the same
message (names normalised). After each example no connection is checked out, no
greenlet is left, and nothing reached the loop's exception handler.

Oversized documents (over 16 MB) and oversized batches (over maxWriteBatchSize
documents, over maxMessageSizeBytes in total) are explicit tests.

Hypothesis runs from a fixed seed per (framework, method), so the two frameworks get
different inputs and every run the same ones, with no example database and no
deadline.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import inspect
import re
import time
import zlib

import pytest
from bson import Code, ObjectId, Regex
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from pymongo import DeleteOne, InsertOne, UpdateOne
from pymongo.collection import Collection

from motor.bridge.greenlets import live_greenlets
from motor.core.collection import AgnosticCollection
from motor.core.declare import io_methods
from test.reliability import LoopLag, checked_out, figure

IO_METHODS = io_methods(AgnosticCollection)
EXAMPLES = 25  # per framework: 50 inputs per method and topology
MOTOR_DB, PYMONGO_DB = "motor_bad_m", "motor_bad_p"
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)

# --- strategies ----------------------------------------------------------------------

BAD_KEYS = st.one_of(
    st.sampled_from(
        ["$set", "$inc", "$where", "$bad", "$", "a.b", ".", "a..b", "", "_id", "x\x00y", "$$x"]
    ),
    st.text(max_size=6),
    st.integers(-3, 3),
    st.binary(max_size=3),
    st.none(),
    st.tuples(st.integers(0, 2)),
    st.floats(allow_nan=False, allow_infinity=False),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),  # past 8 bytes too
    st.floats(),  # NaN and infinities included
    st.text(max_size=8),
    st.sampled_from(["$bad", "a.b", "$", "", "_id", "x\x00y"]),
    st.binary(max_size=4),
    st.just(ObjectId("0123456789abcdef01234567")),
    st.just(datetime.datetime(2020, 1, 1)),
    st.just(Regex("^a", "i")),
    st.just(Code("function () { return 1; }")),
    st.just(decimal.Decimal("1.5")),  # not BSON
    st.just(object()),  # not BSON
    st.just(1 + 2j),  # not BSON
    st.just({1, 2}),  # not BSON
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children),
        st.dictionaries(BAD_KEYS, children, max_size=3),
        st.dictionaries(
            st.sampled_from(["$set", "$inc", "$unset", "$push"]),
            st.dictionaries(BAD_KEYS, children, max_size=2),
            max_size=2,
        ),
    ),
    max_leaves=6,
)
# Documents: mappings whose keys and values are the trouble, now and then not mappings.
DOCS = st.one_of(
    st.dictionaries(BAD_KEYS, VALUES, max_size=4),
    st.dictionaries(st.sampled_from(["_id", "a", "a.b", "$set", "$where"]), SCALARS, max_size=3),
    VALUES,
)
# Write models, right and wrong, for bulk_write.
MODELS = st.one_of(
    st.builds(InsertOne, st.dictionaries(BAD_KEYS, SCALARS, max_size=2)),
    st.builds(DeleteOne, st.dictionaries(BAD_KEYS, SCALARS, max_size=2)),
    st.builds(UpdateOne, st.dictionaries(BAD_KEYS, SCALARS, max_size=2), DOCS),
    DOCS,
)
NAMES = st.one_of(
    st.sampled_from(["", "$bad", "a.b", ".a", "a.", "x\x00y", "system.x", "ok", "a" * 300]),
    st.text(max_size=8),
    VALUES,
)
INDEX_KEYS = st.one_of(
    NAMES,
    st.lists(
        st.tuples(
            BAD_KEYS,
            st.one_of(st.sampled_from([1, -1, "2d", "text", "hashed", 0, 2, "x"]), SCALARS),
        ),
        max_size=3,
    ),
    DOCS,
)
# What each parameter of Collection's methods gets, by name; anything else: VALUES.
BY_NAME = {
    "filter": DOCS,
    "document": DOCS,
    "replacement": DOCS,
    "update": st.one_of(DOCS, st.lists(DOCS, max_size=2)),
    "definition": DOCS,
    "model": DOCS,
    "projection": st.one_of(DOCS, st.lists(BAD_KEYS, max_size=2)),
    "sort": st.one_of(DOCS, INDEX_KEYS),
    "let": DOCS,
    "documents": st.one_of(st.lists(DOCS, max_size=4), VALUES),
    "requests": st.one_of(st.lists(MODELS, max_size=3), VALUES),
    "indexes": st.one_of(st.lists(st.one_of(DOCS, INDEX_KEYS), max_size=2), VALUES),
    "models": st.one_of(st.lists(DOCS, max_size=2), VALUES),
    "array_filters": st.one_of(st.lists(DOCS, max_size=2), VALUES),
    "key": NAMES,
    "name": NAMES,
    "new_name": NAMES,
    "index_or_name": INDEX_KEYS,
    "keys": INDEX_KEYS,
    "hint": INDEX_KEYS,
}
UNKNOWN_OPTIONS = st.sampled_from(
    ["bogus", "maxTimeMS", "upsert", "batchSize", "$bad", "hint", "collation"]
)


def parameters(method):
    """(required positional names, optional names, takes **kwargs) of the PyMongo method."""
    signature = inspect.signature(getattr(Collection, method))
    required, optional, var_kw = [], [], False
    for name, param in list(signature.parameters.items())[1:]:
        if param.kind is param.VAR_KEYWORD:
            var_kw = True
        elif param.kind is param.VAR_POSITIONAL:
            continue
        elif param.default is param.empty:
            required.append(name)
        else:
            optional.append(name)
    return required, optional, var_kw


@st.composite
def calls(draw, method):
    """Positional and keyword arguments for one call of ``method``."""
    required, optional, var_kw = parameters(IO_METHODS[method])
    args = [draw(BY_NAME.get(name, VALUES)) for name in required]
    if required and draw(st.integers(0, 19)) == 0:
        args.pop()  # a missing argument
    kwargs = {}
    for name in optional:
        if draw(st.integers(0, 5)) == 0:
            kwargs[name] = draw(BY_NAME.get(name, VALUES))
    if var_kw and draw(st.booleans()):
        kwargs[draw(UNKNOWN_OPTIONS)] = draw(SCALARS)
    elif not var_kw and draw(st.integers(0, 5)) == 0:
        kwargs["not_a_parameter"] = 1
    return args, kwargs


# --- running both --------------------------------------------------------------------

_OBJECT_ID = re.compile(r"[0-9a-f]{24}")
_MEMORY = re.compile(r" at 0x[0-9a-f]+")
_TIMESTAMP = re.compile(r"Timestamp\(\d+, \d+\)")  # $clusterTime, operationTime in error details


def normalise(text):
    text = text.replace(MOTOR_DB, "DB").replace(PYMONGO_DB, "DB")
    text = _TIMESTAMP.sub("Timestamp(?)", text)
    return _MEMORY.sub(" at 0x?", _OBJECT_ID.sub("OID", text))


def outcome_of(call):
    try:
        result = call()
    except Exception as exc:  # noqa: BLE001 - the outcome under comparison
        return ("raised", type(exc), normalise(str(exc)))
    return ("ok", type(result), None)


async def motor_outcome(call):
    try:
        result = await call()
    except Exception as exc:  # noqa: BLE001 - the outcome under comparison
        return ("raised", type(exc), normalise(str(exc)))
    return ("ok", type(result), None)


class LoopErrors:
    def __init__(self):
        self.contexts = []

    def install(self, loop):
        loop.set_exception_handler(lambda _loop, context: self.contexts.append(context))


@pytest.fixture(scope="module")
def _databases(sync_client):
    sync_client.drop_database(MOTOR_DB)
    sync_client.drop_database(PYMONGO_DB)
    yield
    sync_client.drop_database(MOTOR_DB)
    sync_client.drop_database(PYMONGO_DB)


@pytest.fixture
def both(client, sync_client, request, _databases):
    """(motor collection, pymongo collection): new ones, each on its side's database.

    Every test has its own collection name, so nothing needs dropping in between (on a
    replica set a dropDatabase per test costs more than the test).
    """
    name = f"c{zlib.crc32(request.node.name.encode()):08x}"
    return client[MOTOR_DB][name], sync_client[PYMONGO_DB][name]


@pytest.mark.parametrize("method", sorted(IO_METHODS))
def test_bad_input_gets_pymongos_error(method, both, client, framework, io_loop, record_property):
    motor_coll, pymongo_coll = both
    asyncio_loop = getattr(io_loop, "asyncio_loop", io_loop)
    loop_errors = LoopErrors()
    loop_errors.install(asyncio_loop)
    baseline = live_greenlets()
    tried = {"examples": 0, "both_ok": 0}

    @seed(zlib.crc32(f"{framework.name}-{method}".encode()))
    @HYPOTHESIS
    @given(call=calls(method))
    def check(call):
        args, kwargs = call
        motor_args, motor_kwargs = copy.deepcopy((args, kwargs))
        pymongo_args, pymongo_kwargs = copy.deepcopy((args, kwargs))

        async def via_motor():
            return await motor_outcome(
                lambda: getattr(motor_coll, method)(*motor_args, **motor_kwargs)
            )

        got = framework.run(io_loop, via_motor)
        expected = outcome_of(
            lambda: getattr(pymongo_coll, IO_METHODS[method])(*pymongo_args, **pymongo_kwargs)
        )
        tried["examples"] += 1
        if got[0] == "ok":
            tried["both_ok"] += got == expected
        else:
            key = got[1].__name__
            tried[key] = tried.get(key, 0) + 1
        assert got == expected, f"{method}(*{args!r}, **{kwargs!r})"
        if got[0] == "raised":
            assert got[2], f"{got[1].__name__} with an empty message"
        assert checked_out(client) == 0, "a connection is still checked out"
        assert live_greenlets() == baseline, "a greenlet is still running"
        assert not loop_errors.contexts, loop_errors.contexts[:1]

    try:
        check()
    finally:
        asyncio_loop.set_exception_handler(None)
        figure(record_property, f"bad_input_{method}", tried)


# --- oversized documents and batches -------------------------------------------------

# Just over the 16 MiB document limit, the server refuses the write (PyMongo leaves a
# command's overhead, 16 KiB, to the server); well over it, PyMongo refuses to send it.
JUST_OVER = "x" * (16 * 1024 * 1024)
WELL_OVER = "x" * (16 * 1024 * 1024 + 64 * 1024)
# How PyMongo and the server say it: DocumentTooLarge, BSONObjectTooLarge, "larger than".
SIZE_ERROR = re.compile(r"too ?large|larger than", re.IGNORECASE)
OVERSIZED = {
    "insert_one": lambda c, big: c.insert_one({"_id": 1, "big": big}),
    "insert_many": lambda c, big: c.insert_many([{"_id": 1}, {"_id": 2, "big": big}]),
    "replace_one": lambda c, big: c.replace_one({"_id": 1}, {"big": big}, upsert=True),
    "update_one": lambda c, big: c.update_one({"_id": 1}, {"$set": {"big": big}}, upsert=True),
    "find_one": lambda c, big: c.find_one({"big": big}),
    "bulk_write": lambda c, big: c.bulk_write([InsertOne({"_id": 3}), InsertOne({"big": big})]),
}


@pytest.mark.slow
@pytest.mark.parametrize("size", ["just_over", "well_over"])
async def test_oversized_documents(both, client, size, record_property):
    motor_coll, pymongo_coll = both
    big = JUST_OVER if size == "just_over" else WELL_OVER
    results = {}
    for name, call in OVERSIZED.items():
        started = time.monotonic()
        got = await motor_outcome(lambda call=call: call(motor_coll, big))
        elapsed = time.monotonic() - started
        expected = outcome_of(lambda call=call: call(pymongo_coll, big))
        results[name] = f"{got[1].__name__} in {elapsed:.2f}s"
        assert got == expected, name
        assert got[0] == "raised"
        assert SIZE_ERROR.search(got[2]), got[2][:300]
        assert checked_out(client) == 0
    figure(record_property, f"oversized_documents_{size}", results)
    # Nothing oversized was written; the small documents before one were, as in PyMongo.
    assert await motor_coll.count_documents({"big": {"$exists": True}}) == 0
    assert await motor_coll.count_documents({}) == pymongo_coll.count_documents({})


@pytest.mark.slow
async def test_oversized_batches(both, client, record_property):
    motor_coll, pymongo_coll = both
    hello = await client.admin.command("hello")
    # More documents than one write command may carry: split into several.
    many = hello["maxWriteBatchSize"] + 1
    async with LoopLag() as lag:
        started = time.monotonic()
        result = await motor_coll.insert_many([{"n": i} for i in range(many)])
        elapsed = time.monotonic() - started
    # Encoding runs on the loop's thread: a long batch holds the loop meanwhile (reported).
    figures = {
        "documents_over_max_write_batch": many,
        "insert_s": round(elapsed, 2),
        "loop_lag_ms": round(lag.worst_own * 1000, 1),
    }
    assert len(result.inserted_ids) == many
    assert await motor_coll.count_documents({}) == many
    # More bytes than one message may carry (maxMessageSizeBytes, 48 MB): split too.
    chunk = "y" * (15 * 1024 * 1024)
    count = hello["maxMessageSizeBytes"] // len(chunk) + 1
    started = time.monotonic()
    await motor_coll.drop()
    result = await motor_coll.insert_many([{"_id": i, "chunk": chunk} for i in range(count)])
    figures.update(large_documents=count, large_insert_s=round(time.monotonic() - started, 2))
    assert result.inserted_ids == list(range(count))
    assert await motor_coll.count_documents({}) == count
    # An oversized document in an ordered batch: PyMongo's error, and the ones before it written.
    batch = [{"_id": "a"}, {"_id": "b", "big": WELL_OVER}, {"_id": "c"}]
    got = await motor_outcome(lambda: motor_coll.insert_many(copy.deepcopy(batch)))
    expected = outcome_of(lambda: pymongo_coll.insert_many(copy.deepcopy(batch)))
    assert got == expected and got[0] == "raised"
    assert SIZE_ERROR.search(got[2]), got[2][:300]
    assert await motor_coll.count_documents(
        {"_id": {"$in": ["a", "b", "c"]}}
    ) == pymongo_coll.count_documents({"_id": {"$in": ["a", "b", "c"]}})
    figure(record_property, "oversized_batches", figures)
    assert checked_out(client) == 0


async def test_callback_of_the_wrong_type(coll, record_property):
    # Motor's one argument of its own: checked before anything runs.
    with pytest.raises(TypeError, match="callback must be a callable") as info:
        coll.insert_one({}, callback="not callable")
    figure(record_property, "bad_callback_error", str(info.value))
    assert await coll.count_documents({}) == 0
