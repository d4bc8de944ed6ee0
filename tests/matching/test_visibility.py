"""Matching never names a person whose profile is hidden from the asker: not in the answer to
"someone missing?", not in the proposals on the page or in the API."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import api_token_create
from matching.services import proposals as proposal_services
from network.models import Membership, Municipality, Person, Role, TargetGroup, Theme
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, member_user
from tests.matching.factories import NeedFactory

pytestmark = pytest.mark.django_db

HIDDEN_NAME = "Yasmina Verborgen"
UNKNOWN_REF = "p-nobody-has-this"


@pytest.fixture
def scene():
    """An organisation asks for a mentor; a fitting mentor hides her profile."""
    moroccan = TargetGroup.objects.get(pk="moroccan")
    food = Theme.objects.get(pk="food")
    asking = OrganisationFactory(name="Buurthuis Zuilen")
    asker = member_user(asking, role=Membership.Role.ADMIN, name="Aart Vrager")
    mentor = PersonFactory(
        user=UserFactory(name=HIDDEN_NAME),
        name=HIDDEN_NAME,
        roles=[Role.objects.get(pk="mentor")],
        themes=[food],
        target_groups=[moroccan],
        municipality=Municipality.objects.get(name="Utrecht"),
        mentor_capacity=2,
        hours_per_week=4,
        visibility=Person.Visibility.HIDDEN,
    )
    need = NeedFactory(organisation=asking, themes=[food], target_groups=[moroccan])
    client = Client()
    client.force_login(asker)
    return {"need": need, "asker": asker, "client": client, "mentor": mentor}


def _why(client: Client, need, ref: str):
    """Ask with a ref in the picker's hidden field (as a forged or stale form would): the
    answer, or the picker's error when the ref names nobody the asker may see."""
    response = client.get(f"/needs/{need.ref}/", {"candidate": "", "candidate_ref": ref})
    why = response.context.get("why")
    text = why["text"] if why else " ".join(response.context["why_form"].errors["candidate"])
    return response, text


def _why_paragraph(response) -> str:
    page = response.content.decode()
    start = page.index('id="why-heading"')
    return page[start : page.index("</section>", start)]


def test_someone_missing_does_not_name_a_hidden_person(scene):
    response, text = _why(scene["client"], scene["need"], scene["mentor"].ref)
    assert response.status_code == 200
    assert HIDDEN_NAME not in text
    assert HIDDEN_NAME not in response.content.decode()


def test_a_hidden_ref_and_an_unknown_ref_get_the_same_answer(scene):
    hidden, hidden_text = _why(scene["client"], scene["need"], scene["mentor"].ref)
    unknown, unknown_text = _why(scene["client"], scene["need"], UNKNOWN_REF)
    assert hidden.status_code == unknown.status_code == 200
    assert hidden_text == unknown_text
    assert _why_paragraph(hidden) == _why_paragraph(unknown)


def test_staff_may_see_the_hidden_profile_and_are_told_why(scene):
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    _response, text = _why(staff, scene["need"], scene["mentor"].ref)
    assert HIDDEN_NAME in text
    assert "verborgen profiel" in text  # "has a hidden profile", in Dutch


def test_a_visible_person_is_still_explained(scene):
    Person.objects.filter(pk=scene["mentor"].pk).update(visibility=Person.Visibility.MEMBERS)
    _response, text = _why(scene["client"], scene["need"], scene["mentor"].ref)
    assert HIDDEN_NAME in text


def _stale_proposal(scene):
    """The mentor was proposed while visible, then hid her profile; the refresh that the
    change sets off has not run yet."""
    Person.objects.filter(pk=scene["mentor"].pk).update(visibility=Person.Visibility.MEMBERS)
    proposal_services.need_proposals_refresh(need=scene["need"])
    assert scene["need"].proposals.filter(person=scene["mentor"], status="proposed").exists()
    Person.objects.filter(pk=scene["mentor"].pk).update(visibility=Person.Visibility.HIDDEN)


def test_a_stale_proposal_of_a_hidden_person_is_not_shown_on_the_page(scene):
    _stale_proposal(scene)
    page = scene["client"].get(f"/needs/{scene['need'].ref}/")
    assert page.status_code == 200
    assert HIDDEN_NAME not in page.content.decode()


def test_a_stale_proposal_of_a_hidden_person_is_not_in_the_api(scene):
    _stale_proposal(scene)
    _token, secret = api_token_create(user=scene["asker"], name="script")
    response = Client().get(
        f"/api/v1/needs/{scene['need'].ref}/proposals",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200
    assert scene["mentor"].ref not in [item["ref"] for item in response.json()]
    assert HIDDEN_NAME not in response.content.decode()
