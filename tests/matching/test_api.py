from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.services import api_token_create
from matching.models import Need, Proposal
from network.models import Membership, Municipality, Role, TargetGroup, Theme
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, member_user

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    _token, secret = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def setup():
    organisation = OrganisationFactory(name="Buurtcentrum De Brug")
    asker = member_user(organisation, role=Membership.Role.ADMIN)
    volunteer_user = UserFactory()
    volunteer = PersonFactory(
        user=volunteer_user,
        name="Sanne de Graaf",
        roles=[Role.objects.get(pk="volunteer")],
        themes=[Theme.objects.get(pk="language")],
        target_groups=[TargetGroup.objects.get(pk="newcomers")],
        municipality=Municipality.objects.get(name="Utrecht"),
        hours_per_week=4,
    )
    return {
        "organisation": organisation,
        "asker": _client(asker),
        "volunteer": volunteer,
        "volunteer_client": _client(volunteer_user),
    }


def _post_need(client, asking, **overrides):
    body = {
        "organisation": asking.ref,
        "kind": "volunteer",
        "title": "Taalmaatje gezocht",
        "description": "Iemand die wekelijks Nederlands oefent met een nieuwkomer.",
        "themes": ["language"],
        "target_groups": ["newcomers"],
        "municipality": "utrecht",
        "radius_km": 20,
        **overrides,
    }
    return client.post("/api/v1/needs", data=json.dumps(body), content_type="application/json")


def test_post_a_need_see_proposals_and_answer_through_the_api(
    setup, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_need(setup["asker"], setup["organisation"])
    assert response.status_code == 201, response.content
    need = response.json()
    assert need["ref"].startswith("need-")
    assert (
        setup["asker"].get(f"/api/v1/needs/{need['ref']}").json()["title"] == "Taalmaatje gezocht"
    )

    proposals = setup["asker"].get(f"/api/v1/needs/{need['ref']}/proposals?limit=5").json()
    assert proposals[0]["ref"] == setup["volunteer"].ref
    assert proposals[0]["kind"] == "person"
    assert 0 <= proposals[0]["score"] <= 1
    assert proposals[0]["reasons"]

    proposal_id = proposals[0]["id"]
    assert (
        setup["asker"].post(f"/api/v1/proposals/{proposal_id}/accept").json()["status"] == "asked"
    )
    again = setup["asker"].post(f"/api/v1/proposals/{proposal_id}/accept")
    assert again.status_code == 409
    assert "detail" in again.json()
    answered = setup["volunteer_client"].post(f"/api/v1/proposals/{proposal_id}/accept")
    assert answered.json()["status"] == "matched"
    assert Proposal.objects.get(pk=proposal_id).introduction["participants"]


def test_strangers_cannot_see_or_answer_proposals(setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ref = _post_need(setup["asker"], setup["organisation"]).json()["ref"]
    stranger = _client(UserFactory())
    assert stranger.get(f"/api/v1/needs/{ref}/proposals").status_code == 403
    proposal = Proposal.objects.first()
    assert stranger.post(f"/api/v1/proposals/{proposal.pk}/accept").status_code == 404
    assert stranger.post("/api/v1/proposals/999999/decline").status_code == 404
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.PROPOSED


def test_only_members_post_needs(setup):
    stranger = _client(UserFactory())
    response = _post_need(stranger, setup["organisation"])
    assert response.status_code == 403
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "sponsor"},
        {"themes": ["cooking"]},
        {"municipality": "Atlantis"},
        {"radius_km": -1},
        {"radius_km": 100_000},
        {"title": ""},
        {"title": "x" * 1000},
        {"organisation": "bestaat-niet"},
        {"title": "nul\u0000byte"},
        {"deadline": "morgen"},
    ],
)
def test_bad_needs_are_refused_with_detail_and_nothing_is_written(setup, overrides):
    response = _post_need(setup["asker"], setup["organisation"], **overrides)
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()
    assert not Need.objects.exists()


def test_malformed_json_and_unknown_needs(setup):
    response = setup["asker"].post(
        "/api/v1/needs", data="{not json", content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert setup["asker"].get("/api/v1/needs/need-onbekend").status_code == 404
    assert setup["asker"].get("/api/v1/needs/ONGELDIG%00").status_code == 404


def test_a_need_with_radius_zero_answers_an_empty_list_not_an_error(setup):
    ref = _post_need(
        setup["asker"], setup["organisation"], municipality="Zeist", radius_km=0
    ).json()["ref"]
    response = setup["asker"].get(f"/api/v1/needs/{ref}/proposals")
    assert response.status_code == 200
    assert response.json() == []
