"""Close-out stories: asking, answering (half-way or done), reminding, reviewing, and merging
an approved story into the knowledge bank. See docs/stories.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.i18n import in_language_of
from config.after_commit import on_commit_safe
from config.mail import mail_send
from matching.models import Need, Proposal
from matching.services.needs import need_update
from network.events import profile_changed
from network.models import Initiative, Membership, Obstacle, Person, SuccessFactor
from network.services.initiatives import initiative_create, initiative_update
from stories.links import story_link_token
from stories.models import NUMBER_LIMIT, Story
from stories.permissions import (
    can_answer_story,
    can_review_story,
    can_start_stories_for_initiative,
    can_start_stories_for_need,
)

MAX_REMINDERS = 2
REMINDER_INTERVAL = timedelta(days=7)
# An initiative whose end date passed longer ago than this is not asked about (the first
# run after a deploy must not mail about every project that ever ended).
ENDED_LOOKBACK = timedelta(days=30)
TEXT_LIMIT = 5_000

ANSWER_TEXTS = ("what_worked", "what_did_not", "results", "lesson")
ANSWER_NUMBERS = ("participants_reached", "volunteers", "activities")
ANSWER_FIELDS = (*ANSWER_TEXTS, *ANSWER_NUMBERS, "success_factors", "obstacles", "consent")


class StoryConflict(ValidationError):
    """The story is not in a state that allows this (already sent, already reviewed)."""


# Asking -------------------------------------------------------------------------------


def _admins(organisation) -> list[Person]:
    if organisation is None:
        return []
    return list(
        Person.objects.filter(
            memberships__organisation=organisation, memberships__role=Membership.Role.ADMIN
        )
    )


def _asking_side(need: Need) -> list[Person]:
    """Who speaks for the need: the person who posted it, else its organisation's admins."""
    return [need.created_by] if need.created_by_id else _admins(need.organisation)


def _candidate_side(proposal: Proposal) -> list[Person]:
    return [proposal.person] if proposal.person_id else _admins(proposal.organisation)


def _ask(
    *, person: Person, subject: str, trigger: str, title: str, organisation, **about: Any
) -> Story | None:
    """One story per person and subject; asking again changes nothing (idempotent)."""
    if Story.objects.filter(person=person, subject=subject).exists():
        return None
    try:
        with transaction.atomic():
            story = Story.objects.create(
                person=person,
                subject=subject,
                trigger=trigger,
                title=title[:200],
                organisation=organisation,
                last_mailed_at=timezone.now(),
                **about,
            )
    except IntegrityError:  # asked at the same moment by another run
        return None
    on_commit_safe(lambda pk=story.pk: story_mail(story_id=pk, event="asked"))
    return story


def stories_ask_for_need(need_id: int) -> int:
    """A need closed: ask the asker and every matched candidate."""
    need = Need.objects.select_related("organisation", "initiative", "created_by").get(pk=need_id)
    people = _asking_side(need)
    for proposal in need.proposals.filter(status=Proposal.Status.MATCHED).select_related(
        "person", "organisation"
    ):
        people += _candidate_side(proposal)
    asked = 0
    for person in {p.pk: p for p in people}.values():
        asked += bool(
            _ask(
                person=person,
                subject=f"need:{need.pk}",
                trigger=Story.Trigger.NEED_CLOSED,
                title=need.title,
                organisation=need.organisation,
                need=need,
                initiative=need.initiative,
            )
        )
    return asked


def stories_ask_for_introduction(proposal_id: int) -> int:
    """An introduction is a month old (matching's feedback question): ask both sides."""
    proposal = Proposal.objects.select_related(
        "need", "need__organisation", "need__initiative", "need__created_by", "person"
    ).get(pk=proposal_id)
    need = proposal.need
    people = _asking_side(need) + _candidate_side(proposal)
    asked = 0
    for person in {p.pk: p for p in people}.values():
        asked += bool(
            _ask(
                person=person,
                subject=f"need:{need.pk}",
                trigger=Story.Trigger.INTRODUCTION,
                title=need.title,
                organisation=need.organisation,
                need=need,
                proposal=proposal,
                initiative=need.initiative,
            )
        )
    return asked


