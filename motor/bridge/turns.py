"""When this thread's event loop last turned, as far as its bridge greenlets know.

The loop fairness measures (doc/bridge.rst, "How CPU-heavy operations share the loop")
need to know how long the loop has gone without a turn. Every resumption of a bridge
greenlet by the loop is a turn; when none has been seen for a while, one ``call_soon``
records the next. Nothing here switches greenlets: ``greenlets`` acts on the answer.
"""

from __future__ import annotations

import threading
from time import monotonic
from typing import Any

SLICE = 0.02  # the loop may go this long without a turn before a greenlet yields


class _Turns(threading.local):
    turn_at = 0.0  # time.monotonic() of the last turn seen (or of the start of watching)
    tick_pending = False  # a call_soon(_tick) is scheduled and has not run yet


_turns = _Turns()


def _tick(turns: _Turns) -> None:
    turns.tick_pending = False
    turns.turn_at = monotonic()


def loop_turned(child: Any) -> None:
    """The loop has just resumed the bridge greenlet ``child``: it turned a moment ago."""
    _turns.turn_at = child.motor_since = monotonic()


def overdue(hub: Any, now: float) -> bool:
    """Has this thread's loop gone ``SLICE`` seconds without a turn, as far as we know?

    When nothing recent is known (the last turn seen is old, but the loop may well have
    turned since, unseen), start watching: schedule a callback that records the next
    turn, and answer again a slice later. Costs one ``call_soon`` per ``SLICE`` at most,
    and none while greenlets keep waiting on their sockets (each resumption is a turn).
    """
    turns = _turns
    if now - turns.turn_at < SLICE:
        return False
    if turns.tick_pending:
        return True
    turns.tick_pending = True
    turns.turn_at = now
    hub.call_soon(_tick, turns)
    return False
