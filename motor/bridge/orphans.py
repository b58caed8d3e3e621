"""Finishing operations whose loop closed under them, when no loop will adopt them.

An operation suspended on a loop that is then closed (an unawaited ``insert_one`` when
``asyncio.run`` returns) is an *orphan*. The next operation started on its thread from
another loop adopts it (``greenlets.adopt_orphans``); ``finish_orphans``, called by
``client.close()`` and at the interpreter's exit, runs the rest to their end. See
doc/bridge.rst, "When a loop stops or closes".
"""

from __future__ import annotations

import asyncio
import atexit

from motor.bridge.greenlets import (
    BridgeGreenlet,
    _running_greenlets,
    adopt_orphans,
    await_future,
    current_bridge,
)
from motor.bridge.hub import Hub

EXIT_TIMEOUT = 10.0  # seconds the interpreter's exit waits for stranded operations


def _orphans() -> list[BridgeGreenlet]:
    """This thread's operations suspended on a loop that is closed."""
    return [g for g in _running_greenlets() if g.hub.loop.is_closed()]


def finish_orphans(timeout: float | None = None) -> None:
    """Run this thread's orphaned operations to their end (see the module).

    From a bridge greenlet, on its loop; with no loop running, on a private loop, for at
    most ``timeout`` seconds (``TimeoutError`` after that; the rest stay orphans).
    """
    child = current_bridge()
    if child is not None:
        waits = adopt_orphans(child.hub)
        if waits:
            await_future(asyncio.gather(*waits))
        return
    if asyncio._get_running_loop() is not None:
        raise RuntimeError("finish_orphans() with a loop running: call it from an operation")
    if not _orphans():
        return
    loop = asyncio.new_event_loop()
    try:
        hub = Hub(loop)

        async def finish() -> None:
            waits = adopt_orphans(hub)
            if waits:
                await asyncio.gather(*waits)

        loop.run_until_complete(asyncio.wait_for(finish(), timeout))
    finally:
        loop.close()


@atexit.register
def _finish_orphans_at_exit() -> None:
    # An unawaited write in a program's last moments is still written, as in Motor 3
    # (whose worker threads finished it). Only this (the main) thread's orphans, and not
    # for ever: one waiting on a server that never answers must not stop the exit.
    try:
        finish_orphans(EXIT_TIMEOUT)
    except Exception:  # noqa: BLE001, S110 - at exit, nothing can be reported or retried
        pass
