"""Sections that apps above `network` add to its pages (docs/development.md, "Who may import
whom"): the knowledge bank's search page, "De kennisbank in cijfers" and the initiative and
organisation pages show what those apps keep about them (the sources library shows its
sources; stories add what people report) without `network` importing them. An app registers a provider from its AppConfig.ready(); the page's view asks
for the sections and the template includes each one's template with its context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

PAGES = ("knowledge_bank", "overview", "initiative", "organisation")


@dataclass(frozen=True)
class PageSection:
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


# (subject, viewer) -> a section or None. The subject is the page's record; for the
# knowledge bank its `network.selectors.InitiativeFilters`; for the overview the request's
# query parameters (a QueryDict).
SectionProvider = Callable[[Any, Any], PageSection | None]

_providers: dict[str, list[SectionProvider]] = {page: [] for page in PAGES}


def page_section_register(*, page: str, provider: SectionProvider) -> None:
    """Add a section to a page; called from AppConfig.ready(). The same provider once only."""
    if page not in _providers:
        raise ValueError(f"unknown page {page!r}; pages: {', '.join(PAGES)}")
    if provider not in _providers[page]:
        _providers[page].append(provider)


def page_sections(*, page: str, subject: Any, viewer: Any) -> list[PageSection]:
    """The sections the registered apps have for this page, in registration order."""
    sections = (provider(subject, viewer) for provider in _providers[page])
    return [section for section in sections if section is not None]
