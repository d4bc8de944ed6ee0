"""Writes for the guided start (docs/home.md). Profile changes go through network's people
service, so matching hears of them (profile_changed)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from home.models import PURPOSE_ROLES, GuidedStart, Purpose, Step
from network.models import Person
from network.services.people import person_ensure_for_user, person_update

DRAFT_MAX_VALUES = 200
DRAFT_MAX_CHARS = 1000


def profile_ensure_on_signup(sender, request, user: User, **kwargs) -> None:
    """allauth's user_signed_up: the new account gets its profile, named as they typed it."""
    person_ensure_for_user(user=user)


@transaction.atomic
def guided_start_ensure(*, user: User) -> GuidedStart:
    start, _created = GuidedStart.objects.get_or_create(user=user)
    return start


def _locked(user: User) -> GuidedStart:
    guided_start_ensure(user=user)
    return GuidedStart.objects.select_for_update().get(user=user)


def _next_step(start: GuidedStart, current: str) -> str:
    steps = start.steps()
    position = steps.index(current) if current in steps else 0
    return steps[min(position + 1, len(steps) - 1)]


@transaction.atomic
def guided_start_purposes_set(
    *, user: User, purposes: list[str], advance: bool = True
) -> GuidedStart:
    """Record what brings the person here and give them the matching roles. Roles that no
    purpose stands for are kept; the four that purposes stand for follow the answer."""
    unknown = set(purposes) - set(Purpose.values)
    if unknown:
        raise ValidationError({"purposes": _("Choose from the list.")})
    start = _locked(user)
    start.purposes = [p for p in Purpose.values if p in purposes]
    start.draft = {}
    if advance:
        start.step = _next_step(start, Step.PURPOSE)
    start.full_clean()
    start.save()
    person = person_ensure_for_user(user=user)
    managed = set(PURPOSE_ROLES.values())
    kept = [slug for slug in person.roles.values_list("slug", flat=True) if slug not in managed]
    chosen = [PURPOSE_ROLES[p] for p in start.purposes if p in PURPOSE_ROLES]
    person_update(person=person, actor=user, data={"roles": kept + chosen})
    return start


@transaction.atomic
def guided_start_profile_save(
    *, user: User, data: dict[str, Any], advance: bool = True
) -> tuple[GuidedStart, Person]:
    """Save the parts of the profile the step asked for (a form's cleaned_data)."""
    start = _locked(user)
    person = person_ensure_for_user(user=user)
    person_update(person=person, actor=user, data=dict(data))
    start.draft = {}
    if advance:
        start.step = _next_step(start, Step.PROFILE)
    start.save()
    return start, person


def _draft_clean(data) -> dict[str, list[str]]:
    """Only short strings, a bounded number: the draft is typed text, never a payload."""
    draft: dict[str, list[str]] = {}
    count = 0
    for key in data:
        if key in ("csrfmiddlewaretoken", "action") or len(key) > 40:
            continue
        values = [str(v)[:DRAFT_MAX_CHARS] for v in data.getlist(key)]
        count += len(values)
        if count > DRAFT_MAX_VALUES:
            break
        draft[key] = values
    return draft


@transaction.atomic
def guided_start_leave(*, user: User, step: str, data=None) -> GuidedStart:
    """The person leaves the start for now ("Later"): keep where they were and what they
    typed that was not saved yet."""
    start = _locked(user)
    if step in start.steps():
        start.step = step
    start.draft = {"step": step, "data": _draft_clean(data)} if data else {}
    start.save()
    return start


@transaction.atomic
def guided_start_draft_save(*, user: User, step: str, data) -> GuidedStart:
    """What the person is typing in a step, kept as they go (the page sends it on every
    change), so leaving the page any way keeps it; nothing reaches the profile yet."""
    start = _locked(user)
    if step in start.steps():
        start.draft = {"step": step, "data": _draft_clean(data)}
        start.save(update_fields=["draft", "updated_at"])
    return start


@transaction.atomic
def guided_start_go_to(*, user: User, step: str) -> GuidedStart:
    start = _locked(user)
    if step in start.steps():
        start.step = step
        start.save(update_fields=["step", "updated_at"])
    return start


@transaction.atomic
def guided_start_finish(*, user: User) -> GuidedStart:
    start = _locked(user)
    start.step = Step.NEXT
    start.draft = {}
    start.finished_at = start.finished_at or timezone.now()
    start.save()
    return start


@transaction.atomic
def guided_start_dismiss(*, user: User) -> GuidedStart:
    """ "Don't show this again": the home stops asking; the start stays reachable."""
    start = _locked(user)
    start.dismissed_at = start.dismissed_at or timezone.now()
    start.save(update_fields=["dismissed_at", "updated_at"])
    return start
