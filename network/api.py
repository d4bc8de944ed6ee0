"""The network in the API (docs/contracts.md §5; docs/api.md): organisations, initiatives and
people, with the same filters and permission rules as the pages."""

from collections.abc import Callable
from datetime import date
from functools import wraps

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator

from accounts.api import api_auth
from accounts.services import api_token_authenticate
from config import api_forms
from config.api_docs import examples
from network import permissions, search, selectors
from network.forms import InitiativeForm, PersonForm
from network.models import Fund, Language, Municipality, Organisation, TargetGroup, Theme
from network.services import initiatives as initiative_services
from network.services import organisations as organisation_services
from network.services import people as people_services

router = Router(tags=["network"])

ORGANISATION_EXAMPLE = {
    "ref": "cultuurinzicht",
    "name": "Cultuurinzicht",
    "kind": "welfare",
    "municipality": "Utrecht",
    "description": "Welzijnswerk in Utrecht-Overvecht.",
    "website": "https://cultuurinzicht.example",
    "themes": ["food", "dialogue"],
    "target_groups": ["residents"],
    "languages": ["nl"],
    "offers": "Een ruimte en vrijwilligers",
    "open_to_matching": True,
    "verified": False,
}
INITIATIVE_EXAMPLE = {
    "ref": "eet-mee",
    "title": "Eet Mee! Bij Utrecht aan tafel",
    "organisation": "cultuurinzicht",
    "organisation_name": "Cultuurinzicht",
    "municipality": "Utrecht",
    "neighbourhood": "Overvecht",
    "status": "running",
    "started": "2023-03-01",
    "ended": None,
    "themes": ["food", "dialogue"],
    "target_groups": ["newcomers", "native_dutch"],
    "success_factors": ["network", "low_threshold"],
    "summary": "Buren koken voor elkaar en eten samen.",
}
INITIATIVE_DETAIL_EXAMPLE = {
    **INITIATIVE_EXAMPLE,
    "results": "40 maaltijden per maand",
    "obstacles": "Een vaste keuken vinden",
    "lessons": "Begin klein, met één straat.",
    "partners": ["buurtkracht"],
    "funders": ["oranjefonds"],
    "leader": "p-annelies",
}
PERSON_EXAMPLE = {
    "ref": "p-annelies",
    "name": "Annelies Verhoef",
    "municipality": "Utrecht",
    "roles": ["project_leader", "mentor"],
    "languages": ["nl", "en"],
    "themes": ["food"],
    "target_groups": ["newcomers"],
    "skills": ["fondsenwerving"],
    "bio": "Twintig jaar buurtwerk.",
    "looking_for": "Een maatje voor een nieuw project",
    "hours_per_week": 4,
    "mentor_capacity": 2,
}
PROFILE_EXAMPLE = {**PERSON_EXAMPLE, "visibility": "members", "open_to_matching": True}
FUND_EXAMPLE = {
    "ref": "oranjefonds",
    "name": "Oranje Fonds",
    "description": "Steunt sociale initiatieven.",
    "website": "https://www.oranjefonds.nl",
    "themes": ["neighbourhood"],
    "target_groups": ["residents"],
}


