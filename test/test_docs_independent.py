"""Each page's program prints what the page shows whatever other pages left in the database.

test_docs.py runs each page on an empty database; a reader runs them one after another, on
the same ``test_database``, perhaps twice. So here every page runs in turn, twice over,
with nothing dropped in between.
"""

from __future__ import annotations

import pytest

from test.test_docs import _page_ids, docs_db, run_page  # noqa: F401 - docs_db: a fixture


@pytest.mark.slow  # every page's program, twice
def test_pages_run_one_after_another(deployment, docs_db, tmp_path):  # noqa: F811
    pages = _page_ids()
    assert "commands.rst" in pages
    for round_number in (1, 2):
        folder = tmp_path / str(round_number)
        folder.mkdir()
        for page in pages:
            run_page(page, deployment, folder)
