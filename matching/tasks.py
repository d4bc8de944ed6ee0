"""Celery tasks for matching: thin, idempotent, by id, with time limits (docs/development.md, style §4)."""

from __future__ import annotations

from celery import shared_task

from config.locks import run_alone
from matching.index import index_invalidate, index_settle
from matching.models import Need
from matching.services import proposals as proposal_services
from network.models import Organisation, Person

NEEDS_REFRESHED_PER_CHANGE = 50


@shared_task(soft_time_limit=60, time_limit=90)
def need_proposals_refresh_task(need_id: int) -> int:
    need = Need.objects.filter(pk=need_id, status=Need.Status.OPEN).first()
    if need is None:
        return 0
    index_settle()  # a task may wait for a rebuild (after an import); a request never does
    return len(proposal_services.need_proposals_refresh(need=need))


@shared_task(soft_time_limit=120, time_limit=180)
def candidate_changed_task(kind: str, pk: int) -> int:
    """A profile changed: refresh the open needs it may now fit (or not). The index heard of
    the change through the log (matching.apps appended it after the commit)."""
    field = "proposals__person_id" if kind == "person" else "proposals__organisation_id"
    proposed_in = set(
        Need.objects.filter(status=Need.Status.OPEN, **{field: pk}).values_list("pk", flat=True)
    )
    # Needs the candidate may newly fit: open needs of their kind on their themes, newest first.
    model = Person if kind == "person" else Organisation
    candidate = model.objects.filter(pk=pk).first()
    fitting: list[int] = []
    if candidate is not None:
        kinds = (
            [Need.Kind.PARTNER]
            if kind == "organisation"
            else list(candidate.roles.values_list("slug", flat=True))
        )
        fitting = list(
            Need.objects.filter(
                status=Need.Status.OPEN, kind__in=kinds, themes__in=candidate.themes.all()
            )
            .order_by("-created_at")
            .values_list("pk", flat=True)
            .distinct()[:NEEDS_REFRESHED_PER_CHANGE]
        )
    need_ids = proposed_in | set(fitting)
    for need_id in need_ids:
        need_proposals_refresh_task.delay(need_id)
    return len(need_ids)


@shared_task(soft_time_limit=120, time_limit=180)
@run_alone("matching.proposals_housekeeping", timeout=180)
def proposals_housekeeping_task() -> dict[str, int]:
    """Every few minutes (Celery beat): expire, remind, ask for feedback. Runs alone (a
    Redis lock); the reminders and questions are marked before they are mailed, after
    commit, so a rerun never sends one twice."""
    return {
        "expired": proposal_services.proposals_expire(),
        "reminded": proposal_services.proposals_remind(),
        "feedback_asked": proposal_services.proposals_ask_feedback(),
    }


OPEN_NEEDS_REFRESHED_AFTER_IMPORT = 500


@shared_task(soft_time_limit=300, time_limit=360)
def index_rebuild_task() -> int:
    """After an import: every process rebuilds its index (in the background, serving the old
    one meanwhile); the newest open needs get fresh proposals once this worker's is built."""
    index_invalidate("import")
    need_ids = list(
        Need.objects.filter(status=Need.Status.OPEN)
        .order_by("-created_at")
        .values_list("pk", flat=True)[:OPEN_NEEDS_REFRESHED_AFTER_IMPORT]
    )
    for need_id in need_ids:
        need_proposals_refresh_task.delay(need_id)
    return len(need_ids)


@shared_task(soft_time_limit=60, time_limit=90)
def index_nightly_task() -> None:
    """Every night (Celery beat): every process rebuilds its index in the background, within
    NIGHTLY_SPREAD seconds of each other, to learn new words and themes (the vocabulary and
    idf are those of the build) and fresh exposure counts; each swaps when its build is done."""
    index_invalidate("nightly")
