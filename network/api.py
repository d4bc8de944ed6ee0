"""The network in the API (docs/contracts.md §5; docs/api.md): organisations, initiatives and
people, with the same filters and permission rules as the pages."""

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator

from accounts.api import api_auth
from accounts.services import api_token_authenticate
from network import permissions, selectors
from network.models import Language, Municipality, Organisation, TargetGroup, Theme
from network.services import organisations as organisation_services

router = Router(tags=["network"])

MAX_OFFSET = 1_000_000


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(20, ge=1, le=100)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def paginate_queryset(self, queryset, pagination, request, **params):
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        return {
            "items": selectors.rows_sorted_narrow(queryset, offset, offset + limit),
            "count": selectors.rows_counted(queryset),
        }


def _viewer(request: HttpRequest):
    """Who is reading a public list: a valid token's user, the session's user, or anonymous.
    A token that is sent but invalid is an error, not a silent downgrade to anonymous."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _space, secret = header.partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError()
        user = api_token_authenticate(secret=secret.strip())
        if user is None:
            raise AuthenticationError()
        return user
    return request.user if request.user.is_authenticated else AnonymousUser()


def _slugs(items) -> list[str]:
    return [item.pk for item in items]


class NetworkRecordOut(Schema):
    """What organisations, initiatives and people share in the API: a place and taxonomies."""

    municipality: str | None
    themes: list[str]
    target_groups: list[str]

    @staticmethod
    def resolve_municipality(obj) -> str | None:
        return obj.municipality.name if obj.municipality_id else None

    @staticmethod
    def resolve_themes(obj) -> list[str]:
        return _slugs(obj.themes.all())

    @staticmethod
    def resolve_target_groups(obj) -> list[str]:
        return _slugs(obj.target_groups.all())


class OrganisationOut(NetworkRecordOut):
    ref: str
    name: str
    kind: str
    municipality: str | None
    description: str
    website: str
    themes: list[str]
    target_groups: list[str]
    languages: list[str]
    offers: str
    open_to_matching: bool
    verified: bool

    @staticmethod
    def resolve_languages(obj) -> list[str]:
        return _slugs(obj.languages.all())


def _no_nul(value):
    """Text with a NUL byte can't be stored (PostgreSQL refuses it): a 422, never a 500."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value):
        raise ValueError("must not contain NUL characters")
    return value


class OrganisationIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: str = "other"
    municipality: str | None = None
    description: str = Field("", max_length=20_000)
    website: str = Field("", max_length=300)
    themes: list[str] = Field(default_factory=list, max_length=50)
    target_groups: list[str] = Field(default_factory=list, max_length=50)
    languages: list[str] = Field(default_factory=list, max_length=50)
    offers: str = Field("", max_length=20_000)
    open_to_matching: bool = True

    @field_validator("*")
    @classmethod
    def _reject_nul(cls, value):
        return _no_nul(value)


class OrganisationQuery(Schema):
    q: str = ""
    kind: list[str] = Field(default_factory=list)
    theme: list[str] = Field(default_factory=list)
    target_group: list[str] = Field(default_factory=list)
    municipality: list[str] = Field(default_factory=list)


def _taxonomy_lookup(model, slugs: list[str], field: str) -> list:
    found = {item.pk: item for item in model.objects.filter(pk__in=slugs)}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise ValidationError({field: f"unknown: {', '.join(unknown[:10])}"})
    return [found[slug] for slug in dict.fromkeys(slugs)]


def _organisation_data(payload: OrganisationIn) -> dict:
    if payload.kind not in Organisation.Kind.values:
        raise ValidationError(
            {"kind": f"unknown kind; one of {', '.join(Organisation.Kind.values)}"}
        )
    municipality = None
    if payload.municipality:
        municipality = Municipality.objects.filter(
            name__iexact=payload.municipality.strip()
        ).first()
        if municipality is None:
            raise ValidationError(
                {"municipality": f"unknown municipality {payload.municipality!r}"}
            )
    return {
        "name": payload.name.strip(),
        "kind": payload.kind,
        "municipality": municipality,
        "description": payload.description,
        "website": payload.website,
        "offers": payload.offers,
        "open_to_matching": payload.open_to_matching,
        "themes": _taxonomy_lookup(Theme, payload.themes, "themes"),
        "target_groups": _taxonomy_lookup(TargetGroup, payload.target_groups, "target_groups"),
        "languages": _taxonomy_lookup(Language, payload.languages, "languages"),
    }