def _page(item) -> dict:
    return {"count": 1, "items": [item]}


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
    A token that is sent but invalid is an error, not a silent downgrade to anonymous.
    Decided once per request (the kept list asks before the operation does)."""
    known = getattr(request, "_bruggen_api_viewer", None)
    if known is not None:
        return known
    request._bruggen_api_viewer = _viewer_decided(request)
    return request._bruggen_api_viewer


def _viewer_decided(request: HttpRequest):
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


def _same_for_every_reader(run: Callable) -> Callable:
    """For a list that every reader gets alike (initiatives are public, and the list holds
    nothing of its reader): the whole answer kept per path, query string and language for
    the current search generation (network.search.response_cached), so a repeated search
    costs no query and no serialising. A request with a token that is not valid is never
    answered from it: it goes through the operation, which refuses it as always."""

    @wraps(run)
    def run_kept(request: HttpRequest, *args, **kwargs):
        if request.method != "GET":
            return run(request, *args, **kwargs)
        try:
            _viewer(request)
        except AuthenticationError:
            return run(request, *args, **kwargs)
        return search.response_cached(
            (request.path, request.META.get("QUERY_STRING", "")),
            lambda: run(request, *args, **kwargs),
        )

    return run_kept


def _slugs(items) -> list[str]:
    return [item.pk for item in items]


def _relation_slugs(obj, relation: str) -> list[str]:
    """A taxonomy relation's slugs: as the rows' query read them where a list asked for that
    (`selectors.with_taxonomy_slugs`), else from the (prefetched) relation. The same slugs in
    the same order either way (tests/api/test_taxonomy_slugs.py)."""
    annotated = getattr(obj, f"{relation}_slugs", None)
    if annotated is not None:
        return list(annotated)
    return _slugs(getattr(obj, relation).all())


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
        return _relation_slugs(obj, "themes")

    @staticmethod
    def resolve_target_groups(obj) -> list[str]:
        return _relation_slugs(obj, "target_groups")


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


@router.get(
    "/organisations",
    response=list[OrganisationOut],
    auth=None,
    openapi_extra=examples(
        query="?theme=food&municipality=utrecht&limit=1", response=_page(ORGANISATION_EXAMPLE)
    ),
)
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


@router.post(
    "/organisations",
    response={201: OrganisationOut},
    auth=api_auth,
    openapi_extra=examples(
        status=201,
        request={
            "name": "Cultuurinzicht",
            "kind": "welfare",
            "municipality": "Utrecht",
            "themes": ["food", "dialogue"],
        },
        response={**ORGANISATION_EXAMPLE, "ref": "org-3f9c2a1b"},
    ),
)
def organisation_create(request: HttpRequest, payload: OrganisationIn):
    """Register an organisation; the caller becomes its admin."""
    organisation = organisation_services.organisation_register(
        creator=request.auth, data=_organisation_data(payload)
    )
    return Status(201, selectors.organisation_get(organisation.ref))


@router.get(
    "/organisations/{ref}",
    response=OrganisationOut,
    auth=None,
    openapi_extra=examples(response=ORGANISATION_EXAMPLE),
)
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
        return _relation_slugs(obj, "success_factors")


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
    organisation: list[str] = Field(default_factory=list, description="lead organisations, by ref")


@router.get(
    "/initiatives",
    response=list[InitiativeOut],
    auth=None,
    openapi_extra=examples(
        query="?q=koken&theme=food&status=running&sort=recent", response=_page(INITIATIVE_EXAMPLE)
    ),
)
@decorate_view(_same_for_every_reader)
@paginate(Pagination)
def initiative_list(request: HttpRequest, filters: Query[InitiativeQuery]):
    _viewer(request)
    queryset = selectors.initiative_search(
        selectors.InitiativeFilters(
            q=filters.q,
            themes=tuple(filters.theme),
            target_groups=tuple(filters.target_group),
            municipalities=tuple(filters.municipality),
            statuses=tuple(filters.status),
            success_factors=tuple(filters.success_factor),
            sort=filters.sort,
            organisations=tuple(filters.organisation),
        )
    )
    # The list shows the taxonomies' slugs only: read with the rows, not prefetched.
    return selectors.with_taxonomy_slugs(
        queryset.prefetch_related(None), "themes", "target_groups", "success_factors"
    )


@router.get(
    "/initiatives/{ref}",
    response=InitiativeDetailOut,
    auth=None,
    openapi_extra=examples(response=INITIATIVE_DETAIL_EXAMPLE),
)
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


@router.get(
    "/people",
    response=list[PersonOut],
    auth=None,
    openapi_extra=examples(
        query="?role=mentor&language=ar&municipality=utrecht", response=_page(PERSON_EXAMPLE)
    ),
)
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


# Writes that the pages make, through the pages' own forms (config/api_forms.py) ----------


class TextField:
    """Lengths the forms check (the models' max_length); these bounds only keep a body from
    being absurdly large before the form sees it."""

    SHORT = 1_000
    LONG = 20_000
    LIST = 50


def _visible_people(request: HttpRequest):
    return selectors.people_visible_to(viewer=request.auth)


def _organisation_names(refs) -> str:
    found = dict(Organisation.objects.filter(ref__in=list(refs)).values_list("ref", "name"))
    unknown = [ref for ref in refs if ref not in found]
    if unknown:
        raise ValidationError(f"unknown organisation: {', '.join(unknown[:10])}")
    return api_forms.lines(found[ref] for ref in dict.fromkeys(refs))


def _initiative_translations(request: HttpRequest) -> dict:
    return {
        "municipality": api_forms.municipality_by_name,
        "leader": api_forms.pks_by_ref(_visible_people(request), label="person"),
        "partners": _organisation_names,
        "funders": api_forms.pks_by_ref(Fund.objects.all(), label="fund"),
    }


class InitiativeChange(Schema):
    """The fields of the initiative form (network.services.initiatives.INITIATIVE_FIELDS);
    a PATCH sends only what changes, lists replace."""

    title: str | None = Field(None, max_length=TextField.SHORT)
    leader: str | None = Field(None, description="a person ref (a member of the organisation)")
    municipality: str | None = Field(None, description="a municipality by name")
    neighbourhood: str | None = Field(None, max_length=TextField.SHORT)
    status: str | None = Field(None, description="idea, running or finished")
    started: date | None = None
    ended: date | None = None
    themes: list[str] | None = Field(None, max_length=TextField.LIST)
    target_groups: list[str] | None = Field(None, max_length=TextField.LIST)
    summary: str | None = Field(None, max_length=TextField.LONG)
    results: str | None = Field(None, max_length=TextField.LONG)
    success_factors: list[str] | None = Field(None, max_length=TextField.LIST)
    obstacles: str | None = Field(None, max_length=TextField.LONG)
    lessons: str | None = Field(None, max_length=TextField.LONG)
    partners: list[str] | None = Field(None, max_length=TextField.LIST, description="refs")
    funders: list[str] | None = Field(None, max_length=TextField.LIST, description="fund refs")


class InitiativeNew(InitiativeChange):
    organisation: str = Field(..., max_length=80, description="the lead organisation's ref")
    ref: str | None = Field(
        None,
        max_length=80,
        description="your own key for it (e.g. a municipality's project number); generated "
        "when left out",
    )
    title: str = Field(..., max_length=TextField.SHORT)


def _initiative_save(request: HttpRequest, *, organisation, initiative, changes: dict, save):
    """The initiative form of the pages, bound to the record's values and the changes."""
    form = InitiativeForm(instance=initiative, organisation=organisation, viewer=request.auth)
    data, problems = api_forms.form_data_overlay(
        api_forms.form_data_initial(form),
        changes,
        translate=_initiative_translations(request),
    )
    form = InitiativeForm(data, instance=initiative, organisation=organisation, viewer=request.auth)
    saved = save(api_forms.form_cleaned(form, problems))
    request.viewer = request.auth
    return selectors.initiative_get(saved.ref)


@router.post(
    "/initiatives",
    response={201: InitiativeDetailOut},
    auth=api_auth,
    openapi_extra=examples(
        status=201,
        request={
            "organisation": "cultuurinzicht",
            "ref": "utrecht-2024-017",
            "title": "Eet Mee! Bij Utrecht aan tafel",
            "status": "running",
            "municipality": "Utrecht",
            "themes": ["food", "dialogue"],
            "summary": "Buren koken voor elkaar en eten samen.",
        },
        response=INITIATIVE_DETAIL_EXAMPLE,
    ),
)
def initiative_create(request: HttpRequest, payload: InitiativeNew):
    """Add an initiative for an organisation the caller is a member of, with the fields of
    the initiative form; `ref` may be the caller's own key (a new one, never used before)."""
    organisation = selectors.organisation_find(ref=payload.organisation)
    if organisation is None:
        raise ValidationError({"organisation": f"unknown organisation {payload.organisation!r}"})
    if not permissions.can_add_initiative(request.auth, organisation):
        raise PermissionDenied(_("Only members of the organisation can add its initiatives."))
    changes = payload.dict(exclude_unset=True, exclude={"organisation", "ref"})
    initiative = _initiative_save(
        request,
        organisation=organisation,
        initiative=None,
        changes=changes,
        save=lambda data: initiative_services.initiative_create(
            organisation=organisation, actor=request.auth, data=data, ref=payload.ref
        ),
    )
    return Status(201, initiative)


@router.patch(
    "/initiatives/{ref}",
    response=InitiativeDetailOut,
    auth=api_auth,
    openapi_extra=examples(
        request={"status": "finished", "ended": "2025-12-31", "lessons": "Begin klein."},
        response={**INITIATIVE_DETAIL_EXAMPLE, "status": "finished", "ended": "2025-12-31"},
    ),
)
def initiative_update(request: HttpRequest, ref: str, payload: InitiativeChange):
    """Change an initiative, as members of its lead organisation can on its edit page; send
    only the fields that change."""
    initiative = selectors.initiative_get(ref)
    if not permissions.can_edit_initiative(request.auth, initiative):
        raise PermissionDenied(
            _("Only members of the lead organisation can change this initiative.")
        )
    return _initiative_save(
        request,
        organisation=initiative.organisation,
        initiative=initiative,
        changes=payload.dict(exclude_unset=True),
        save=lambda data: initiative_services.initiative_update(
            initiative=initiative, actor=request.auth, data=data
        ),
    )


class ProfileOut(PersonOut):
    visibility: str
    open_to_matching: bool


class ProfileChange(Schema):
    """The fields of the profile form (network.services.people.PERSON_FIELDS); send only
    what changes, lists replace."""

    name: str | None = Field(None, max_length=TextField.SHORT)
    municipality: str | None = Field(None, description="a municipality by name")
    roles: list[str] | None = Field(None, max_length=TextField.LIST)
    languages: list[str] | None = Field(None, max_length=TextField.LIST)
    themes: list[str] | None = Field(None, max_length=TextField.LIST)
    target_groups: list[str] | None = Field(None, max_length=TextField.LIST)
    skills: list[str] | None = Field(None, max_length=TextField.LIST)
    bio: str | None = Field(None, max_length=TextField.LONG)
    looking_for: str | None = Field(None, max_length=TextField.LONG)
    hours_per_week: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    mentor_capacity: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    visibility: str | None = Field(None, description="public, members or hidden")
    open_to_matching: bool | None = None


NO_PROFILE = "You have no profile yet: PATCH /api/v1/me/profile makes one."


@router.get(
    "/me/profile",
    response=ProfileOut,
    auth=api_auth,
    openapi_extra=examples(response=PROFILE_EXAMPLE),
)
def profile_detail(request: HttpRequest):
    """The caller's own profile, with what only they see (`visibility`, `open_to_matching`)."""
    person = selectors.person_for_user(request.auth)
    if person is None:
        raise HttpError(404, NO_PROFILE)
    return person


@router.patch(
    "/me/profile",
    response=ProfileOut,
    auth=api_auth,
    openapi_extra=examples(
        request={"bio": "Twintig jaar buurtwerk.", "languages": ["nl", "en"], "hours_per_week": 4},
        response=PROFILE_EXAMPLE,
    ),
)
def profile_update(request: HttpRequest, payload: ProfileChange):
    """Change the caller's profile with the fields of the profile form (and make it, on the
    first change, as the profile page does)."""
    person = selectors.person_for_user(request.auth)
    form = PersonForm(instance=person)
    data, problems = api_forms.form_data_overlay(
        api_forms.form_data_initial(form),
        payload.dict(exclude_unset=True),
        translate={"municipality": api_forms.municipality_by_name, "skills": api_forms.comma_list},
    )
    cleaned = api_forms.form_cleaned(PersonForm(data, instance=person), problems)
    with transaction.atomic():
        if person is None:
            person = people_services.person_ensure_for_user(user=request.auth)
        people_services.person_update(person=person, actor=request.auth, data=cleaned)
    return selectors.person_for_user(request.auth)


# Funds ------------------------------------------------------------------------------------


class FundOut(Schema):
    ref: str
    name: str
    description: str
    website: str
    themes: list[str]
    target_groups: list[str]

    @staticmethod
    def resolve_themes(obj) -> list[str]:
        return _relation_slugs(obj, "themes")

    @staticmethod
    def resolve_target_groups(obj) -> list[str]:
        return _relation_slugs(obj, "target_groups")


class FundDetailOut(FundOut):
    initiatives: list[str]

    @staticmethod
    def resolve_initiatives(obj) -> list[str]:
        return list(obj.initiatives.order_by("-updated_at").values_list("ref", flat=True))


class FundQuery(Schema):
    q: str = ""
    theme: list[str] = Field(default_factory=list)


@router.get(
    "/funds",
    response=list[FundOut],
    auth=None,
    openapi_extra=examples(query="?q=oranje&theme=neighbourhood", response=_page(FUND_EXAMPLE)),
)
@paginate(Pagination)
def fund_list(request: HttpRequest, filters: Query[FundQuery]):
    """The funds, as on /funds/: by name or description (`q`) and theme."""
    _viewer(request)
    return selectors.fund_search(q=filters.q, themes=tuple(filters.theme))


@router.get(
    "/funds/{ref}",
    response=FundDetailOut,
    auth=None,
    openapi_extra=examples(response={**FUND_EXAMPLE, "initiatives": ["eet-mee"]}),
)
def fund_detail(request: HttpRequest, ref: str):
    """One fund, with the refs of the initiatives it funded."""
    _viewer(request)
    return selectors.fund_get(ref)
