from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from matching.index import index_reset
from matching.models import Need, Proposal
from network.models import Membership, Person, TargetGroup, Theme
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, member_user
from tests.matching.factories import NeedFactory


@dataclass
class Scene:
    organisation: object
    admin: object  # the user who posted the need (an admin of the organisation)
    member: object  # a member who is no admin
    candidate: object  # the matched volunteer's user
    candidate_person: Person
    stranger: object
    need: Need
    proposal: Proposal


@pytest.fixture(autouse=True)
def _fresh_index():
    index_reset()
    yield
    index_reset()


@pytest.fixture
def scene(db) -> Scene:
    organisation = OrganisationFactory(name="Cultuurinzicht")
    admin = member_user(organisation, role=Membership.Role.ADMIN, name="Annelies Verhoef")
    member = member_user(organisation, name="Sanne de Wit")
    candidate = UserFactory(name="Karim El Amrani")
    candidate_person = PersonFactory(user=candidate, name="Karim El Amrani")
    stranger = UserFactory(name="Iemand Anders")
    PersonFactory(user=stranger, name="Iemand Anders")
    need = NeedFactory(
        organisation=organisation,
        title="Mentor voor ouderavonden",
        created_by=admin.person,
        themes=[Theme.objects.get(pk="food")],
        target_groups=[TargetGroup.objects.get(pk="moroccan")],
    )
    proposal = Proposal.objects.create(
        need=need,
        person=candidate_person,
        status=Proposal.Status.MATCHED,
        responded_at=timezone.now() - timedelta(days=31),
    )
    return Scene(
        organisation=organisation,
        admin=admin,
        member=member,
        candidate=candidate,
        candidate_person=candidate_person,
        stranger=stranger,
        need=need,
        proposal=proposal,
    )
