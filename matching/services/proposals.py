"""The proposal flow: refresh from the engine, the asker accepts or dismisses, the
candidate accepts or declines before `respond_by`, a mutual yes opens an introduction.
See docs/matching.md."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.i18n import by_language
from config.after_commit import on_commit_safe
from config.mail import mail_send
from matching.engine import RankResult
from matching.events import introduction_month_old
from matching.index import index_changed, index_rank, need_query
from matching.models import Need, Proposal
from matching.permissions import can_manage_need, is_candidate
from messaging.services import conversation_open_introduction
from network.models import Membership, Organisation, Person

RESPONSE_DAYS = 7
REMINDER_BEFORE = timedelta(days=2)
FEEDBACK_AFTER = timedelta(days=30)
PROPOSALS_KEPT = 10


class ProposalConflict(ValidationError):
    """The proposal is not in a state that allows this (already answered, expired...)."""


def _jsonable(value: Any) -> Any:
    if is_dataclass(value):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, float):
        return round(value, 4)
    return value


def reasons_from(proposal) -> list[dict[str, Any]]:
    """The signals that raised the score, largest share first, with their evidence."""
    return [
        {
            "signal": signal,
            "share": round(share, 4),
            "evidence": _jsonable(proposal.evidence.get(signal)),
        }
        for signal, share in sorted(proposal.contributions.items(), key=lambda item: -item[1])
        if share > 0.0005
    ]


def need_rank(need: Need, *, limit: int = PROPOSALS_KEPT) -> RankResult:
    """Rank candidates for a need without storing anything (the `propose` command)."""
    limit = max(1, min(int(limit), 200))
    if need.status != Need.Status.OPEN:
        return RankResult(
            proposals=[], candidates_considered=0, excluded_by_rule={}, empty_reason="need_closed"
        )
    return index_rank(need_query(need, limit=limit))


@transaction.atomic
def need_proposals_refresh(*, need: Need) -> list[Proposal]:
    """Store the engine's current proposals for a need. Proposals someone acted on keep their
    state; untouched ones that dropped out of the top are removed."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    result = need_rank(need)
    existing = {
        (p.candidate_kind, p.person_id or p.organisation_id): p for p in need.proposals.all()
    }
    kept: set[int] = set()
    gone = _candidates_gone(
        [(p.kind, p.id) for p in result.proposals if (p.kind, p.id) not in existing]
    )
    position = 0
    for proposed in result.proposals:
        key = (proposed.kind, proposed.id)
        if key in gone:  # deleted after this process's index last heard of it
            continue
        position += 1
        proposal = existing.get(key)
        if proposal is None:
            proposal = Proposal(
                need=need,
                person_id=proposed.id if proposed.kind == "person" else None,
                organisation_id=proposed.id if proposed.kind == "organisation" else None,
            )
        if proposal.status == Proposal.Status.PROPOSED or proposal.pk is None:
            proposal.rank = position
            proposal.score = round(float(proposed.score), 4)
            proposal.reasons = reasons_from(proposed)
            proposal.save()
        kept.add(proposal.pk)
    need.proposals.filter(status=Proposal.Status.PROPOSED).exclude(pk__in=kept).delete()
    need.proposals_refreshed_at = timezone.now()
    need.save(update_fields=["proposals_refreshed_at"])
    return list(need.proposals.filter(status=Proposal.Status.PROPOSED).order_by("rank"))


def _candidates_gone(keys: list[tuple[str, int]]) -> set[tuple[str, int]]:
    """The candidates among `keys` that no longer exist. An index is current up to the last
    change it applied (docs/matching-engine.md, Changes as deltas): one that serves while it
    rebuilds may still hold someone deleted meanwhile, who must not become a proposal (or
    an error). At most one query per kind, and none when nothing is new."""
    gone: set[tuple[str, int]] = set()
    for kind, model in (("person", Person), ("organisation", Organisation)):
        ids = {pk for k, pk in keys if k == kind}
        if ids:
            found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
            gone.update((kind, pk) for pk in ids - found)
    return gone


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("need", "need__organisation", "person", "person__user", "organisation")
        .get(pk=proposal.pk)
    )


def _refresh_need_after_commit(need_id: int) -> None:
    from matching.tasks import need_proposals_refresh_task

    on_commit_safe(lambda: need_proposals_refresh_task.delay(need_id))


