from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from network.events import profile_changed
from network.models import REF_PATTERN, Initiative, Organisation
from network.permissions import can_add_initiative, can_edit_initiative
from network.search import search_results_changed, search_vectors_refresh
from network.services.records import record_fields_check, record_write
from network.services.refs import ref_generate, ref_in_use, ref_retire

# What the pages and the admin may write (network.services.records), in the order the form
# (network.forms.InitiativeForm) shows them. Moving an initiative to
# another lead organisation is for staff only.
INITIATIVE_FIELDS = (
    "title",
    "leader",
    "municipality",
    "neighbourhood",
    "status",
    "started",
    "ended",
    "themes",
    "target_groups",
    "summary",
    "results",
    "success_factors",
    "obstacles",
    "lessons",
    "partners",
    "funders",
)
INITIATIVE_STAFF_FIELDS = frozenset({"organisation"})
INITIATIVE_M2M = ("themes", "target_groups", "success_factors", "partners", "funders")


def _track_record_changed(initiative: Initiative) -> None:
    # The initiative is its leader's and organisations' track record in matching.
    if initiative.leader_id:
        profile_changed("person", initiative.leader_id)
    if initiative.organisation_id:
        profile_changed("organisation", initiative.organisation_id)
    for partner in initiative.partners.all():
        profile_changed("organisation", partner.pk)


def _apply(initiative: Initiative, data: dict[str, Any]) -> Initiative:
    record_write(initiative, data, relations=INITIATIVE_M2M)
    search_vectors_refresh(Initiative, [initiative.pk])
    _track_record_changed(initiative)
    return initiative


def _chosen_ref(ref: str) -> str:
    """A ref the caller chose (a script that keeps its own keys, docs/api.md): well-formed,
    and neither in use nor retired (docs/contracts.md §1)."""
    if not REF_PATTERN.fullmatch(ref):
        raise ValidationError(
            {"ref": _("A ref is lowercase letters, digits, dots, dashes and underscores.")}
        )
    if ref_in_use(ref):
        raise ValidationError({"ref": _("This ref is already in use, or was used before.")})
    return ref


@transaction.atomic
def initiative_create(
    *, organisation: Organisation | None, actor, data: dict[str, Any], ref: str | None = None
) -> Initiative:
    """Add an initiative to the knowledge bank; members of the lead organisation may (staff
    may also add one without a lead organisation, in the admin). Without `ref` one is
    generated."""
    if not can_add_initiative(actor, organisation):
        raise PermissionDenied(_("Only members of the organisation can add its initiatives."))
    data = record_fields_check(data, writable=INITIATIVE_FIELDS, entity="initiative")
    ref = _chosen_ref(ref) if ref else ref_generate("ini")
    return _apply(Initiative(ref=ref, organisation=organisation), data)


@transaction.atomic
def initiative_update(*, initiative: Initiative, actor, data: dict[str, Any]) -> Initiative:
    if not can_edit_initiative(actor, initiative):
        raise PermissionDenied(
            _("Only members of the lead organisation can change this initiative.")
        )
    previous_leader_id = initiative.leader_id
    previous_organisation_id = initiative.organisation_id
    data = record_fields_check(
        data,
        writable=INITIATIVE_FIELDS,
        staff_only=INITIATIVE_STAFF_FIELDS,
        actor=actor,
        entity="initiative",
    )
    initiative = _apply(initiative, data)
    # Whoever the initiative no longer belongs to loses it from their track record.
    if previous_leader_id and previous_leader_id != initiative.leader_id:
        profile_changed("person", previous_leader_id)
    if previous_organisation_id and previous_organisation_id != initiative.organisation_id:
        profile_changed("organisation", previous_organisation_id)
    return initiative


@transaction.atomic
def initiative_delete(*, initiative: Initiative, actor) -> None:
    """Remove an initiative from the knowledge bank; its ref is retired (docs/contracts.md §1)."""
    if not can_edit_initiative(actor, initiative):
        raise PermissionDenied(
            _("Only members of the lead organisation can change this initiative.")
        )
    _track_record_changed(initiative)
    ref_retire(ref=initiative.ref, kind="initiative")
    initiative.delete()
    search_results_changed()
