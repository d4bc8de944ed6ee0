from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from network.events import profile_changed
from network.models import Initiative, Organisation
from network.permissions import can_add_initiative, can_edit_initiative
from network.search import search_vectors_refresh
from network.services.refs import ref_generate

INITIATIVE_M2M = ("themes", "target_groups", "success_factors", "partners", "funders")


def _apply(initiative: Initiative, data: dict[str, Any]) -> Initiative:
    relations = {key: data.pop(key) for key in INITIATIVE_M2M if key in data}
    for key, value in data.items():
        setattr(initiative, key, value)
    initiative.full_clean()
    initiative.save()
    for key, value in relations.items():
        getattr(initiative, key).set(value)
    search_vectors_refresh(Initiative, [initiative.pk])
    # The initiative is its leader's and organisations' track record in matching.
    if initiative.leader_id:
        profile_changed("person", initiative.leader_id)
    if initiative.organisation_id:
        profile_changed("organisation", initiative.organisation_id)
    for partner in initiative.partners.all():
        profile_changed("organisation", partner.pk)
    return initiative


@transaction.atomic
def initiative_create(*, organisation: Organisation, actor, data: dict[str, Any]) -> Initiative:
    """Add an initiative to the knowledge bank; members of the lead organisation may."""
    if not can_add_initiative(actor, organisation):
        raise PermissionDenied(_("Only members of the organisation can add its initiatives."))
    data = dict(data)
    data["organisation"] = organisation
    return _apply(Initiative(ref=ref_generate("ini")), data)


@transaction.atomic
def initiative_update(*, initiative: Initiative, actor, data: dict[str, Any]) -> Initiative:
    if not can_edit_initiative(actor, initiative):
        raise PermissionDenied(
            _("Only members of the lead organisation can change this initiative.")
        )
    data = dict(data)
    data.pop("organisation", None)  # the lead organisation does not change hands here
    return _apply(initiative, data)
