"""Reads for the network: directories, the knowledge bank, overviews (docs/development.md, style §1).

Every list runs a fixed number of queries whatever its length (select_related and
prefetch_related; tests/network/test_query_counts.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify

from network.models import (
    REF_PATTERN,
    Fund,
    Initiative,
    Invitation,
    Membership,
    Municipality,
    Organisation,
    Person,
    SuccessFactor,
    TargetGroup,
    Theme,
)
from network.permissions import person_visibility_q
from network.search import clean_query, name_search, search_cached, text_search

SLUG_PATTERN = re.compile(r"^[a-z0-9_-]{1,60}$")


def _checked_ref(ref: str) -> str:
    """A ref that cannot exist (wrong characters, a NUL byte) is a 404, not a database error."""
    if not REF_PATTERN.match(ref or ""):
        raise Http404
    return ref


def _any_of(queryset: QuerySet, relation: str, values) -> QuerySet:
    """Rows related to any of `values` through the many-to-many `relation`, without
    duplicating rows (an EXISTS on the through table)."""
    # Slugs only: anything else (a NUL byte, 10,000 characters) matches nothing.
    values = [v for v in values if isinstance(v, str) and SLUG_PATTERN.match(v)]
    if not values:
        return queryset
    model = queryset.model
    through = model._meta.get_field(relation).remote_field.through
    source = model._meta.get_field(relation).m2m_field_name()
    target = model._meta.get_field(relation).m2m_reverse_field_name()
    return queryset.filter(
        Exists(through.objects.filter(**{source: OuterRef("pk"), f"{target}__in": values}))
    )


def _municipality_filter(queryset: QuerySet, values) -> QuerySet:
    """Municipalities by name, case-insensitively, or by slug (`De Bilt` = `de-bilt`)."""
    slugs = [slugify(v) for v in values if v and v.strip()]
    if not slugs:
        return queryset
    return queryset.filter(municipality_id__in=slugs)


@dataclass(frozen=True)
class InitiativeFilters:
    q: str = ""
    themes: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    success_factors: tuple[str, ...] = ()
    sort: str = "relevance"  # or "recent"
    organisations: tuple[str, ...] = ()  # lead organisations, by ref


# The same filter for the apps above network that filter their own records by taxonomy.
any_of = _any_of


def rows_sorted_narrow(queryset: QuerySet, start: int, stop: int) -> list:
    """Rows [start:stop] of an ordered queryset: a narrow query sorts only ids (no joins, no
    wide columns), then the page's rows are fetched with their relations. Sorting whole joined
    rows of thousands of full-text matches to keep twenty is what made ranked search slow."""
    return rows_by_ids(queryset, ids_sorted_narrow(queryset, start, stop))


def ids_sorted_narrow(queryset: QuerySet, start: int, stop: int) -> list[int]:
    """The ids of rows [start:stop] of an ordered queryset, sorted narrow and cached."""
    window = queryset.values_list("pk", flat=True)[start:stop]
    return search_cached(window, "ids", lambda: list(window))


def rows_by_ids(queryset: QuerySet, ids: list[int]) -> list:
    """The rows of `queryset` with these ids, with its relations, in the order of `ids`."""
    if not ids:
        return []
    rows = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return [rows[pk] for pk in ids if pk in rows]


def rows_counted(queryset: QuerySet) -> int:
    """How many rows a directory's search matches (cached like `rows_sorted_narrow`)."""
    return search_cached(queryset, "count", queryset.count)


def initiative_list_base() -> QuerySet[Initiative]:
    """What a list shows: the page shows themes; the API adds target groups and success
    factors. No leader: no list shows it (joining 100,000 people for nothing)."""
    return Initiative.objects.select_related("organisation", "municipality").prefetch_related(
        "themes"
    )


