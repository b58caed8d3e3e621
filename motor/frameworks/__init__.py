"""Framework adapters: how Motor finds an event loop and turns it into a bridge Hub.

A framework is a small object with ``name``, ``default_loop()``, ``check_loop(loop)``,
``hub(loop)``, ``is_running(loop)`` and ``run_until_complete(loop, future)``. The core
wrappers only ever talk to it through those.
"""
