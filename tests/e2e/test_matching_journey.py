from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from matching.index import index_reset
from network.models import Language, Membership, Municipality, Role, TargetGroup, Theme
from tests.e2e.conftest import assert_accessible, sign_in, sign_out
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Een-brug-slaan-2024"


def test_post_a_need_accept_a_proposal_the_candidate_says_yes_both_see_the_introduction(
    page, django_user_model
):
    index_reset()
    utrecht = Municipality.objects.get(name="Utrecht")
    organisation = OrganisationFactory(name="Cultuurinzicht", municipality=utrecht)
    asker = django_user_model.objects.create_user(
        email="annelies@voorbeeld.nl", password=PASSWORD, name="Annelies"
    )
    asker_person = PersonFactory(user=asker, name="Annelies Verhoef")
    Membership.objects.create(
        organisation=organisation, person=asker_person, role=Membership.Role.ADMIN
    )
    karim_user = django_user_model.objects.create_user(
        email="karim@voorbeeld.nl", password=PASSWORD, name="Karim"
    )
    PersonFactory(
        user=karim_user,
        name="Karim El Amrani",
        municipality=utrecht,
        mentor_capacity=2,
        hours_per_week=6,
        roles=[Role.objects.get(pk="mentor")],
        languages=[Language.objects.get(pk="ar")],
        themes=[Theme.objects.get(pk="food")],
        target_groups=[
            TargetGroup.objects.get(pk="moroccan"),
            TargetGroup.objects.get(pk="parents"),
        ],
        bio="Leidde kookavonden met Marokkaanse ouders in Kanaleneiland.",
    )

    sign_in(page, "annelies@voorbeeld.nl", PASSWORD)
    page.goto(f"/organisations/{organisation.ref}/")
    page.get_by_role("link", name="Hulpvraag plaatsen").click()
    assert_accessible(page, context="need form")
    page.get_by_label("Mentor", exact=True).check()
    page.get_by_label("Titel", exact=True).fill("Mentor voor ouderavonden")
    page.get_by_label("Beschrijving", exact=True).fill(
        "Hoe betrekken we Marokkaanse ouders bij onze kookavonden?"
    )
    page.get_by_label("Marokkaanse Nederlanders").check()
    page.get_by_label("Koken & eten").check()
    page.get_by_label("Arabisch").check()
    page.get_by_role("button", name="Plaatsen en voorstellen zien").click()

    proposals = page.get_by_test_id("proposals")
    expect(proposals.get_by_role("link", name="Karim El Amrani")).to_be_visible()
    expect(proposals).to_contain_text("werkt met: Marokkaanse Nederlanders")
    expect(proposals).to_contain_text("spreekt Arabisch")
    assert_accessible(page, context="need with proposals")
    proposals.get_by_role("button", name=re.compile(r"Benaderen\s+Karim")).click()
    expect(page.get_by_test_id("in-progress")).to_contain_text("Wacht op antwoord")
    sign_out(page)

    sign_in(page, "karim@voorbeeld.nl", PASSWORD)
    page.goto("/requests/")
    expect(page.get_by_test_id("requests")).to_contain_text("Mentor voor ouderavonden")
    assert_accessible(page, context="requests")
    page.get_by_role("button", name="Ja, stel ons voor").click()
    expect(page.get_by_test_id("matches")).to_contain_text(
        "Cultuurinzicht en Karim El Amrani zeiden allebei ja"
    )
    sign_out(page)

    sign_in(page, "annelies@voorbeeld.nl", PASSWORD)
    page.goto("/requests/")
    expect(page.get_by_test_id("matches")).to_contain_text("Karim El Amrani")
    page.goto("/needs/")
    assert_accessible(page, context="needs directory")
