"""Parts of network's pages that apps above network contribute: stories adds what people
report to "De kennisbank in cijfers" and the approved stories to an initiative's page
(docs/stories.md). `network` never imports those apps; they register a source from their
AppConfig.ready(), and network's views render what the sources answer, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PAGES = ("overview", "initiative")


@dataclass(frozen=True)
class PageSection:
    template: str  # rendered with `section` in its context
    context: dict[str, Any] = field(default_factory=dict)


SectionSource = Callable[..., PageSection | None]

_sources: dict[str, list[SectionSource]] = {page: [] for page in PAGES}


def page_section_register(page: str, source: SectionSource) -> None:
    if source not in _sources[page]:
        _sources[page].append(source)


def page_sections(page: str, **context: Any) -> list[PageSection]:
    """The overview's sources get `request`; the initiative page's get `initiative` and
    `request`."""
    sections = (source(**context) for source in _sources[page])
    return [section for section in sections if section is not None]
