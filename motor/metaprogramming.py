"""Compatibility module: Motor 3's ``motor.metaprogramming``, re-exported from Motor 4.

It holds no logic. ``create_class_with_framework(agnostic_class, framework, module_name)``
makes the framework class of a Motor class, as in Motor 3 (the frameworks are
``motor.frameworks.tornado`` and ``motor.frameworks.asyncio``). Motor 3's attribute
factories (``AsyncRead``, ``AsyncCommand``, ``DelegateMethod``, ``ReadOnlyProperty``, ...)
ran PyMongo methods on a thread pool and have no counterpart: Motor 4 declares its
wrappers in ``motor.core.declare``.
"""

from motor.core.base import create_class_with_framework

__all__ = ["create_class_with_framework"]
