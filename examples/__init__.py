"""Example applications built on Motor; run them with ``python -m examples.NAME``."""
