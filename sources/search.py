"""What the knowledge-bank search reads of a source (network.search, `searchable_register`)."""

from __future__ import annotations

# Weighted like an initiative: the title counts most, then the summary and who wrote it.
VECTOR_FIELDS = {"A": ["title"], "B": ["summary", "author"]}
