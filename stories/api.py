"""Close-out stories in the API (docs/contracts.md §5, docs/stories.md): list and read my
story requests, save answers half-way, send them, and ask the people involved for their
stories. GET needs the token's `read` scope, the rest `write` (accounts.api)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator

from accounts.api import api_auth
from config.api_docs import examples
from matching.models import Need
from network.api import _no_nul
from network.models import REF_PATTERN, Initiative
from stories import selectors, services
from stories.models import NUMBER_LIMIT, Story
from stories.permissions import is_author

router = Router(tags=["stories"], auth=api_auth)

TEXT = services.TEXT_LIMIT


class Pagination(LimitOffsetPagination):
    """`{"count": N, "items": [...]}` with `limit` and `offset` (docs/contracts.md §5)."""

    class Input(Schema):
        limit: int = Field(20, ge=1, le=100)
        offset: int = Field(0, ge=0, le=1_000_000)


class StoryOut(Schema):
    id: int
    title: str
    trigger: str
    status: str
    need: str | None
    initiative: str | None
    organisation: str | None
    what_worked: str
    what_did_not: str
    results: str
    participants_reached: int | None
    volunteers: int | None
    activities: int | None
    success_factors: list[str]
    obstacles: list[str]
    lesson: str
    consent: bool
    review_note: str
    asked_at: datetime
    submitted_at: datetime | None

    @staticmethod
    def resolve_need(obj) -> str | None:
        return obj.need.ref if obj.need_id else None

    @staticmethod
    def resolve_initiative(obj) -> str | None:
        return obj.initiative.ref if obj.initiative_id else None

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.ref if obj.organisation_id else None

    @staticmethod
    def resolve_success_factors(obj) -> list[str]:
        return [row.pk for row in obj.success_factors.all()]

    @staticmethod
    def resolve_obstacles(obj) -> list[str]:
        return [row.pk for row in obj.obstacles.all()]


class StoryAnswersIn(Schema):
    """Only the questions sent are changed; leave one out to keep its answer."""

    what_worked: str | None = Field(None, max_length=TEXT)
    what_did_not: str | None = Field(None, max_length=TEXT)
    results: str | None = Field(None, max_length=TEXT)
    participants_reached: int | None = Field(None, ge=0, le=NUMBER_LIMIT)
    volunteers: int | None = Field(None, ge=0, le=NUMBER_LIMIT)
    activities: int | None = Field(None, ge=0, le=NUMBER_LIMIT)
    success_factors: list[str] | None = Field(None, max_length=50)
    obstacles: list[str] | None = Field(None, max_length=50)
    lesson: str | None = Field(None, max_length=TEXT)
    consent: bool | None = None

    @field_validator("*")
    @classmethod
    def _reject_nul(cls, value):
        return _no_nul(value)


class StoriesStartIn(Schema):
    need: str | None = Field(None, description="a need's ref")
    initiative: str | None = Field(None, description="an initiative's ref")


class StoriesStartOut(Schema):
    asked: int


STORY_EXAMPLE = {
    "id": 41,
    "title": "Mentor voor ouderavonden",
    "trigger": "need_closed",
    "status": "draft",
    "need": "need-3fa2c1d0",
    "initiative": None,
    "organisation": "cultuurinzicht",
    "what_worked": "Koken samen met de ouders: iedereen deed mee.",
    "what_did_not": "De eerste avond kwam bijna niemand.",
    "results": "",
    "participants_reached": 40,
    "volunteers": 6,
    "activities": None,
    "success_factors": ["activities_fit", "own_language"],
    "obstacles": ["hard_to_reach"],
    "lesson": "",
    "consent": False,
    "review_note": "",
    "asked_at": "2026-11-30T10:00:00+01:00",
    "submitted_at": None,
}
ANSWERS_EXAMPLE = {
    "what_worked": "Koken samen met de ouders: iedereen deed mee.",
    "participants_reached": 40,
    "success_factors": ["activities_fit", "own_language"],
    "obstacles": ["hard_to_reach"],
}
SUBMIT_EXAMPLE = {
    **ANSWERS_EXAMPLE,
    "lesson": "Vraag een sleutelfiguur om de eerste avond mee te nemen.",
    "consent": True,
}


def _own_story(request: HttpRequest, story_id: int) -> Story:
    """The caller's own story; anyone else's reads as not found (it is not theirs to see)."""
    story = selectors.story_get(story_id)
    if not is_author(request.auth, story):
        raise HttpError(404, "Not found.")
    return story


def _answer(request: HttpRequest, story_id: int, payload: StoryAnswersIn, *, submit: bool):
    story = _own_story(request, story_id)
    data = payload.dict(exclude_unset=True)
    for name in ("success_factors", "obstacles"):
        if name in data and data[name] is None:
            data[name] = []
    try:
        services.story_answer(story=story, actor=request.auth, data=data, submit=submit)
    except services.StoryConflict as error:
        raise HttpError(409, " ".join(error.messages)) from error
    return selectors.story_get(story.pk)


@router.get(
    "/stories",
    response=list[StoryOut],
    openapi_extra=examples(
        response={"count": 1, "items": [STORY_EXAMPLE]}, query="?all=false&limit=20&offset=0"
    ),
)
@paginate(Pagination)
def story_list(request: HttpRequest, all: bool = False):
    """My story requests still waiting for my answer (asked, saved half-way, sent back),
    oldest first; `all=true` lists the sent and approved ones too."""
    stories = (
        selectors.stories_of(request.auth) if all else selectors.stories_open_for(request.auth)
    )
    return stories.order_by("asked_at", "pk")


@router.get(
    "/stories/{int:story_id}",
    response=StoryOut,
    openapi_extra=examples(response=STORY_EXAMPLE),
)
def story_detail(request: HttpRequest, story_id: int):
    """One of my stories with the answers so far."""
    return _own_story(request, story_id)


@router.patch(
    "/stories/{int:story_id}",
    response=StoryOut,
    openapi_extra=examples(request=ANSWERS_EXAMPLE, response=STORY_EXAMPLE),
)
def story_save(request: HttpRequest, story_id: int, payload: StoryAnswersIn):
    """Save answers half-way (a draft); 409 once the story was sent."""
    return _answer(request, story_id, payload, submit=False)


@router.post(
    "/stories/{int:story_id}/submit",
    response=StoryOut,
    openapi_extra=examples(
        request=SUBMIT_EXAMPLE,
        response={**STORY_EXAMPLE, **SUBMIT_EXAMPLE, "status": "submitted"},
    ),
)
def story_submit(request: HttpRequest, story_id: int, payload: StoryAnswersIn):
    """Send the story (with any last answers) for the organisation's review; answering a
    second time is refused with 409."""
    return _answer(request, story_id, payload, submit=True)


@router.post(
    "/stories/start",
    response={201: StoriesStartOut},
    openapi_extra=examples(request={"need": "need-3fa2c1d0"}, response={"asked": 2}, status=201),
)
def stories_start(request: HttpRequest, payload: StoriesStartIn):
    """Ask the people involved in a need or initiative of my organisation for their story
    now; people already asked about it are not asked again (`asked` counts the new ones)."""
    need = initiative = None
    if payload.need:
        if not REF_PATTERN.match(payload.need):
            raise ValidationError({"need": "unknown need"})
        need = Need.objects.filter(ref=payload.need).first()
        if need is None:
            raise ValidationError({"need": "unknown need"})
    if payload.initiative:
        if not REF_PATTERN.match(payload.initiative):
            raise ValidationError({"initiative": "unknown initiative"})
        initiative = Initiative.objects.filter(ref=payload.initiative).first()
        if initiative is None:
            raise ValidationError({"initiative": "unknown initiative"})
    asked = services.stories_start(actor=request.auth, need=need, initiative=initiative)
    return Status(201, StoriesStartOut(asked=asked))