@transaction.atomic
def proposal_accept(*, proposal: Proposal, actor) -> Proposal:
    """The asker says yes: the candidate is asked and has RESPONSE_DAYS to answer."""
    proposal = _lock(proposal)
    if not can_manage_need(actor, proposal.need):
        raise PermissionDenied(_("Only the organisation that asked can accept a proposal."))
    if proposal.status != Proposal.Status.PROPOSED:
        raise ProposalConflict(_("This proposal has already been acted on."))
    if proposal.need.status != Need.Status.OPEN:
        raise ProposalConflict(_("This need is closed."))
    now = timezone.now()
    proposal.status = Proposal.Status.ASKED
    proposal.asked_at = now
    proposal.respond_by = now + timedelta(days=RESPONSE_DAYS)
    proposal.save()
    on_commit_safe(lambda: _notify(proposal.pk, "asked"))
    return proposal


@transaction.atomic
def proposal_dismiss(*, proposal: Proposal, actor) -> Proposal:
    """The asker says no: the candidate is not proposed again for this need."""
    proposal = _lock(proposal)
    if not can_manage_need(actor, proposal.need):
        raise PermissionDenied(_("Only the organisation that asked can dismiss a proposal."))
    if proposal.status != Proposal.Status.PROPOSED:
        raise ProposalConflict(_("This proposal has already been acted on."))
    proposal.status = Proposal.Status.DISMISSED
    proposal.save()
    _refresh_need_after_commit(proposal.need_id)
    return proposal


@transaction.atomic
def proposal_respond(*, proposal: Proposal, actor, accept: bool) -> Proposal:
    """The candidate answers. Yes from both sides opens an introduction."""
    proposal = _lock(proposal)
    if not is_candidate(actor, proposal):
        raise PermissionDenied(_("Only the person or organisation asked can answer."))
    if proposal.status != Proposal.Status.ASKED:
        raise ProposalConflict(_("There is no open question to answer on this proposal."))
    now = timezone.now()
    if proposal.respond_by and proposal.respond_by <= now:
        raise ProposalConflict(_("The time to answer has passed."))
    proposal.responded_at = now
    if accept:
        proposal.status = Proposal.Status.MATCHED
        proposal.introduction = introduction_open(proposal)
        proposal.save()
        # A mentor's load counts matches: every process's index hears of it (a delta).
        kind, pk = proposal.candidate_kind, proposal.person_id or proposal.organisation_id
        on_commit_safe(lambda: index_changed(kind, pk))
        on_commit_safe(lambda: _notify(proposal.pk, "matched"))
    else:
        proposal.status = Proposal.Status.DECLINED
        proposal.save()
        _refresh_need_after_commit(proposal.need_id)
        on_commit_safe(lambda: _notify(proposal.pk, "declined"))
    return proposal


def introduction_open(proposal: Proposal) -> dict[str, Any]:
    """Open the introduction conversation between the asker and the candidate
    (messaging.services.conversation_open_introduction, a plain import: a rename there must
    break matching's tests, not switch introductions off without a sound)."""
    asker_people = list(
        Membership.objects.filter(organisation=proposal.need.organisation)
        .exclude(person__user__isnull=True)
        .select_related("person")
    )
    if proposal.need.created_by_id:
        asker_people.sort(key=lambda m: m.person_id != proposal.need.created_by_id)
    asker = asker_people[0].person if asker_people else None
    if proposal.person_id:
        candidate_people = [proposal.person]
    else:
        candidate_people = [
            m.person
            for m in Membership.objects.filter(
                organisation=proposal.organisation, role=Membership.Role.ADMIN
            ).select_related("person")
        ]
    participants = [p for p in [asker, *candidate_people] if p is not None]
    introduction: dict[str, Any] = {
        "opened_at": timezone.now().isoformat(),
        "participants": [p.ref for p in participants],
        "conversation": None,
    }
    # With fewer than two people (an asking organisation whose members have no account yet)
    # there is nobody to introduce in a conversation: the match and its mail still stand.
    if len(participants) >= 2:
        conversation = conversation_open_introduction(
            participants=participants,
            title=proposal.need.title,
            body=_(
                "%(asker)s and %(candidate)s: you both said yes to “%(need)s”. Introduce yourselves!"
            )
            % {
                "asker": proposal.need.organisation.name,
                "candidate": proposal.candidate.name,
                "need": proposal.need.title,
            },
        )
        introduction["conversation"] = conversation.pk
    return introduction


