"""The library's sections on network's pages (network.sections): the knowledge bank's
search shows the sources that match its words and filters (a theme filter shows the theme's
sources: Bruggen has no separate theme pages, docs/sources.md), and an initiative's or an
organisation's page shows the sources linked to it."""

from __future__ import annotations

from urllib.parse import urlencode

from network.sections import PageSection
from sources import selectors

# The knowledge bank shows the best few; the library page has them all.
KNOWLEDGE_BANK_LIMIT = 5


def knowledge_bank_section(filters, viewer) -> PageSection | None:
    source_filters = selectors.SourceFilters(
        q=filters.q,
        themes=filters.themes,
        target_groups=filters.target_groups,
        success_factors=filters.success_factors,
    )
    if source_filters.empty:
        return None
    results = selectors.source_search(source_filters)
    sources = selectors.rows_window(results, KNOWLEDGE_BANK_LIMIT)
    if not sources:
        return None
    query = [("q", source_filters.q)] if source_filters.q else []
    query += [("theme", v) for v in source_filters.themes]
    query += [("target_group", v) for v in source_filters.target_groups]
    query += [("success_factor", v) for v in source_filters.success_factors]
    return PageSection(
        template="sources/_knowledge_bank_section.html",
        context={
            "sources": sources,
            "count": selectors.rows_total(results),
            "query_string": urlencode(query),
        },
    )


def initiative_section(initiative, viewer) -> PageSection | None:
    return _linked_section(selectors.source_links_of(initiative=initiative))


def organisation_section(organisation, viewer) -> PageSection | None:
    return _linked_section(selectors.source_links_of(organisation=organisation))


def _linked_section(links) -> PageSection | None:
    links = list(links)
    if not links:
        return None
    return PageSection(template="sources/_linked_section.html", context={"links": links})
