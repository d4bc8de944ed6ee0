from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.index import index_rounds, need_query
from matching.models import MatchingRound, Need, Proposal
from matching.services.proposals import _jsonable

MAX_NEEDS_PER_ROUND = 5000


@transaction.atomic
def matching_round_run(*, name: str, kind: str, actor, theme=None) -> MatchingRound:
    """Assign all open needs of a kind at once, maximising total fit within capacities,
    and keep greedy one-by-one assignment's total beside it for comparison. Nothing is
    proposed until staff publish the round."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff run matching rounds."))
    needs_qs = Need.objects.filter(status=Need.Status.OPEN, kind=kind).select_related(
        "organisation", "municipality"
    )
    if theme is not None:
        needs_qs = needs_qs.filter(themes=theme)
    needs = list(needs_qs.order_by("created_at")[:MAX_NEEDS_PER_ROUND])
    if not needs:
        raise ValidationError(_("There are no open needs of this kind to assign."))
    queries = [need_query(need, limit=10) for need in needs]
    best, greedy = index_rounds(queries)
    matching_round = MatchingRound.objects.create(
        name=name.strip() or _("Matching round"),
        kind=kind,
        total_score=round(best.total_score, 4),
        greedy_total_score=round(greedy.total_score, 4),
        seconds=round(best.seconds, 3),
        unassigned=[needs[position].ref for position in best.unassigned],
        assignments=[
            {
                "need": needs[position].ref,
                "need_id": needs[position].pk,
                "kind": candidate[0],
                "id": candidate[1],
                "score": round(float(score), 4),
            }
            for position, candidate, score in best.assignments
        ],
        created_by=actor,
    )
    matching_round.needs.set(needs)
    return matching_round


@transaction.atomic
def matching_round_publish(*, matching_round: MatchingRound, actor) -> int:
    """Turn the reviewed assignments into proposals (one per need, ranked first)."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff publish matching rounds."))
    matching_round = MatchingRound.objects.select_for_update().get(pk=matching_round.pk)
    if matching_round.status == MatchingRound.Status.PUBLISHED:
        raise ValidationError(_("This round has already been published."))
    created = 0
    for assignment in matching_round.assignments:
        need = Need.objects.filter(pk=assignment["need_id"], status=Need.Status.OPEN).first()
        if need is None:
            continue
        lookup = (
            {"person_id": assignment["id"]}
            if assignment["kind"] == "person"
            else {"organisation_id": assignment["id"]}
        )
        proposal, was_created = Proposal.objects.get_or_create(
            need=need,
            **lookup,
            defaults={
                "rank": 1,
                "score": assignment["score"],
                "matching_round": matching_round,
                "reasons": _jsonable(
                    [
                        {
                            "signal": "round",
                            "share": assignment["score"],
                            "evidence": matching_round.name,
                        }
                    ]
                ),
            },
        )
        if was_created:
            created += 1
        elif proposal.status == Proposal.Status.PROPOSED:
            proposal.matching_round = matching_round
            proposal.rank = 1
            proposal.save(update_fields=["matching_round", "rank", "updated_at"])
    matching_round.status = MatchingRound.Status.PUBLISHED
    matching_round.published_at = timezone.now()
    matching_round.save(update_fields=["status", "published_at"])
    return created
