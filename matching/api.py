"""Matching in the API (docs/contracts.md §5): needs, their proposals, and answering them."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import field_validator

from accounts.api import api_auth
from config import api_forms
from config.api_docs import examples
from matching import permissions, selectors
from matching.forms import NeedForm
from matching.models import Need, Proposal
from matching.reasons import Names, reason_lines, reason_names
from matching.services import needs as need_services
from matching.services import proposals as proposal_services
from network.api import Pagination, _no_nul, _taxonomy_lookup
from network.models import (
    REF_PATTERN,
    Initiative,
    Language,
    Municipality,
    Organisation,
    TargetGroup,
    Theme,
)

router = Router(tags=["matching"], auth=api_auth)

NEED_EXAMPLE = {
    "ref": "need-eet-mee-mentor-ouders",
    "organisation": "cultuurinzicht",
    "kind": "mentor",
    "title": "Mentor voor ouders",
    "description": "Iemand die ouders wegwijs maakt op school.",
    "initiative": "eet-mee",
    "themes": ["parents"],
    "target_groups": ["parents"],
    "languages": ["ar"],
    "languages_required": False,
    "municipality": "Utrecht",
    "radius_km": 25,
    "hours_per_week": 2,
    "deadline": "2026-03-01",
    "status": "open",
}
PROPOSAL_EXAMPLE = {
    "id": 41,
    "rank": 1,
    "kind": "person",
    "ref": "p-annelies",
    "name": "Annelies Verhoef",
    "score": 0.87,
    "status": "asked",
    "respond_by": "2026-01-08T09:00:00+00:00",
    "reasons": [{"signal": "target_groups", "detail": "werkt met: ouders"}],
}


class NeedIn(Schema):
    organisation: str = Field(..., description="the asking organisation's ref")
    kind: str
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    initiative: str | None = None
    themes: list[str] = Field(default_factory=list, max_length=50)
    target_groups: list[str] = Field(default_factory=list, max_length=50)
    languages: list[str] = Field(default_factory=list, max_length=50)
    languages_required: bool = False
    municipality: str | None = None
    radius_km: int | None = Field(None, ge=0, le=10_000)
    hours_per_week: int | None = Field(None, ge=0, le=80)
    deadline: date | None = None

    @field_validator("*")
    @classmethod
    def _reject_nul(cls, value):
        return _no_nul(value)


class NeedOut(Schema):
    ref: str
    organisation: str
    kind: str
    title: str
    description: str
    initiative: str | None
    themes: list[str]
    target_groups: list[str]
    languages: list[str]
    languages_required: bool
    municipality: str | None
    radius_km: int | None
    hours_per_week: int | None
    deadline: date | None
    status: str

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.ref

    @staticmethod
    def resolve_initiative(obj) -> str | None:
        return obj.initiative.ref if obj.initiative_id else None

    @staticmethod
    def resolve_themes(obj) -> list[str]:
        return [t.pk for t in obj.themes.all()]

    @staticmethod
    def resolve_target_groups(obj) -> list[str]:
        return [g.pk for g in obj.target_groups.all()]

    @staticmethod
    def resolve_languages(obj) -> list[str]:
        return [lang.pk for lang in obj.languages.all()]

    @staticmethod
    def resolve_municipality(obj) -> str | None:
        return obj.municipality.name if obj.municipality_id else None


class ReasonOut(Schema):
    signal: str
    detail: str


class ProposalOut(Schema):
    id: int
    rank: int
    kind: str
    ref: str
    name: str
    score: float
    status: str
    respond_by: str | None
    reasons: list[ReasonOut]


def _proposal_out(proposal: Proposal, *, names: Names | None = None) -> ProposalOut:
    candidate = proposal.candidate
    return ProposalOut(
        id=proposal.pk,
        rank=proposal.rank,
        kind=proposal.candidate_kind,
        ref=candidate.ref,
        name=candidate.name,
        score=proposal.score,
        status=proposal.status,
        respond_by=proposal.respond_by.isoformat() if proposal.respond_by else None,
        reasons=[ReasonOut(**line) for line in reason_lines(proposal.reasons, names=names)],
    )


def _need_for(ref: str) -> Need:
    if not REF_PATTERN.match(ref or ""):
        raise HttpError(404, "Not found.")
    return selectors.need_get(ref)


@router.post(
    "/needs",
    response={201: NeedOut},
    openapi_extra=examples(
        status=201,
        request={
            "organisation": "cultuurinzicht",
            "kind": "mentor",
            "title": "Mentor voor ouders",
            "languages": ["ar"],
            "municipality": "Utrecht",
            "radius_km": 25,
        },
        response=NEED_EXAMPLE,
    ),
)
def need_create(request: HttpRequest, payload: NeedIn):
    """Post a need for an organisation the caller is a member of; proposals follow."""
    if not REF_PATTERN.match(payload.organisation):
        raise ValidationError({"organisation": "unknown organisation"})
    organisation = Organisation.objects.filter(ref=payload.organisation).first()
    if organisation is None:
        raise ValidationError({"organisation": f"unknown organisation {payload.organisation!r}"})
    if payload.kind not in Need.Kind.values:
        raise ValidationError({"kind": f"one of {', '.join(Need.Kind.values)}"})
    initiative = None
    if payload.initiative:
        initiative = Initiative.objects.filter(
            ref=payload.initiative, organisation=organisation
        ).first()
        if initiative is None:
            raise ValidationError({"initiative": "not an initiative of this organisation"})
    municipality = None
    if payload.municipality:
        municipality = Municipality.objects.filter(
            name__iexact=payload.municipality.strip()
        ).first()
        if municipality is None:
            raise ValidationError(
                {"municipality": f"unknown municipality {payload.municipality!r}"}
            )
    data = {
        "kind": payload.kind,
        "title": payload.title.strip(),
        "description": payload.description,
        "initiative": initiative,
        "themes": _taxonomy_lookup(Theme, payload.themes, "themes"),
        "target_groups": _taxonomy_lookup(TargetGroup, payload.target_groups, "target_groups"),
        "languages": _taxonomy_lookup(Language, payload.languages, "languages"),
        "languages_required": payload.languages_required,
        "municipality": municipality,
        "radius_km": payload.radius_km,
        "hours_per_week": payload.hours_per_week,
        "deadline": payload.deadline,
    }
    need = need_services.need_create(organisation=organisation, actor=request.auth, data=data)
    return Status(201, selectors.need_get(need.ref))


@router.get("/needs/{ref}", response=NeedOut, openapi_extra=examples(response=NEED_EXAMPLE))
def need_detail(request: HttpRequest, ref: str):
    need = _need_for(ref)
    if not permissions.can_view_need(request.auth, need):
        raise HttpError(404, "Not found.")
    return need


@router.get(
    "/needs/{ref}/proposals",
    response=list[ProposalOut],
    openapi_extra=examples(
        query="?limit=10", response=[{**PROPOSAL_EXAMPLE, "status": "proposed", "respond_by": None}]
    ),
)
def need_proposals(request: HttpRequest, ref: str, limit: int = Query(10, ge=1, le=100)):
    """The stored proposals for a need, best first, with reasons; for its organisation."""
    need = _need_for(ref)
    if not permissions.can_manage_need(request.auth, need):
        raise PermissionDenied("Only members of the asking organisation see its proposals.")
    if need.proposals_refreshed_at is None and need.status == Need.Status.OPEN:
        proposal_services.need_proposals_refresh(need=need)
    proposals = list(
        selectors.need_proposals(need)
        .filter(permissions.proposal_visibility_q(request.auth), status=Proposal.Status.PROPOSED)
        .order_by("rank")[:limit]
    )
    names = reason_names(p.reasons for p in proposals)
    return [_proposal_out(p, names=names) for p in proposals]


def _answer(request: HttpRequest, proposal_id: int, *, accept: bool) -> ProposalOut:
    proposal = get_object_or_404(
        Proposal.objects.select_related("need", "person", "organisation"), pk=proposal_id
    )
    asker = permissions.can_manage_need(request.auth, proposal.need)
    candidate = permissions.is_candidate(request.auth, proposal)
    if not asker and not candidate:
        raise HttpError(404, "Not found.")
    try:
        if candidate and proposal.status == Proposal.Status.ASKED:
            proposal = proposal_services.proposal_respond(
                proposal=proposal, actor=request.auth, accept=accept
            )
        elif asker:
            if accept:
                proposal = proposal_services.proposal_accept(proposal=proposal, actor=request.auth)
            else:
                proposal = proposal_services.proposal_dismiss(proposal=proposal, actor=request.auth)
        else:
            raise proposal_services.ProposalConflict(
                "There is no open question for you on this proposal."
            )
    except proposal_services.ProposalConflict as error:
        raise HttpError(409, " ".join(error.messages)) from error
    return _proposal_out(proposal)


@router.post(
    "/proposals/{proposal_id}/accept",
    response=ProposalOut,
    openapi_extra=examples(response=PROPOSAL_EXAMPLE),
)
def proposal_accept(request: HttpRequest, proposal_id: int):
    """The asker accepts (the candidate is asked), or the asked candidate says yes."""
    return _answer(request, proposal_id, accept=True)


@router.post(
    "/proposals/{proposal_id}/decline",
    response=ProposalOut,
    openapi_extra=examples(response={**PROPOSAL_EXAMPLE, "status": "declined"}),
)
def proposal_decline(request: HttpRequest, proposal_id: int):
    """The asker dismisses, or the asked candidate declines."""
    return _answer(request, proposal_id, accept=False)


# What the needs pages and the requests page do ------------------------------------------


class ListQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class NeedQuery(Schema):
    q: str = ""
    kind: list[str] = Field(default_factory=list)
    theme: list[str] = Field(default_factory=list)
    municipality: list[str] = Field(default_factory=list)


@router.get(
    "/needs",
    response=list[NeedOut],
    openapi_extra=examples(
        query="?kind=mentor&theme=parents&municipality=utrecht",
        response={"count": 1, "items": [NEED_EXAMPLE]},
    ),
)
@paginate(Pagination)
def need_list(request: HttpRequest, filters: Query[NeedQuery]):
    """The open needs, newest first, as on /needs/: by text (`q`), kind, theme and
    municipality (slug)."""
    return selectors.need_search(
        q=filters.q,
        kinds=tuple(filters.kind),
        themes=tuple(filters.theme),
        municipalities=tuple(filters.municipality),
    )


class NeedChange(Schema):
    """The fields of the need form (matching.services.needs.NEED_FIELDS); send only what
    changes, lists replace. The status changes through /close and /reopen."""

    kind: str | None = None
    title: str | None = Field(None, max_length=1_000)
    description: str | None = Field(None, max_length=20_000)
    initiative: str | None = Field(None, description="an initiative ref of the organisation")
    themes: list[str] | None = Field(None, max_length=50)
    target_groups: list[str] | None = Field(None, max_length=50)
    languages: list[str] | None = Field(None, max_length=50)
    languages_required: bool | None = None
    municipality: str | None = Field(None, description="a municipality by name")
    radius_km: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    hours_per_week: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    deadline: date | None = None


def _managed_need(request: HttpRequest, ref: str) -> Need:
    need = _need_for(ref)
    if not permissions.can_view_need(request.auth, need):
        raise HttpError(404, "Not found.")
    if not permissions.can_manage_need(request.auth, need):
        raise PermissionDenied(_("Only members of the organisation can change its needs."))
    return need


@router.patch(
    "/needs/{ref}",
    response=NeedOut,
    openapi_extra=examples(
        request={"hours_per_week": 3, "languages": ["ar", "nl"]},
        response={**NEED_EXAMPLE, "hours_per_week": 3, "languages": ["ar", "nl"]},
    ),
)
def need_update(request: HttpRequest, ref: str, payload: NeedChange):
    """Change a need, as members of its organisation can on its edit page."""
    need = _managed_need(request, ref)
    form = NeedForm(instance=need, organisation=need.organisation)
    data, problems = api_forms.form_data_overlay(
        api_forms.form_data_initial(form),
        payload.dict(exclude_unset=True),
        translate={
            "municipality": api_forms.municipality_by_name,
            "initiative": api_forms.pks_by_ref(Initiative.objects.all(), label="initiative"),
        },
    )
    cleaned = api_forms.form_cleaned(
        NeedForm(data, instance=need, organisation=need.organisation), problems
    )
    need_services.need_update(need=need, actor=request.auth, data=cleaned)
    return selectors.need_get(need.ref)


@router.post(
    "/needs/{ref}/close",
    response=NeedOut,
    openapi_extra=examples(response={**NEED_EXAMPLE, "status": "closed"}),
)
def need_close(request: HttpRequest, ref: str):
    """Close a need: no more proposals are made, open ones are withdrawn. Closing a closed
    need changes nothing."""
    need = _managed_need(request, ref)
    if need.status != Need.Status.CLOSED:
        need_services.need_close(need=need, actor=request.auth)
    return selectors.need_get(need.ref)


@router.post(
    "/needs/{ref}/reopen",
    response=NeedOut,
    openapi_extra=examples(response=NEED_EXAMPLE),
)
def need_reopen(request: HttpRequest, ref: str):
    """Open a closed need again; proposals follow."""
    need = _managed_need(request, ref)
    if need.status != Need.Status.OPEN:
        need_services.need_reopen(need=need, actor=request.auth)
    return selectors.need_get(need.ref)


class RequestOut(Schema):
    """A proposal waiting for the caller's answer (the requests page): as themselves, or for
    an organisation they are an admin of. Answer with /proposals/{id}/accept or /decline."""

    id: int
    need: str
    need_title: str
    need_kind: str
    organisation: str
    organisation_name: str
    municipality: str | None
    candidate_kind: str
    candidate: str
    respond_by: str | None
    reasons: list[ReasonOut]


class RequestList(Schema):
    count: int
    items: list[RequestOut]


@router.get(
    "/requests",
    response=RequestList,
    openapi_extra=examples(
        query="?limit=20",
        response={
            "count": 1,
            "items": [
                {
                    "id": 41,
                    "need": "need-eet-mee-mentor-ouders",
                    "need_title": "Mentor voor ouders",
                    "need_kind": "mentor",
                    "organisation": "cultuurinzicht",
                    "organisation_name": "Cultuurinzicht",
                    "municipality": "Utrecht",
                    "candidate_kind": "person",
                    "candidate": "p-annelies",
                    "respond_by": "2026-01-08T09:00:00+00:00",
                    "reasons": [{"signal": "target_groups", "detail": "werkt met: ouders"}],
                }
            ],
        },
    ),
)
def request_list(request: HttpRequest, query: Query[ListQuery]):
    """The proposals addressed to the caller that wait for a yes or no, soonest deadline
    first (the requests page)."""
    asked = selectors.requests_for(request.auth)
    page = list(asked[query.offset : query.offset + query.limit])
    names = reason_names(p.reasons for p in page)
    items = [
        RequestOut(
            id=proposal.pk,
            need=proposal.need.ref,
            need_title=proposal.need.title,
            need_kind=proposal.need.kind,
            organisation=proposal.need.organisation.ref,
            organisation_name=proposal.need.organisation.name,
            municipality=(
                proposal.need.municipality.name if proposal.need.municipality_id else None
            ),
            candidate_kind=proposal.candidate_kind,
            candidate=proposal.candidate.ref,
            respond_by=proposal.respond_by.isoformat() if proposal.respond_by else None,
            reasons=[ReasonOut(**line) for line in reason_lines(proposal.reasons, names=names)],
        )
        for proposal in page
    ]
    return {"count": asked.count(), "items": items}
