from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from matching.models import Need, Proposal
from matching.services import proposals as proposal_services
from network.models import Language, Membership, Municipality, Role, TargetGroup, Theme
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, member_user
from tests.matching.factories import NeedFactory

pytestmark = pytest.mark.django_db


def _mentor(
    name: str, *, place: str = "Utrecht", capacity: int = 2, with_user: bool = True, **kwargs
):
    user = UserFactory(name=name) if with_user else None
    return PersonFactory(
        name=name,
        user=user,
        mentor_capacity=capacity,
        hours_per_week=4,
        municipality=Municipality.objects.get(name=place),
        roles=[Role.objects.get(pk="mentor")],
        **kwargs,
    )


@pytest.fixture
def scene():
    """An organisation asking for a mentor with Moroccan parents, and three mentors."""
    moroccan, parents = (
        TargetGroup.objects.get(pk="moroccan"),
        TargetGroup.objects.get(pk="parents"),
    )
    food = Theme.objects.get(pk="food")
    arabic = Language.objects.get(pk="ar")
    asker_org = OrganisationFactory(name="Cultuurinzicht")
    asker = member_user(asker_org, role=Membership.Role.ADMIN)
    karim = _mentor(
        "Karim El Amrani",
        target_groups=[moroccan, parents],
        themes=[food],
        languages=[arabic],
        bio="Leidde kookavonden met Marokkaanse ouders.",
    )
    femke = _mentor("Femke Jansen", target_groups=[parents], themes=[food])
    colleague = _mentor(
        "Collega Binnen", target_groups=[moroccan, parents], themes=[food], languages=[arabic]
    )
    Membership.objects.create(organisation=asker_org, person=colleague)
    need = NeedFactory(
        organisation=asker_org,
        themes=[food],
        target_groups=[moroccan, parents],
        languages=[arabic],
    )
    client = Client()
    client.force_login(asker)
    return {
        "need": need,
        "asker": asker,
        "client": client,
        "karim": karim,
        "femke": femke,
        "colleague": colleague,
    }


def _proposed(need) -> list[str]:
    proposal_services.need_proposals_refresh(need=need)
    return [p.candidate.name for p in need.proposals.filter(status="proposed").order_by("rank")]


def test_the_best_fit_comes_first_and_the_askers_own_people_never(scene):
    names = _proposed(scene["need"])
    assert names[0] == "Karim El Amrani"
    assert "Collega Binnen" not in names


def test_the_asker_sees_reasons_in_plain_dutch(scene):
    page = scene["client"].get(f"/needs/{scene['need'].ref}/").content.decode()
    assert "Karim El Amrani" in page
    assert "werkt met: Marokkaanse Nederlanders" in page
    assert "spreekt Arabisch" in page


def test_why_was_someone_not_proposed(scene):
    from network.models import Person
    from network.search import search_vectors_refresh

    search_vectors_refresh(Person, [scene["colleague"].pk])
    response = scene["client"].get(
        f"/needs/{scene['need'].ref}/", {"candidate": scene["colleague"].name}
    )
    assert "hoort bij je eigen organisatie" in response.context["why"]["text"]


def test_the_whole_flow_to_an_introduction(scene, django_capture_on_commit_callbacks):
    need, client, karim = scene["need"], scene["client"], scene["karim"]
    _proposed(need)
    proposal = need.proposals.get(person=karim)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/proposals/{proposal.pk}/accept/")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ASKED
    assert proposal.respond_by > timezone.now() + timedelta(days=6)
    assert mail.outbox[-1].to == [karim.user.email]

    karim_client = Client()
    karim_client.force_login(karim.user)
    requests_page = karim_client.get("/requests/").content.decode()
    assert need.title in requests_page
    with django_capture_on_commit_callbacks(execute=True):
        karim_client.post(f"/proposals/{proposal.pk}/yes/")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.MATCHED
    assert karim.ref in proposal.introduction["participants"]
    assert "Karim El Amrani" in client.get("/requests/").content.decode()
    assert {scene["asker"].email, karim.user.email} <= set(mail.outbox[-1].to)


