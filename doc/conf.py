"""Sphinx configuration for Motor's documentation.

Build from the repository root (no network needed)::

    python -m sphinx -W -b html doc doc/_build/html     # or: python3 -m tox -e docs

doc/README.rst says how the pages are organised and how their examples are tested.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# Document the checkout these pages belong to, and load the local extension.
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "_ext"))

import motor  # noqa: E402

project = "Motor"
author = "Motor's contributors"
copyright = "Motor's contributors"
version = ".".join(str(part) for part in motor.version_tuple[:2])
release = motor.version

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",  # only so PyMongo docstrings' ".. doctest::" blocks render
    "motor_docs",
]

# README.rst is for people editing these pages; examples/ holds literalinclude'd programs.
exclude_patterns = ["_build", "README.rst", "examples", "Thumbs.db", ".DS_Store"]

highlight_language = "none"  # a literal block says its language, or is plain text
pygments_style = "sphinx"
default_role = "literal"

autodoc_member_order = "groupwise"
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
autodoc_inherit_docstrings = True

html_theme = "alabaster"
html_static_path = ["_static"]
html_title = f"Motor {release}"
html_theme_options = {
    "description": "Non-blocking MongoDB driver for Tornado and asyncio",
    "fixed_sidebar": True,
    "page_width": "1160px",
    "sidebar_width": "240px",
    "show_relbars": True,
}
html_sidebars = {"**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]}

# Offline-safe: no intersphinx, no remote images, no analytics.
