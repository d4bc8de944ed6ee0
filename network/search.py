"""Full-text search for the network: PostgreSQL's Dutch text search when on PostgreSQL (so
that word forms match: `ouders` finds `ouder`), a portable fallback elsewhere.

Search vectors are stored per row (`search_vector`) and refreshed by the services that
write, by the import and by the generator, through `search_vectors_refresh`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet, Value

from network.models import Initiative, Organisation, Person

SEARCH_CONFIG = "dutch"
MAX_QUERY_LENGTH = 300
MAX_FALLBACK_WORDS = 8

# Weighted fields per model: A counts most. Only the row's own columns (UPDATE can't join).
VECTOR_FIELDS = {
    Initiative: {
        "A": ["title"],
        "B": ["summary", "lessons", "results"],
        "C": ["obstacles", "neighbourhood"],
    },
    Organisation: {"A": ["name"], "B": ["description", "offers"]},
    Person: {"A": ["name"], "B": ["bio", "looking_for"]},
}
FALLBACK_FIELDS = {
    model: [f for fields in weights.values() for f in fields]
    for model, weights in VECTOR_FIELDS.items()
}


def full_text_available() -> bool:
    return connection.vendor == "postgresql"


def search_vector_expression(model) -> SearchVector:
    expression = None
    for weight, fields in VECTOR_FIELDS[model].items():
        part = SearchVector(*fields, weight=weight, config=SEARCH_CONFIG)
        expression = part if expression is None else expression + part
    return expression


def search_vectors_refresh(model, ids: Iterable[int] | None = None) -> None:
    """Recompute stored search vectors for these rows (all rows when ids is None)."""
    if not full_text_available():
        return
    queryset = model.objects.all()
    if ids is not None:
        ids = list(ids)
        if not ids:
            return
        queryset = queryset.filter(pk__in=ids)
    queryset.update(search_vector=search_vector_expression(model))


def clean_query(q: str | None) -> str:
    """Any string is a valid search: drop control characters, collapse space, cap length."""
    if not q:
        return ""
    q = re.sub(r"[\x00-\x1f\x7f]", " ", str(q))
    return " ".join(q.split())[:MAX_QUERY_LENGTH]


def _fallback_stem(word: str) -> str:
    # Enough of Dutch inflection for the SQLite fallback: ouders → ouder, vrijwilligers →
    # vrijwilliger, activiteiten → activiteit.
    for suffix in ("en", "s", "e"):
        if len(word) > 4 + len(suffix) and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def text_search(queryset: QuerySet, q: str, *, rank: bool) -> QuerySet:
    """Filter (and with `rank`, annotate `rank`) a queryset of a searchable model."""
    q = clean_query(q)
    if not q:
        return queryset.annotate(rank=Value(0.0)) if rank else queryset
    model = queryset.model
    if full_text_available():
        query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
        queryset = queryset.filter(search_vector=query)
        if rank:
            queryset = queryset.annotate(rank=SearchRank(F("search_vector"), query))
        return queryset
    words = re.findall(r"\w+", q.lower())[:MAX_FALLBACK_WORDS]
    for word in words:
        stem = _fallback_stem(word)
        condition = Q()
        for field in FALLBACK_FIELDS[model]:
            condition |= Q(**{f"{field}__icontains": stem})
        queryset = queryset.filter(condition)
    if rank:
        queryset = queryset.annotate(rank=Value(0.0))
    return queryset