def _ask_for_initiative(initiative: Initiative) -> int:
    people = [initiative.leader] if initiative.leader_id else _admins(initiative.organisation)
    asked = 0
    for person in people:
        asked += bool(
            _ask(
                person=person,
                subject=f"initiative:{initiative.pk}",
                trigger=Story.Trigger.INITIATIVE_ENDED,
                title=initiative.title,
                organisation=initiative.organisation,
                initiative=initiative,
            )
        )
    return asked


@transaction.atomic
def stories_start(*, actor, need: Need | None = None, initiative: Initiative | None = None) -> int:
    """A member asks the people involved for their story now (the API's "start"), as a
    closed need or an ended initiative would. Asking twice asks nobody twice."""
    if (need is None) == (initiative is None):
        raise ValidationError(_("Name a need or an initiative."))
    if need is not None:
        if not can_start_stories_for_need(actor, need):
            raise PermissionDenied(_("Only members of the organisation can ask for stories."))
        return stories_ask_for_need(need.pk)
    if not can_start_stories_for_initiative(actor, initiative):
        raise PermissionDenied(_("Only members of the organisation can ask for stories."))
    return _ask_for_initiative(initiative)


@transaction.atomic
def stories_ask_for_ended_initiatives(*, today: date | None = None) -> int:
    """Initiatives whose end date passed (within ENDED_LOOKBACK): ask their leader, or the
    lead organisation's admins. Idempotent: one story per person and initiative."""
    today = today or timezone.localdate()
    ended = Initiative.objects.filter(
        ended__lt=today, ended__gte=today - ENDED_LOOKBACK
    ).select_related("leader", "organisation")
    return sum(_ask_for_initiative(initiative) for initiative in ended)


# Mail ---------------------------------------------------------------------------------


def story_mail(*, story_id: int, event: str) -> None:
    """Mail the author a fresh signed link (event: asked, reminder, sent_back), in the
    language the author chose (accounts.i18n; Dutch when they chose none)."""
    story = Story.objects.select_related("person", "person__user").filter(pk=story_id).first()
    if story is None:
        return
    person = story.person
    address = person.user.email if person.user_id else person.email
    if not address:
        return
    base = settings.BRUGGEN_BASE_URL.rstrip("/")
    with in_language_of(person):
        context = {
            "story": story,
            "event": event,
            "name": person.name,
            "link": base + reverse("stories:story_link", args=[story_link_token(story.pk)]),
        }
        subject = render_to_string("stories/email/subject.txt", context).strip()
        body = render_to_string("stories/email/story.txt", context)
    mail_send(subject=subject, body=body, recipients=[address])


@transaction.atomic
def stories_remind(*, now=None) -> int:
    """At most MAX_REMINDERS reminders, REMINDER_INTERVAL apart, for unanswered stories.
    Marked before the mail goes (after commit), so a rerun never sends one twice."""
    now = now or timezone.now()
    due = list(
        Story.objects.select_for_update(skip_locked=True).filter(
            status__in=(Story.Status.ASKED, Story.Status.DRAFT),
            reminders_sent__lt=MAX_REMINDERS,
            last_mailed_at__lte=now - REMINDER_INTERVAL,
        )
    )
    for story in due:
        story.reminders_sent += 1
        story.last_mailed_at = now
        story.save(update_fields=["reminders_sent", "last_mailed_at"])
        on_commit_safe(lambda pk=story.pk: story_mail(story_id=pk, event="reminder"))
    return len(due)


# Answering ----------------------------------------------------------------------------


def _lock(story: Story) -> Story:
    return (
        Story.objects.select_for_update(of=("self",))
        .select_related("person", "need", "initiative", "organisation")
        .get(pk=story.pk)
    )


