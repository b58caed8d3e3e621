"""A small blog on Tornado and Motor: posts, drafts, Markdown, images in GridFS.

Run it from the repository root::

    python -m examples.blog                    # serve http://127.0.0.1:8888/ until Ctrl-C
    python -m examples.blog --check            # exercise it once over HTTP, exit 0 or 1
    python -m examples.blog --mongodb-uri mongodb://localhost:27017/

``python3 -m tox -e demo`` installs what it needs (Motor, ``markdown``, a ``mongod``)
and serves it. See ``server.py`` for the command line, ``app.py`` for the application
(``make_app(db)``), ``check.py`` for what ``--check`` does.
"""