@router.get("/organisations", response=list[OrganisationOut], auth=None)
@paginate(Pagination)
def organisation_list(request: HttpRequest, filters: Query[OrganisationQuery]):
    _viewer(request)
    return selectors.organisation_search(
        selectors.OrganisationFilters(
            q=filters.q,
            kinds=tuple(filters.kind),
            themes=tuple(filters.theme),
            target_groups=tuple(filters.target_group),
            municipalities=tuple(filters.municipality),
        )
    )


@router.post("/organisations", response={201: OrganisationOut}, auth=api_auth)
def organisation_create(request: HttpRequest, payload: OrganisationIn):
    """Register an organisation; the caller becomes its admin."""
    organisation = organisation_services.organisation_register(
        creator=request.auth, data=_organisation_data(payload)
    )
    return Status(201, selectors.organisation_get(organisation.ref))


@router.get("/organisations/{ref}", response=OrganisationOut, auth=None)
def organisation_detail(request: HttpRequest, ref: str):
    _viewer(request)
    return selectors.organisation_get(ref)


class InitiativeOut(NetworkRecordOut):
    ref: str
    title: str
    organisation: str | None
    organisation_name: str | None
    municipality: str | None
    neighbourhood: str
    status: str
    started: date | None
    ended: date | None
    themes: list[str]
    target_groups: list[str]
    success_factors: list[str]
    summary: str

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.ref if obj.organisation_id else None

    @staticmethod
    def resolve_organisation_name(obj) -> str | None:
        return obj.organisation.name if obj.organisation_id else None

    @staticmethod
    def resolve_success_factors(obj) -> list[str]:
        return _slugs(obj.success_factors.all())


class InitiativeDetailOut(InitiativeOut):
    results: str
    obstacles: str
    lessons: str
    partners: list[str]
    funders: list[str]
    leader: str | None

    @staticmethod
    def resolve_partners(obj) -> list[str]:
        return [partner.ref for partner in obj.partners.all()]

    @staticmethod
    def resolve_funders(obj) -> list[str]:
        return [fund.ref for fund in obj.funders.all()]

    @staticmethod
    def resolve_leader(obj, context) -> str | None:
        leader = obj.leader
        if leader is None or not permissions.can_view_person(context["request"].viewer, leader):
            return None
        return leader.ref


class InitiativeQuery(Schema):
    q: str = ""
    theme: list[str] = Field(default_factory=list)
    target_group: list[str] = Field(default_factory=list)
    municipality: list[str] = Field(default_factory=list)
    status: list[str] = Field(default_factory=list)
    success_factor: list[str] = Field(default_factory=list)
    sort: str = "relevance"


@router.get("/initiatives", response=list[InitiativeOut], auth=None)
@paginate(Pagination)
def initiative_list(request: HttpRequest, filters: Query[InitiativeQuery]):
    _viewer(request)
    return selectors.initiative_search(
        selectors.InitiativeFilters(
            q=filters.q,
            themes=tuple(filters.theme),
            target_groups=tuple(filters.target_group),
            municipalities=tuple(filters.municipality),
            statuses=tuple(filters.status),
            success_factors=tuple(filters.success_factor),
            sort=filters.sort,
        )
    ).prefetch_related("target_groups", "success_factors")


@router.get("/initiatives/{ref}", response=InitiativeDetailOut, auth=None)
def initiative_detail(request: HttpRequest, ref: str):
    request.viewer = _viewer(request)
    return selectors.initiative_get(ref)


class PersonOut(NetworkRecordOut):
    ref: str
    name: str
    municipality: str | None
    roles: list[str]
    languages: list[str]
    themes: list[str]
    target_groups: list[str]
    skills: list[str]
    bio: str
    looking_for: str
    hours_per_week: int | None
    mentor_capacity: int

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return _slugs(obj.roles.all())

    @staticmethod
    def resolve_languages(obj) -> list[str]:
        return _slugs(obj.languages.all())

    @staticmethod
    def resolve_skills(obj) -> list[str]:
        return [str(skill) for skill in obj.skills or []]


class PersonQuery(Schema):
    q: str = ""
    role: list[str] = Field(default_factory=list)
    theme: list[str] = Field(default_factory=list)
    target_group: list[str] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list)
    municipality: list[str] = Field(default_factory=list)


@router.get("/people", response=list[PersonOut], auth=None)
@paginate(Pagination)
def person_list(request: HttpRequest, filters: Query[PersonQuery]):
    """Only the people the caller may see: public profiles, members-only ones for a
    signed-in caller, their own, and every profile for staff."""
    return selectors.person_search(
        selectors.PersonFilters(
            q=filters.q,
            roles=tuple(filters.role),
            themes=tuple(filters.theme),
            target_groups=tuple(filters.target_group),
            languages=tuple(filters.language),
            municipalities=tuple(filters.municipality),
        ),
        viewer=_viewer(request),
    )