def with_taxonomy_slugs(queryset: QuerySet, *relations: str) -> QuerySet:
    """The slugs of these taxonomy relations read in the rows' own query, as
    `<relation>_slugs` in the taxonomy's order, instead of a prefetch per relation: for a
    list that shows only slugs (the API), that is no query more and no taxonomy instance for
    each row (about 120 instances and their managers for a page of 20 initiatives, most of
    a cached API page's time). PostgreSQL only; elsewhere the queryset prefetches them."""
    if connection.vendor != "postgresql":
        return queryset.prefetch_related(*relations)
    key = (queryset.model, relations)
    if key not in _SLUG_ANNOTATIONS:  # built once: annotate() resolves a copy per query
        _SLUG_ANNOTATIONS[key] = _slug_annotations(queryset.model, relations)
    return queryset.annotate(**_SLUG_ANNOTATIONS[key])


_SLUG_ANNOTATIONS: dict[tuple, dict] = {}


def _slug_annotations(model, relations: tuple[str, ...]) -> dict:
    annotations = {}
    for relation in relations:
        field = model._meta.get_field(relation)
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        ordering = [f"{target}__{name}" for name in field.related_model._meta.ordering]
        slugs = (
            field.remote_field.through.objects.filter(**{source: OuterRef("pk")})
            .order_by()
            .values(source)
            .annotate(slugs=ArrayAgg(f"{target}_id", order_by=ordering))
            .values("slugs")
        )
        annotations[f"{relation}_slugs"] = Coalesce(
            Subquery(slugs), Value([]), output_field=ArrayField(CharField())
        )
    return annotations


def initiative_search(filters: InitiativeFilters) -> QuerySet[Initiative]:
    q = clean_query(filters.q)
    queryset = text_search(initiative_list_base(), q, rank=True)
    queryset = _any_of(queryset, "themes", filters.themes)
    queryset = _any_of(queryset, "target_groups", filters.target_groups)
    queryset = _any_of(queryset, "success_factors", filters.success_factors)
    queryset = _municipality_filter(queryset, filters.municipalities)
    statuses = [s for s in filters.statuses if s in Initiative.Status.values]
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if filters.organisations:
        # A ref that cannot exist (a NUL byte, wrong characters) matches nothing.
        refs = [ref for ref in filters.organisations if REF_PATTERN.match(ref or "")]
        queryset = queryset.filter(organisation__ref__in=refs)
    if q and filters.sort != "recent":
        return queryset.order_by("-rank", "-updated_at", "-pk")
    return queryset.order_by("-updated_at", "-pk")


def initiative_get(ref: str) -> Initiative:
    return get_object_or_404(
        Initiative.objects.select_related(
            "organisation", "municipality", "leader"
        ).prefetch_related("themes", "target_groups", "success_factors", "partners", "funders"),
        ref=_checked_ref(ref),
    )


def initiative_similar(initiative: Initiative, *, limit: int = 4) -> QuerySet[Initiative]:
    """Initiatives sharing the most themes and target groups, most recent first among equals."""
    theme_ids = [t.pk for t in initiative.themes.all()]
    group_ids = [g.pk for g in initiative.target_groups.all()]
    if not theme_ids and not group_ids:
        return Initiative.objects.none()
    return (
        Initiative.objects.exclude(pk=initiative.pk)
        .annotate(
            overlap=Count("themes", filter=Q(themes__in=theme_ids), distinct=True)
            + Count("target_groups", filter=Q(target_groups__in=group_ids), distinct=True)
        )
        .filter(overlap__gt=0)
        .select_related("organisation", "municipality")
        .order_by("-overlap", "-updated_at")[:limit]
    )


def initiative_funding_suggestions(initiative: Initiative, *, limit: int = 5) -> QuerySet[Fund]:
    """Funds whose themes fit the initiative, best fit first, not already funding it."""
    theme_ids = [t.pk for t in initiative.themes.all()]
    if not theme_ids:
        return Fund.objects.none()
    return (
        Fund.objects.exclude(initiatives=initiative)
        .annotate(fit=Count("themes", filter=Q(themes__in=theme_ids), distinct=True))
        .filter(fit__gt=0)
        .prefetch_related("themes")
        .order_by("-fit", "name")[:limit]
    )


@dataclass(frozen=True)
class OrganisationFilters:
    q: str = ""
    kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()


