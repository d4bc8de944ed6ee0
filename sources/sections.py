"""The library's sections on network's pages (network.sections): the knowledge bank's
search shows the sources that match its words and filters (a theme filter shows the theme's
sources: Bruggen has no separate theme pages, docs/sources.md), and an initiative's or an
organisation's page shows the sources linked to it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from network.search import shared_cached
from network.sections import PageSection
from sources import selectors

# The knowledge bank shows the best few; the library page has them all.
KNOWLEDGE_BANK_LIMIT = 5


@dataclass(frozen=True)
class SourceLine:
    """What the knowledge bank's section shows of a source."""

    ref: str
    title: str
    author: str
    year: int | None


def knowledge_bank_section(filters, viewer) -> PageSection | None:
    source_filters = selectors.SourceFilters(
        q=filters.q,
        themes=filters.themes,
        target_groups=filters.target_groups,
        success_factors=filters.success_factors,
    )
    if source_filters.empty:
        return None
    # The same for every viewer (approved sources only), so kept per search generation,
    # which every source write moves on (sources.services): a repeated search builds no
    # queryset and compiles no SQL for it.
    count, sources = shared_cached(
        "knowledge-bank-sources", source_filters, lambda: _knowledge_bank_sources(source_filters)
    )
    if not sources:
        return None
    query = [("q", source_filters.q)] if source_filters.q else []
    query += [("theme", v) for v in source_filters.themes]
    query += [("target_group", v) for v in source_filters.target_groups]
    query += [("success_factor", v) for v in source_filters.success_factors]
    return PageSection(
        template="sources/_knowledge_bank_section.html",
        context={"sources": sources, "count": count, "query_string": urlencode(query)},
    )


def _knowledge_bank_sources(source_filters) -> tuple[int, list[SourceLine]]:
    results = selectors.source_search(source_filters)
    rows = selectors.rows_window(results, KNOWLEDGE_BANK_LIMIT)
    lines = [SourceLine(ref=s.ref, title=s.title, author=s.author, year=s.year) for s in rows]
    return (selectors.rows_total(results) if lines else 0), lines


def initiative_section(initiative, viewer) -> PageSection | None:
    return _linked_section(selectors.source_links_of(initiative=initiative))


def organisation_section(organisation, viewer) -> PageSection | None:
    return _linked_section(selectors.source_links_of(organisation=organisation))


def _linked_section(links) -> PageSection | None:
    links = list(links)
    if not links:
        return None
    return PageSection(template="sources/_linked_section.html", context={"links": links})