@transaction.atomic
def proposals_expire(*, now=None) -> int:
    """Asked proposals past `respond_by` expire and the need moves on to the next candidate."""
    now = now or timezone.now()
    due = list(
        Proposal.objects.select_for_update(skip_locked=True).filter(
            status=Proposal.Status.ASKED, respond_by__lte=now
        )
    )
    for proposal in due:
        proposal.status = Proposal.Status.EXPIRED
        proposal.save(update_fields=["status", "updated_at"])
        _refresh_need_after_commit(proposal.need_id)
    return len(due)


@transaction.atomic
def proposals_remind(*, now=None) -> int:
    """A reminder to candidates whose answer is due within REMINDER_BEFORE."""
    now = now or timezone.now()
    due = list(
        Proposal.objects.select_for_update(skip_locked=True).filter(
            status=Proposal.Status.ASKED,
            reminded_at__isnull=True,
            respond_by__gt=now,
            respond_by__lte=now + REMINDER_BEFORE,
        )
    )
    for proposal in due:
        proposal.reminded_at = now
        proposal.save(update_fields=["reminded_at", "updated_at"])
        on_commit_safe(lambda pk=proposal.pk: _notify(pk, "reminder"))
    return len(due)


@transaction.atomic
def proposals_ask_feedback(*, now=None) -> int:
    """Thirty days after a match, ask both sides: did this work out?"""
    now = now or timezone.now()
    due = list(
        Proposal.objects.select_for_update(skip_locked=True).filter(
            status=Proposal.Status.MATCHED,
            feedback_asked_at__isnull=True,
            responded_at__lte=now - FEEDBACK_AFTER,
        )
    )
    for proposal in due:
        proposal.feedback_asked_at = now
        proposal.save(update_fields=["feedback_asked_at", "updated_at"])
        on_commit_safe(lambda pk=proposal.pk: _notify(pk, "feedback"))
        # The same step asks both sides for their close-out story (docs/stories.md).
        introduction_month_old(proposal.pk)
    return len(due)


@transaction.atomic
def proposal_feedback(*, proposal: Proposal, actor, answer: str, note: str = "") -> Proposal:
    proposal = _lock(proposal)
    if not (can_manage_need(actor, proposal.need) or is_candidate(actor, proposal)):
        raise PermissionDenied(_("Only the two sides of a match can answer."))
    if proposal.status != Proposal.Status.MATCHED:
        raise ProposalConflict(_("Feedback is asked about matches only."))
    if answer not in Proposal.Feedback.values:
        raise ValidationError({"answer": _("Choose yes, partly or no.")})
    proposal.feedback = answer
    proposal.feedback_note = note.strip()[:2000]
    proposal.save(update_fields=["feedback", "feedback_note", "updated_at"])
    return proposal


def _recipients(proposal: Proposal, event: str) -> list[str]:
    asker = list(
        Membership.objects.filter(organisation=proposal.need.organisation)
        .exclude(person__user__isnull=True)
        .values_list("person__user__email", flat=True)
    )
    if proposal.person_id:
        candidate = [proposal.person.user.email] if proposal.person.user_id else []
        if not candidate and proposal.person.email:
            candidate = [proposal.person.email]
    else:
        candidate = list(
            Membership.objects.filter(
                organisation=proposal.organisation, role=Membership.Role.ADMIN
            )
            .exclude(person__user__isnull=True)
            .values_list("person__user__email", flat=True)
        )
    if event in ("asked", "reminder"):
        return candidate
    if event == "declined":
        return asker
    return sorted(set(asker + candidate))


def _notify(proposal_id: int, event: str) -> None:
    """Mail the people concerned, each in the language they chose (accounts.i18n): one
    mail per language."""
    proposal = Proposal.objects.select_related(
        "need", "need__organisation", "person", "person__user", "organisation"
    ).get(pk=proposal_id)
    recipients = _recipients(proposal, event)
    if not recipients:
        return
    base = settings.BRUGGEN_BASE_URL.rstrip("/")
    for language, addresses in by_language(recipients).items():
        with translation.override(language):
            context = {
                "proposal": proposal,
                "need": proposal.need,
                "event": event,
                "requests_url": base + reverse("matching:requests"),
                "need_url": base + reverse("matching:need_detail", args=[proposal.need.ref]),
            }
            subject = render_to_string("matching/email/subject.txt", context).strip()
            body = render_to_string("matching/email/proposal.txt", context)
        mail_send(subject=subject, body=body, recipients=addresses)
