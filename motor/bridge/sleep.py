"""A ``time`` module for PyMongo whose ``sleep`` suspends only the calling bridge greenlet.

PyMongo sleeps during retry back-off (mongo_client), ``with_transaction`` back-off
(client_session) and a few other places. Those modules name ``time`` as a global; the
bridge points that global at this copy of the module. Everything but ``sleep`` is the
real ``time``'s own function, so other uses cost nothing extra.
"""

from __future__ import annotations

import time
import types

from motor.bridge import greenlets

_blocking_sleep = time.sleep


def green_sleep(seconds: float) -> None:
    child = greenlets.current_bridge()
    if child is None:
        _blocking_sleep(seconds)
    else:
        greenlets.sleep(child, seconds)


green_time = types.ModuleType("time", time.__doc__)
green_time.__dict__.update({k: v for k, v in vars(time).items() if not k.startswith("__")})
green_time.sleep = green_sleep  # type: ignore[attr-defined]
