"""Compatibility module: Motor 3's ``motor.motor_common``, kept so that its import works.

It holds no logic. Motor 3 kept one shared ``callback_type_error`` here; Motor 4 raises a
new TypeError naming the wrong type each time, from ``check_callback`` (re-exported).
"""

from motor.core.base import check_callback

__all__ = ["check_callback"]
