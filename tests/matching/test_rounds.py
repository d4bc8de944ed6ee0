from __future__ import annotations

import pytest
from django.test import Client

from matching.models import MatchingRound, Need, Proposal
from network.models import Municipality, Role, TargetGroup, Theme
from tests.factories import OrganisationFactory, PersonFactory, UserFactory
from tests.matching.factories import NeedFactory

pytestmark = pytest.mark.django_db


def test_staff_run_a_round_review_it_and_publish_proposals():
    food, moroccan = Theme.objects.get(pk="food"), TargetGroup.objects.get(pk="moroccan")
    for n in range(3):
        PersonFactory(
            name=f"Mentor {n}",
            mentor_capacity=1,
            municipality=Municipality.objects.get(name="Utrecht"),
            roles=[Role.objects.get(pk="mentor")],
            themes=[food],
            target_groups=[moroccan],
        )
    needs = [
        NeedFactory(organisation=OrganisationFactory(), themes=[food], target_groups=[moroccan])
        for _ in range(2)
    ]
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    response = staff.post("/matching/rounds/", {"name": "Najaarsronde mentoren", "kind": "mentor"})
    assert response.status_code == 302
    matching_round = MatchingRound.objects.get()
    assert len(matching_round.assignments) == 2
    assert (
        len({a["id"] for a in matching_round.assignments}) == 2
    )  # capacity 1 each: different mentors
    assert matching_round.total_score >= matching_round.greedy_total_score - 1e-6
    page = staff.get(f"/matching/rounds/{matching_round.pk}/").content.decode()
    assert "Najaarsronde mentoren" in page
    assert not Proposal.objects.exists()
    staff.post(f"/matching/rounds/{matching_round.pk}/")
    assert Proposal.objects.filter(matching_round=matching_round, need__in=needs).count() == 2
    assert staff.post(f"/matching/rounds/{matching_round.pk}/").status_code == 302
    assert Proposal.objects.count() == 2


def test_rounds_are_for_staff_only(user_client):
    assert user_client.get("/matching/rounds/").status_code == 302
    assert user_client.post("/matching/rounds/", {"name": "x", "kind": "mentor"}).status_code == 302
    assert not MatchingRound.objects.exists()


def test_a_round_without_open_needs_says_so():
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    response = staff.post("/matching/rounds/", {"name": "Leeg", "kind": Need.Kind.KEY_FIGURE})
    assert response.status_code == 400
    assert (
        "geen open hulpvragen" in response.content.decode().lower()
        or "geen open vragen" in response.content.decode().lower()
    )
