"""What a person does on the pages, a token does over the API (docs/api.md, "Parity"):
through the same forms, services and permission functions, so the answers agree."""

from __future__ import annotations

import pytest

from matching.models import Need, Proposal
from messaging.models import Participant
from network.models import Initiative, Person, RetiredRef
from tests.api.conftest import send, token_client
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


# Profile ----------------------------------------------------------------------------------


def test_profile_reads_and_patches_only_the_fields_sent(world):
    client = token_client(world["member"])
    before = client.get("/api/v1/me/profile").json()
    assert before["ref"] == world["member_person"].ref
    assert before["visibility"] in ("public", "members", "hidden")
    response = send(
        client,
        "PATCH",
        "/api/v1/me/profile",
        {"bio": "Ik kook graag.", "languages": ["nl", "ar"], "skills": ["koken", "tolken"]},
    )
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["bio"] == "Ik kook graag."
    assert sorted(after["languages"]) == ["ar", "nl"]
    assert after["skills"] == ["koken", "tolken"]
    assert after["name"] == before["name"]  # untouched fields stay
    assert after["municipality"] == before["municipality"]
    person = Person.objects.get(pk=world["member_person"].pk)
    assert person.bio == "Ik kook graag."


def test_profile_errors_are_the_forms_errors_and_nothing_is_written(world):
    client = token_client(world["member"])
    response = send(client, "PATCH", "/api/v1/me/profile", {"name": "", "visibility": "everyone"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert set(detail) == {"name", "visibility"}
    assert Person.objects.get(pk=world["member_person"].pk).name == "Mila Lid"


def test_a_caller_without_a_profile_gets_404_then_makes_one_with_patch(db):
    user = UserFactory(name="Nina Nieuw")
    client = token_client(user)
    assert client.get("/api/v1/me/profile").status_code == 404
    response = send(client, "PATCH", "/api/v1/me/profile", {"name": "Nina", "bio": "Hallo"})
    assert response.status_code == 200, response.content
    assert Person.objects.get(user=user).bio == "Hallo"


def test_an_invalid_first_patch_makes_no_profile(db):
    user = UserFactory()
    response = send(token_client(user), "PATCH", "/api/v1/me/profile", {"roles": ["astronaut"]})
    assert response.status_code == 422
    assert not Person.objects.filter(user=user).exists()


# Initiatives ------------------------------------------------------------------------------


def test_a_member_creates_an_initiative_with_their_own_ref(world):
    client = token_client(world["member"])
    response = send(
        client,
        "POST",
        "/api/v1/initiatives",
        {
            "organisation": "de-brug",
            "ref": "utrecht-2024-017",
            "title": "Taalcafé",
            "status": "idea",
            "municipality": "utrecht",
            "themes": ["language"],
            "funders": ["buurtfonds"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ref"] == "utrecht-2024-017"
    assert body["organisation"] == "de-brug"
    assert body["municipality"] == "Utrecht"
    assert body["funders"] == ["buurtfonds"]
    assert client.get("/api/v1/initiatives/utrecht-2024-017").status_code == 200


def test_without_a_ref_one_is_generated(world):
    response = send(
        token_client(world["member"]),
        "POST",
        "/api/v1/initiatives",
        {"organisation": "de-brug", "title": "Wandelclub"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["ref"].startswith("ini-")


@pytest.mark.parametrize("ref", ["koken", "Hoofdletters", "retired-one"])
def test_a_ref_in_use_retired_or_malformed_is_refused(world, ref):
    RetiredRef.objects.create(ref="retired-one", kind="initiative")
    response = send(
        token_client(world["member"]),
        "POST",
        "/api/v1/initiatives",
        {"organisation": "de-brug", "title": "Dubbel", "ref": ref},
    )
    assert response.status_code == 422
    assert "ref" in response.json()["detail"]
    assert not Initiative.objects.filter(title="Dubbel").exists()


def test_an_outsider_may_not_add_or_change_initiatives(world):
    client = token_client(world["outsider"])
    created = send(
        client, "POST", "/api/v1/initiatives", {"organisation": "de-brug", "title": "Nee"}
    )
    changed = send(client, "PATCH", "/api/v1/initiatives/koken", {"title": "Gekaapt"})
    assert (created.status_code, changed.status_code) == (403, 403)
    assert created.json()["detail"] and changed.json()["detail"]
    assert Initiative.objects.get(ref="koken").title == "Samen koken"
    assert not Initiative.objects.filter(title="Nee").exists()


def test_patch_changes_only_what_is_sent(world):
    world["initiative"].themes.set(["food"])
    response = send(
        token_client(world["member"]),
        "PATCH",
        "/api/v1/initiatives/koken",
        {"status": "finished", "ended": "2025-12-31", "lessons": "Begin klein."},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["ended"], body["lessons"]) == (
        "finished",
        "2025-12-31",
        "Begin klein.",
    )
    assert body["title"] == "Samen koken"
    assert body["themes"] == ["food"]
    assert body["funders"] == ["buurtfonds"]


def test_the_initiative_form_decides_what_is_valid(world):
    client = token_client(world["member"])
    response = send(
        client,
        "PATCH",
        "/api/v1/initiatives/koken",
        {"status": "paused", "title": "x" * 201, "themes": ["cooking"], "municipality": "Atlantis"},
    )
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"status", "title", "themes", "municipality"}
    assert Initiative.objects.get(ref="koken").status == "running"


def test_a_hidden_leader_and_an_unknown_one_get_the_same_answer(world):
    hidden = PersonFactory(visibility=Person.Visibility.HIDDEN, ref="p-verborgen")
    client = token_client(world["member"])
    answers = [
        send(client, "PATCH", "/api/v1/initiatives/koken", {"leader": ref}).json()["detail"]
        for ref in (hidden.ref, "p-bestaat-niet")
    ]
    assert answers[0]["leader"][0].replace(hidden.ref, "X") == answers[1]["leader"][0].replace(
        "p-bestaat-niet", "X"
    )


def test_initiatives_filter_by_organisation(world):
    from tests.factories import InitiativeFactory

    InitiativeFactory(title="Elders")
    response = token_client(world["member"]).get("/api/v1/initiatives?organisation=de-brug")
    assert [item["ref"] for item in response.json()["items"]] == ["koken"]


# Needs ------------------------------------------------------------------------------------


def test_needs_lists_the_open_needs(world):
    from tests.matching.factories import NeedFactory

    NeedFactory(ref="need-dicht", status=Need.Status.CLOSED)
    client = token_client(world["outsider"])
    refs = [item["ref"] for item in client.get("/api/v1/needs").json()["items"]]
    assert "need-koks" in refs and "need-dicht" not in refs
    assert client.get("/api/v1/needs?kind=mentor").json()["count"] == 0


def test_a_member_patches_and_closes_a_need_and_an_outsider_may_not(world):
    outsider = token_client(world["outsider"])
    assert send(outsider, "PATCH", "/api/v1/needs/need-koks", {"title": "Weg"}).status_code == 403
    assert send(outsider, "POST", "/api/v1/needs/need-koks/close").status_code == 403
    member = token_client(world["member"])
    response = send(
        member, "PATCH", "/api/v1/needs/need-koks", {"hours_per_week": 3, "initiative": "koken"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["hours_per_week"], response.json()["initiative"]) == (3, "koken")
    closed = send(member, "POST", "/api/v1/needs/need-koks/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert send(member, "POST", "/api/v1/needs/need-koks/close").json()["status"] == "closed"
    # A closed need is not the outsider's to see any more: one 404, as on the page.
    assert send(outsider, "POST", "/api/v1/needs/need-koks/close").status_code == 404
    reopened = send(member, "POST", "/api/v1/needs/need-koks/reopen")
    assert reopened.json()["status"] == "open"


def test_a_need_patch_is_checked_by_the_need_form(world):
    response = send(
        token_client(world["member"]),
        "PATCH",
        "/api/v1/needs/need-koks",
        {"kind": "astronaut", "hours_per_week": -4, "initiative": "bestaat-niet"},
    )
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"kind", "hours_per_week", "initiative"}


# Requests ---------------------------------------------------------------------------------


def test_requests_lists_what_waits_for_my_answer_and_accept_answers_it(world):
    client = token_client(world["outsider"])
    body = client.get("/api/v1/requests").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["need"], item["candidate"]) == (
        world["proposal"].pk,
        "need-koks",
        "p-olga",
    )
    assert token_client(world["member"]).get("/api/v1/requests").json()["count"] == 0
    answered = send(client, "POST", f"/api/v1/proposals/{item['id']}/accept")
    assert answered.status_code == 200 and answered.json()["status"] == "matched"
    assert client.get("/api/v1/requests").json()["count"] == 0
    assert Proposal.objects.get(pk=item["id"]).status == Proposal.Status.MATCHED


# Funds ------------------------------------------------------------------------------------


def test_funds_list_and_detail(world):
    client = token_client(world["outsider"])
    body = client.get("/api/v1/funds?q=buurtfonds").json()
    assert [item["ref"] for item in body["items"]] == ["buurtfonds"]
    detail = client.get("/api/v1/funds/buurtfonds").json()
    assert detail["initiatives"] == ["koken"]
    assert client.get("/api/v1/funds/bestaat-niet").status_code == 404


# Conversations ----------------------------------------------------------------------------


def test_marking_a_conversation_read(world):
    client = token_client(world["member"])
    conversation = world["conversation"]
    listed = client.get("/api/v1/conversations").json()["items"][0]
    assert listed["unread"] == 1
    response = send(client, "POST", f"/api/v1/conversations/{conversation.pk}/read")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "conversation": conversation.pk,
        "last_read_seq": 1,
        "unread": 0,
    }
    assert client.get("/api/v1/conversations").json()["items"][0]["unread"] == 0
    assert (
        Participant.objects.get(
            conversation=conversation, person=world["member_person"]
        ).last_read_seq
        == 1
    )
    # Someone else's conversation reads as missing.
    other = token_client(world["outsider"])
    assert send(other, "POST", f"/api/v1/conversations/{conversation.pk}/read").status_code in (
        403,
        404,
    )


def test_an_organisation_filter_that_cannot_exist_matches_nothing(world):
    client = token_client(world["member"])
    for value in ("%00", "de-brug%00", "DE-BRUG"):
        response = client.get(f"/api/v1/initiatives?organisation={value}")
        assert response.status_code == 200
        assert response.json()["count"] == 0