def organisation_search(filters: OrganisationFilters) -> QuerySet[Organisation]:
    q = clean_query(filters.q)
    queryset = Organisation.objects.select_related("municipality").prefetch_related(
        "themes", "target_groups", "languages"
    )
    queryset = text_search(queryset, q, rank=True)
    kinds = [k for k in filters.kinds if k in Organisation.Kind.values]
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    queryset = _any_of(queryset, "themes", filters.themes)
    queryset = _any_of(queryset, "target_groups", filters.target_groups)
    queryset = _municipality_filter(queryset, filters.municipalities)
    if q:
        return queryset.order_by("-rank", "name", "pk")
    return queryset.order_by("name", "pk")


def organisation_get(ref: str) -> Organisation:
    return get_object_or_404(
        Organisation.objects.select_related("municipality").prefetch_related(
            "themes", "target_groups", "languages"
        ),
        ref=_checked_ref(ref),
    )


def organisation_members(organisation: Organisation, *, viewer) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .filter(person_visibility_q(viewer, prefix="person__"))
        .select_related("person", "person__municipality")
        .order_by("role", "person__name")
    )


@dataclass(frozen=True)
class PersonFilters:
    q: str = ""
    roles: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()


def people_visible_to(*, viewer) -> QuerySet[Person]:
    """Every profile `viewer` (a user, or AnonymousUser) may see, by the one rule in
    network.permissions.person_visibility_q. Whatever names a person to someone, by ref or by
    search (directories, profile pages, matching's "someone missing?", starting a
    conversation), starts from here."""
    return Person.objects.filter(person_visibility_q(viewer))


def person_visible_to(*, viewer, ref: str) -> Person | None:
    """The profile with this ref if `viewer` may see it, else None. A hidden profile and a
    ref nobody has give the same None, so no caller can tell the asker which refs exist."""
    if not isinstance(ref, str) or not REF_PATTERN.match(ref):
        return None
    return people_visible_to(viewer=viewer).filter(ref=ref).first()


def person_search(filters: PersonFilters, *, viewer) -> QuerySet[Person]:
    q = clean_query(filters.q)
    queryset = (
        people_visible_to(viewer=viewer)
        .select_related("municipality")
        .prefetch_related("roles", "languages", "themes", "target_groups")
    )
    queryset = text_search(queryset, q, rank=True)
    queryset = _any_of(queryset, "roles", filters.roles)
    queryset = _any_of(queryset, "themes", filters.themes)
    queryset = _any_of(queryset, "target_groups", filters.target_groups)
    queryset = _any_of(queryset, "languages", filters.languages)
    queryset = _municipality_filter(queryset, filters.municipalities)
    if q:
        return queryset.order_by("-rank", "name", "pk")
    return queryset.order_by("name", "pk")


def person_get(ref: str, *, viewer) -> Person:
    """A profile the viewer may see; 404 otherwise (a hidden profile does not exist for them)."""
    return get_object_or_404(
        people_visible_to(viewer=viewer)
        .select_related("municipality", "user")
        .prefetch_related(
            "roles",
            "languages",
            "themes",
            "target_groups",
            Prefetch("memberships", queryset=Membership.objects.select_related("organisation")),
            Prefetch("led_initiatives", queryset=Initiative.objects.order_by("-updated_at")),
        ),
        ref=_checked_ref(ref),
    )