def test_dismissed_and_declined_candidates_are_not_proposed_again(
    scene, django_capture_on_commit_callbacks
):
    need, client = scene["need"], scene["client"]
    _proposed(need)
    karim = need.proposals.get(person=scene["karim"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/proposals/{karim.pk}/dismiss/")
    assert "Karim El Amrani" not in _proposed(need)
    femke = need.proposals.get(person=scene["femke"], status="proposed")
    client.post(f"/proposals/{femke.pk}/accept/")
    femke_client = Client()
    femke_client.force_login(scene["femke"].user)
    femke_client.post(f"/proposals/{femke.pk}/no/")
    assert need.proposals.get(pk=femke.pk).status == Proposal.Status.DECLINED
    assert "Femke Jansen" not in _proposed(need)


def test_nobody_else_can_answer_and_answering_twice_changes_nothing(scene):
    need, client = scene["need"], scene["client"]
    _proposed(need)
    proposal = need.proposals.get(person=scene["karim"])
    stranger = Client()
    stranger.force_login(UserFactory())
    stranger.post(f"/proposals/{proposal.pk}/accept/")
    stranger.post(f"/proposals/{proposal.pk}/yes/")
    assert need.proposals.get(pk=proposal.pk).status == Proposal.Status.PROPOSED
    client.post(f"/proposals/{proposal.pk}/accept/")
    response = client.post(f"/proposals/{proposal.pk}/accept/", follow=True)
    assert "is al gereageerd" in response.content.decode()
    assert need.proposals.get(pk=proposal.pk).status == Proposal.Status.ASKED


def test_an_unanswered_request_expires_with_a_reminder_first(scene):
    need, client = scene["need"], scene["client"]
    _proposed(need)
    proposal = need.proposals.get(person=scene["karim"])
    client.post(f"/proposals/{proposal.pk}/accept/")
    proposal.refresh_from_db()
    assert proposal_services.proposals_remind(now=proposal.respond_by - timedelta(days=1)) == 1
    assert proposal_services.proposals_remind(now=proposal.respond_by - timedelta(hours=12)) == 0
    assert proposal_services.proposals_expire(now=proposal.respond_by + timedelta(seconds=1)) == 1
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.EXPIRED
    karim_client = Client()
    karim_client.force_login(scene["karim"].user)
    karim_client.post(f"/proposals/{proposal.pk}/yes/")
    assert need.proposals.get(pk=proposal.pk).status == Proposal.Status.EXPIRED


def test_a_full_mentor_is_not_proposed(scene):
    karim = scene["karim"]
    karim.mentor_capacity = 1
    karim.save()
    other_need = NeedFactory(organisation=OrganisationFactory())
    Proposal.objects.create(need=other_need, person=karim, status=Proposal.Status.MATCHED)
    assert "Karim El Amrani" not in _proposed(scene["need"])


def test_feedback_after_thirty_days(scene):
    need = scene["need"]
    proposal = Proposal.objects.create(
        need=need,
        person=scene["karim"],
        status=Proposal.Status.MATCHED,
        responded_at=timezone.now() - timedelta(days=31),
    )
    assert proposal_services.proposals_ask_feedback() == 1
    scene["client"].post(
        f"/proposals/{proposal.pk}/feedback/", {"answer": "yes", "note": "Heel fijn."}
    )
    proposal.refresh_from_db()
    assert proposal.feedback == "yes"


def test_propose_command_prints_json_per_the_contract(scene, capsys):
    call_command("propose", scene["need"].ref, "--json", "--limit", "2")
    import json

    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["rank"] == 1
    assert rows[0]["kind"] == "person"
    assert rows[0]["ref"] == scene["karim"].ref
    assert 0 <= rows[0]["score"] <= 1
    assert {"signal", "detail"} <= set(rows[0]["reasons"][0])
    assert len(rows) <= 2


def test_propose_command_with_an_unknown_ref_fails_clearly(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Unknown need ref"):
        call_command("propose", "bestaat-niet")


@pytest.mark.parametrize("radius", [0, 10_000])
def test_extreme_radii_answer_without_error(scene, radius, capsys):
    need = scene["need"]
    need.radius_km = radius
    need.save()
    call_command("propose", need.ref, "--json")
    rows = __import__("json").loads(capsys.readouterr().out)
    assert isinstance(rows, list)


def test_a_need_without_themes_and_an_empty_pool_answer_with_a_reason(db, capsys):
    need = NeedFactory(kind=Need.Kind.KEY_FIGURE)
    call_command("propose", need.ref)
    assert "No proposals" in capsys.readouterr().out


def test_people_imported_after_the_index_was_built_are_proposed(
    scene, django_capture_on_commit_callbacks
):
    from matching.services.proposals import need_rank
    from network.services.imports import network_import

    need = scene["need"]
    assert "p-imported-mentor" not in [p.ref for p in need_rank(need).proposals]  # index built now
    line = (
        '{"type": "person", "ref": "p-imported-mentor", "name": "Imported Mentor", "municipality": "Utrecht",'
        ' "roles": ["mentor"], "mentor_capacity": 2, "themes": ["food"], "languages": ["ar"],'
        ' "target_groups": ["moroccan", "parents"]}'
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert network_import(lines=[line], dry_run=False).ok
    assert "p-imported-mentor" in [p.ref for p in need_rank(need).proposals]


def test_a_mutual_yes_opens_an_introduction_conversation_with_both_people(
    scene, django_capture_on_commit_callbacks
):
    from messaging.models import Conversation, Participant

    need, karim = scene["need"], scene["karim"]
    asker = scene["asker"].person
    _proposed(need)
    proposal = need.proposals.get(person=karim)
    proposal_services.proposal_accept(proposal=proposal, actor=scene["asker"])
    with django_capture_on_commit_callbacks(execute=True):
        proposal_services.proposal_respond(proposal=proposal, actor=karim.user, accept=True)
    proposal.refresh_from_db()
    conversation = Conversation.objects.get(kind=Conversation.Kind.INTRODUCTION)
    assert proposal.introduction["conversation"] == conversation.pk
    assert set(
        Participant.objects.filter(conversation=conversation).values_list("person_id", flat=True)
    ) == {asker.pk, karim.pk}
    assert conversation.title == need.title
