from __future__ import annotations

import pytest

from matching.index import index_reset


@pytest.fixture(autouse=True)
def _fresh_index():
    """Profile changes refresh the matching index; each test builds it from its own data."""
    index_reset()
    yield
    index_reset()
