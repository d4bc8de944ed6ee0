from __future__ import annotations

import pytest

from matching.index import index_reset


@pytest.fixture(autouse=True)
def _fresh_index():
    """Each test builds the matching index from its own database."""
    index_reset()
    yield
    index_reset()
