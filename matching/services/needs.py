from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from config.after_commit import on_commit_safe
from matching.events import need_closed
from matching.models import Need
from matching.permissions import can_manage_need, can_post_need
from network.models import Organisation, Person, RetiredRef
from network.services.records import record_fields_check, record_write

# What the pages and the API may write (network.services.records); the status changes only
# through need_close and need_reopen, the organisation never.
NEED_FIELDS = (
    "kind",
    "title",
    "description",
    "initiative",
    "themes",
    "target_groups",
    "languages",
    "languages_required",
    "municipality",
    "radius_km",
    "hours_per_week",
    "deadline",
)
NEED_M2M = ("themes", "target_groups", "languages")


def need_ref_generate() -> str:
    while True:
        ref = f"need-{secrets.token_hex(4)}"
        if (
            not Need.objects.filter(ref=ref).exists()
            and not RetiredRef.objects.filter(ref=ref).exists()
        ):
            return ref


def _apply(need: Need, data: dict[str, Any]) -> Need:
    data = record_fields_check(data, writable=NEED_FIELDS, entity="need")
    initiative = data.get("initiative", need.initiative if need.initiative_id else None)
    if initiative is not None and initiative.organisation_id != need.organisation_id:
        raise ValidationError({"initiative": _("Choose one of your organisation's initiatives.")})
    record_write(need, data, relations=NEED_M2M)
    _refresh_after_commit(need)
    return need


def _refresh_after_commit(need: Need) -> None:
    from matching.tasks import need_proposals_refresh_task

    need_id = need.pk
    on_commit_safe(lambda: need_proposals_refresh_task.delay(need_id))


@transaction.atomic
def need_create(
    *, organisation: Organisation, actor, data: dict[str, Any], ref: str | None = None
) -> Need:
    """Post a need; proposals are computed after commit (Celery, or in-process)."""
    if not can_post_need(actor, organisation):
        raise PermissionDenied(_("Only members of the organisation can post its needs."))
    need = Need(
        ref=ref or need_ref_generate(),
        organisation=organisation,
        created_by=Person.objects.filter(user=actor).first() if actor.is_authenticated else None,
    )
    return _apply(need, data)


@transaction.atomic
def need_update(*, need: Need, actor, data: dict[str, Any]) -> Need:
    if not can_manage_need(actor, need):
        raise PermissionDenied(_("Only members of the organisation can change its needs."))
    return _apply(need, data)


@transaction.atomic
def need_close(*, need: Need, actor) -> Need:
    if not can_manage_need(actor, need):
        raise PermissionDenied(_("Only members of the organisation can close its needs."))
    was_open = need.status == Need.Status.OPEN
    need.status = Need.Status.CLOSED
    need.save(update_fields=["status", "updated_at"])
    need.proposals.filter(status="proposed").delete()
    if was_open:
        need_closed(need.pk)
    return need


@transaction.atomic
def need_reopen(*, need: Need, actor) -> Need:
    if not can_manage_need(actor, need):
        raise PermissionDenied(_("Only members of the organisation can reopen its needs."))
    need.status = Need.Status.OPEN
    need.save(update_fields=["status", "updated_at"])
    _refresh_after_commit(need)
    return need