def person_for_user(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def organisation_find(*, ref: str) -> Organisation | None:
    """The organisation with this ref, or None (organisations are public to everyone)."""
    if not isinstance(ref, str) or not REF_PATTERN.match(ref):
        return None
    return Organisation.objects.filter(ref=ref).first()


@dataclass(frozen=True)
class NameSuggestion:
    """One option of a people-and-organisations picker. `detail` helps tell two people of
    one name apart (municipality, organisation); the ref is the option's value, never text
    a person reads."""

    kind: str  # "person" or "organisation"
    ref: str
    name: str
    detail: str
    score: float


SUGGEST_MAX = 20
SUGGEST_KINDS = ("person", "organisation")


def people_and_organisations_suggest(
    *, viewer, text: str, limit: int = 8, kinds: tuple[str, ...] = SUGGEST_KINDS
) -> list[NameSuggestion]:
    """Names as someone types them (network.search.name_search: accents, case, prefixes and
    spellings forgiven), best first: only people `viewer` may see, and organisations;
    `kinds` narrows to one of them. At most three queries whatever the limit."""
    limit = max(1, min(int(limit), SUGGEST_MAX))
    people = (
        Person.objects.none()
        if "person" not in kinds
        else name_search(people_visible_to(viewer=viewer), text)
        .select_related("municipality")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organisation").order_by("created_at"),
            )
        )[:limit]
    )
    organisations = (
        Organisation.objects.none()
        if "organisation" not in kinds
        else name_search(Organisation.objects.all(), text).select_related("municipality")[:limit]
    )
    suggestions = []
    for person in people:
        parts = [person.municipality.name if person.municipality else ""]
        parts += [m.organisation.name for m in person.memberships.all()[:1]]
        suggestions.append(
            NameSuggestion(
                kind="person",
                ref=person.ref,
                name=person.name,
                detail=" · ".join(p for p in parts if p),
                score=person.name_score,
            )
        )
    for organisation in organisations:
        parts = [organisation.get_kind_display()]
        parts += [organisation.municipality.name if organisation.municipality else ""]
        suggestions.append(
            NameSuggestion(
                kind="organisation",
                ref=organisation.ref,
                name=organisation.name,
                detail=" · ".join(str(p) for p in parts if p),
                score=organisation.name_score,
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.name.casefold(), s.kind))
    return suggestions[:limit]


def fund_search(*, q: str = "", themes: tuple[str, ...] = ()) -> QuerySet[Fund]:
    queryset = Fund.objects.prefetch_related("themes", "target_groups").annotate(
        initiative_count=Count("initiatives", distinct=True)
    )
    q = clean_query(q)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(description__icontains=q))
    queryset = _any_of(queryset, "themes", themes)
    return queryset.order_by("name", "pk")


def fund_get(ref: str) -> Fund:
    return get_object_or_404(
        Fund.objects.prefetch_related("themes", "target_groups"), ref=_checked_ref(ref)
    )


@dataclass
class Overview:
    total: int
    by_status: list[tuple[str, int]] = field(default_factory=list)
    by_theme: list[tuple[Theme, int]] = field(default_factory=list)
    by_target_group: list[tuple[TargetGroup, int]] = field(default_factory=list)
    by_municipality: list[tuple[Municipality, int]] = field(default_factory=list)
    by_success_factor: list[tuple[SuccessFactor, int]] = field(default_factory=list)


def knowledge_bank_overview() -> Overview:
    """Initiatives counted by theme, target group, municipality and success factor, as the
    province's inventory of 162 projects did."""

    def counted(model, relation: str):
        order = "name" if model is Municipality else "position"
        rows = model.objects.annotate(n=Count(relation, distinct=True)).order_by("-n", order)
        return [(row, row.n) for row in rows]

    statuses = dict(Initiative.objects.values_list("status").annotate(n=Count("pk")))
    return Overview(
        total=Initiative.objects.count(),
        by_status=[(label, statuses.get(value, 0)) for value, label in Initiative.Status.choices],
        by_theme=counted(Theme, "initiative"),
        by_target_group=counted(TargetGroup, "initiative"),
        by_municipality=[(m, n) for m, n in counted(Municipality, "initiative") if n],
        by_success_factor=counted(SuccessFactor, "initiative"),
    )


def memberships_for(person: Person | None) -> QuerySet[Membership]:
    """A person's organisations, with their role in each (the personal home)."""
    if person is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(person=person)
        .select_related("organisation", "organisation__municipality")
        .order_by("organisation__name")
    )


def invitations_open_for(user) -> QuerySet[Invitation]:
    """Invitations to an organisation sent to the user's address and not yet used or expired.
    The link itself is only in the mail (only its hash is stored)."""
    if not getattr(user, "is_authenticated", False):
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            email=user.email.lower(), accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("organisation")
        .order_by("-created_at")
    )


def network_counts() -> dict[str, int]:
    """How many organisations, people and initiatives the network holds (staff's home)."""
    return {
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "initiatives": Initiative.objects.count(),
    }
