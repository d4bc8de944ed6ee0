from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from matching.engine.formulae import KIND_OF_NEED
from matching.models import MatchingRound, Need, Proposal
from network.models import Membership
from network.search import clean_query
from network.selectors import _any_of, _municipality_filter


def need_search(
    *, q: str = "", kinds=(), themes=(), municipalities=(), status: str = Need.Status.OPEN
) -> QuerySet[Need]:
    queryset = (
        Need.objects.filter(status=status)
        .select_related("organisation", "municipality", "initiative")
        .prefetch_related("themes", "target_groups", "languages")
    )
    q = clean_query(q)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(description__icontains=q))
    kinds = [k for k in kinds if k in Need.Kind.values]
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    queryset = _any_of(queryset, "themes", themes)
    queryset = _municipality_filter(queryset, municipalities)
    return queryset.order_by("-created_at", "-pk")


def need_get(ref: str) -> Need:
    return get_object_or_404(
        Need.objects.select_related("organisation", "municipality", "initiative").prefetch_related(
            "themes", "target_groups", "languages"
        ),
        ref=ref,
    )


def need_proposals(need: Need) -> QuerySet[Proposal]:
    return need.proposals.select_related(
        "person", "person__municipality", "organisation", "organisation__municipality"
    ).order_by("status", "rank")


def _candidate_q(user) -> Q:
    admin_of = Membership.objects.filter(person__user=user, role=Membership.Role.ADMIN).values(
        "organisation_id"
    )
    return Q(person__user=user) | Q(organisation_id__in=admin_of)


def requests_for(user) -> QuerySet[Proposal]:
    """Proposals waiting for this person's answer (as themselves or for an organisation they
    are an admin of)."""
    return (
        Proposal.objects.filter(_candidate_q(user), status=Proposal.Status.ASKED)
        .select_related(
            "need", "need__organisation", "need__municipality", "person", "organisation"
        )
        .order_by("respond_by")
    )


def matches_for(user) -> QuerySet[Proposal]:
    asker_of = Membership.objects.filter(person__user=user).values("organisation_id")
    return (
        Proposal.objects.filter(
            _candidate_q(user) | Q(need__organisation_id__in=asker_of),
            status=Proposal.Status.MATCHED,
        )
        .select_related("need", "need__organisation", "person", "organisation")
        .order_by("-responded_at")
    )


def feedback_summary() -> dict[str, int]:
    """How matches worked out, as people answered the 30-day question (for the insights)."""
    rows = dict(
        Proposal.objects.filter(status=Proposal.Status.MATCHED)
        .values_list("feedback")
        .annotate(n=Count("pk"))
    )
    return {
        "matches": sum(rows.values()),
        "yes": rows.get("yes", 0),
        "partly": rows.get("partly", 0),
        "no": rows.get("no", 0),
        "unanswered": rows.get("", 0),
    }


def needs_of_member(user) -> QuerySet[Need]:
    """The needs of the organisations the user is a member of (open first), each with
    `proposals_new`: proposals that wait for the organisation's yes or no."""
    member_of = Membership.objects.filter(person__user=user).values("organisation_id")
    return (
        Need.objects.filter(organisation_id__in=member_of)
        .select_related("organisation")
        .annotate(
            proposals_new=Count("proposals", filter=Q(proposals__status=Proposal.Status.PROPOSED))
        )
        .order_by("-status", "-created_at", "-pk")
    )


def needs_for_candidate(*, person, roles, themes, municipalities=()) -> QuerySet[Need]:
    """Open needs a person may want to answer: of a kind their roles fit (the engine's
    KIND_OF_NEED), on one of their themes (or, without themes, in their municipality), not
    of their own organisations and not already answered. Needs the engine proposed them
    for come first (`proposed_to_me`); the engine's hard rules decide who is proposed."""
    kinds = [kind for kind, (_candidate, role) in KIND_OF_NEED.items() if role and role in roles]
    if person is None or not kinds:
        return Need.objects.none()
    mine = Proposal.objects.filter(need=OuterRef("pk"), person=person)
    return (
        need_search(kinds=kinds, themes=themes, municipalities=() if themes else municipalities)
        .exclude(organisation__memberships__person=person)
        .exclude(Exists(mine.exclude(status=Proposal.Status.PROPOSED)))
        .annotate(proposed_to_me=Exists(mine.filter(status=Proposal.Status.PROPOSED)))
        .order_by("-proposed_to_me", "-created_at", "-pk")
    )


def rounds_open() -> QuerySet[MatchingRound]:
    """Matching rounds that staff made and have not published yet."""
    return MatchingRound.objects.filter(status=MatchingRound.Status.DRAFT).order_by("-created_at")
