"""The source library in the API (docs/contracts.md §5; docs/api.md): the same list, filters
and visibility as /kennisbronnen/."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from config.api_docs import examples
from network.api import Pagination, _viewer
from sources import selectors

router = Router(tags=["sources"])

_EXAMPLE = {
    "ref": "inburgeren-met-een-mentor",
    "title": "Inburgeren met een mentor",
    "author": "Movisie",
    "year": 2008,
    "url": "https://www.movisie.nl",
    "summary": "Een handleiding voor mentorprojecten voor inburgeraars.",
    "kind": "manual",
    "themes": ["mentoring", "language"],
    "target_groups": ["newcomers"],
    "success_factors": ["volunteers", "agreements"],
}
_LINK_EXAMPLE = {
    "relation": "informed",
    "type": "initiative",
    "ref": "taalmaatjes-zeist",
    "name": "Taalmaatjes Zeist",
}


class SourceOut(Schema):
    ref: str
    title: str
    author: str
    year: int | None
    url: str
    summary: str
    kind: str
    themes: list[str]
    target_groups: list[str]
    success_factors: list[str]

    @staticmethod
    def resolve_themes(obj) -> list[str]:
        return [item.pk for item in obj.themes.all()]

    @staticmethod
    def resolve_target_groups(obj) -> list[str]:
        return [item.pk for item in obj.target_groups.all()]

    @staticmethod
    def resolve_success_factors(obj) -> list[str]:
        return [item.pk for item in obj.success_factors.all()]


class SourceLinkOut(Schema):
    relation: str  # comes_from or informed
    type: str  # initiative or organisation
    ref: str
    name: str


class SourceDetailOut(SourceOut):
    status: str
    links: list[SourceLinkOut]

    @staticmethod
    def resolve_links(obj) -> list[dict]:
        links = []
        for link in obj.links.all():
            target = link.initiative or link.organisation
            links.append(
                {
                    "relation": link.relation,
                    "type": "initiative" if link.initiative_id else "organisation",
                    "ref": target.ref,
                    "name": getattr(target, "title", None) or target.name,
                }
            )
        return links


class SourceQuery(Schema):
    q: str = ""
    theme: list[str] = Field(default_factory=list)
    target_group: list[str] = Field(default_factory=list)
    success_factor: list[str] = Field(default_factory=list)
    kind: list[str] = Field(default_factory=list)


def _list_queryset(filters: SourceQuery):
    return selectors.source_search(
        selectors.SourceFilters(
            q=filters.q,
            themes=tuple(filters.theme),
            target_groups=tuple(filters.target_group),
            success_factors=tuple(filters.success_factor),
            kinds=tuple(filters.kind),
        )
    ).prefetch_related("target_groups", "success_factors")


@router.get(
    "/sources",
    response=list[SourceOut],
    auth=None,
    openapi_extra=examples(
        response={"items": [_EXAMPLE], "count": 1}, query="?q=mentor&theme=mentoring"
    ),
)
@paginate(Pagination)
def source_list(request: HttpRequest, filters: Query[SourceQuery]):
    """Approved sources of the library (Kennisbronnen): full-text search in `q`, and any of
    the given themes, target groups, success factors and kinds (publication, manual,
    research, website, policy, other)."""
    _viewer(request)
    return _list_queryset(filters)


@router.get(
    "/sources/{ref}",
    response=SourceDetailOut,
    auth=None,
    openapi_extra=examples(response={**_EXAMPLE, "status": "approved", "links": [_LINK_EXAMPLE]}),
)
def source_detail(request: HttpRequest, ref: str):
    """One source with the initiatives and organisations it comes from or informed. A
    suggestion not yet approved is found only by its suggester and by staff."""
    return selectors.source_get(ref, viewer=_viewer(request))