def _clean_answers(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(ANSWER_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This is not a question of the questionnaire.") for name in sorted(unknown)}
        )
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in ANSWER_TEXTS:
        if name in data:
            value = (data[name] or "").replace("\x00", "").strip()
            if len(value) > TEXT_LIMIT:
                errors[name] = _("Please keep this under %(limit)s characters.") % {
                    "limit": TEXT_LIMIT
                }
            cleaned[name] = value
    for name in ANSWER_NUMBERS:
        if name in data:
            value = data[name]
            if value in ("", None):
                cleaned[name] = None
                continue
            try:
                number = int(value)
            except (TypeError, ValueError):
                errors[name] = _("Write a whole number, or leave it empty.")
                continue
            if not 0 <= number <= NUMBER_LIMIT:
                errors[name] = _("Write a number from 0 to %(limit)s.") % {"limit": NUMBER_LIMIT}
                continue
            cleaned[name] = number
    for name, model in (("success_factors", SuccessFactor), ("obstacles", Obstacle)):
        if name in data:
            slugs = [str(slug) for slug in (data[name] or [])]
            found = list(model.objects.filter(pk__in=slugs))
            if len(found) != len(set(slugs)):
                errors[name] = _("Choose from the list.")
            cleaned[name] = found
    if "consent" in data:
        cleaned["consent"] = bool(data["consent"])
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def story_answer(
    *,
    story: Story,
    actor,
    data: dict[str, Any],
    submit: bool,
    link_story_id: int | None = None,
) -> Story:
    """Save the answers: half-way (a draft) or done (`submit`, then the organisation
    reviews). Refused once sent (answered twice) and for anyone but the author or the
    holder of the story's signed link."""
    story = _lock(story)
    if not can_answer_story(actor, story, link_story_id=link_story_id):
        raise PermissionDenied(_("This questionnaire is not for you."))
    if not story.is_open:
        raise StoryConflict(_("You already sent this story. Thank you!"))
    cleaned = _clean_answers(data)
    relations = {
        name: cleaned.pop(name) for name in ("success_factors", "obstacles") if name in cleaned
    }
    for name, value in cleaned.items():
        setattr(story, name, value)
    now = timezone.now()
    story.saved_at = now
    if submit:
        answered = any(getattr(story, name) for name in ANSWER_TEXTS)
        if not answered:
            raise ValidationError(
                {"what_worked": _("Answer at least one question before you send your story.")}
            )
        story.status = Story.Status.SUBMITTED
        story.submitted_at = now
    elif story.status == Story.Status.ASKED:
        story.status = Story.Status.DRAFT
    story.full_clean(exclude=["person", "need", "proposal", "initiative", "organisation"])
    story.save()
    for name, rows in relations.items():
        getattr(story, name).set(rows)
    return story


# Reviewing and merging ----------------------------------------------------------------


@transaction.atomic
def story_review(*, story: Story, actor, approve: bool, note: str = "", now=None) -> Story:
    """The organisation's admin approves (with consent, the story goes into the knowledge
    bank) or sends it back with a note (the author can change and send it again). `now` is
    the moment of the review (the demo data dates its reviews in the past)."""
    story = _lock(story)
    if not can_review_story(actor, story):
        raise PermissionDenied(_("Only the organisation's admins review its stories."))
    if story.status != Story.Status.SUBMITTED:
        raise StoryConflict(_("This story is not waiting for a review."))
    note = (note or "").replace("\x00", "").strip()[:TEXT_LIMIT]
    story.reviewed_at = now or timezone.now()
    story.reviewed_by = actor
    story.review_note = note
    if approve:
        story.status = Story.Status.APPROVED
        story.save()
        if story.consent:
            _merge(story, actor=actor)
        else:
            _initiative_ensure(story, actor=actor)
        profile_changed("person", story.person_id)
        if story.organisation_id:
            profile_changed("organisation", story.organisation_id)
        return story
    if not note:
        raise ValidationError({"note": _("Tell the author what to change.")})
    story.status = Story.Status.SENT_BACK
    story.save()
    on_commit_safe(lambda pk=story.pk: story_mail(story_id=pk, event="sent_back"))
    return story


def _initiative_ensure(story: Story, *, actor) -> Initiative | None:
    """The story's initiative; for a need without one, a new initiative (running when the
    need led to a match, else an idea), linked to the need and its other stories."""
    if story.initiative_id:
        return story.initiative
    need = story.need
    if need is None:
        return None
    if need.initiative_id:
        initiative = need.initiative
    else:
        matched = need.proposals.filter(status=Proposal.Status.MATCHED).exists()
        initiative = initiative_create(
            organisation=need.organisation,
            actor=actor,
            data={
                "title": need.title,
                "summary": need.description,
                "status": Initiative.Status.RUNNING if matched else Initiative.Status.IDEA,
                "municipality": need.municipality,
                "themes": list(need.themes.all()),
                "target_groups": list(need.target_groups.all()),
            },
        )
        need_update(need=need, actor=actor, data={"initiative": initiative})
    Story.objects.filter(need=need, initiative__isnull=True).update(initiative=initiative)
    story.initiative = initiative
    return initiative


@dataclass(frozen=True)
class Merged:
    results: str
    lessons: str
    obstacles: str


def _append(existing: str, addition: str) -> str:
    """Add a paragraph unless the record says it already (merged, not overwritten)."""
    addition = addition.strip()
    if not addition or addition in existing:
        return existing
    return f"{existing.rstrip()}\n\n{addition}" if existing.strip() else addition


def merged_texts(story: Story, initiative: Initiative) -> Merged:
    """The initiative's results, lessons and obstacles with the story added, in Dutch (the
    knowledge bank's language), dated, without the author's name."""
    with translation.override(settings.LANGUAGE_CODE):
        when = formats.date_format(story.reviewed_at or timezone.now(), "F Y")
        prefix = _("From a story (%(when)s):") % {"when": when}
        numbers = []
        if story.participants_reached is not None:
            numbers.append(_("%(n)s people reached") % {"n": story.participants_reached})
        if story.volunteers is not None:
            numbers.append(_("%(n)s volunteers") % {"n": story.volunteers})
        if story.activities is not None:
            numbers.append(_("%(n)s activities") % {"n": story.activities})
        result_parts = [part for part in (story.what_worked, story.results) if part]
        if numbers:
            result_parts.append(", ".join(numbers) + ".")
        results = f"{prefix} {' '.join(result_parts)}" if result_parts else ""
        lessons = f"{prefix} {story.lesson}" if story.lesson else ""
        obstacle_names = [
            obstacle.name_nl
            for obstacle in story.obstacles.all()
            if obstacle.name_nl.casefold() not in initiative.obstacles.casefold()
        ]
        obstacle_parts = [story.what_did_not] if story.what_did_not else []
        if obstacle_names:
            obstacle_parts.append(", ".join(obstacle_names) + ".")
        obstacles = f"{prefix} {' '.join(obstacle_parts)}" if obstacle_parts else ""
    return Merged(
        results=_append(initiative.results, results),
        lessons=_append(initiative.lessons, lessons),
        obstacles=_append(initiative.obstacles, obstacles),
    )


def _merge(story: Story, *, actor) -> None:
    initiative = _initiative_ensure(story, actor=actor)
    if initiative is None:
        return
    initiative = Initiative.objects.prefetch_related("success_factors").get(pk=initiative.pk)
    merged = merged_texts(story, initiative)
    factors = {factor.pk: factor for factor in initiative.success_factors.all()}
    factors.update({factor.pk: factor for factor in story.success_factors.all()})
    initiative_update(
        initiative=initiative,
        actor=actor,
        data={
            "results": merged.results,
            "lessons": merged.lessons,
            "obstacles": merged.obstacles,
            "success_factors": list(factors.values()),
        },
    )
    story.merged_at = story.reviewed_at
    story.save(update_fields=["initiative", "merged_at"])
