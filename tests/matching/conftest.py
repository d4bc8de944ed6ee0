from __future__ import annotations

import pytest

from matching.index import index_reset


@pytest.fixture(autouse=True)
def _fresh_index():
    """Each test builds the matching index from its own database."""
    index_reset()
    yield
    index_reset()


@pytest.fixture(autouse=True)
def _taxonomies(request):
    """Transactional tests flush the taxonomies that a data migration loaded; put them back
    (as tests/messaging/conftest.py does)."""
    if "transactional_db" in request.fixturenames or any(
        mark.kwargs.get("transaction") for mark in request.node.iter_markers("django_db")
    ):
        from network.taxonomies import taxonomy_sync

        request.getfixturevalue("transactional_db")
        taxonomy_sync()
