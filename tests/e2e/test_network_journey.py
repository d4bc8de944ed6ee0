from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from network.models import TargetGroup, Theme
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import FundFactory, InitiativeFactory

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "yusuf.ozdemir@voorbeeld.nl"
PASSWORD = "Brug-naar-Kanaleneiland-2024"


def test_register_an_organisation_add_an_initiative_and_find_it_by_its_lessons(
    page, django_user_model
):
    django_user_model.objects.create_user(email=EMAIL, password=PASSWORD, name="Yusuf Özdemir")
    InitiativeFactory(title="Sportief IJsselveld", lessons="Trainers uit de wijk zelf.")
    sign_in(page, EMAIL, PASSWORD)

    page.goto("/organisations/")
    assert_accessible(page, context="organisation directory")
    page.get_by_role("link", name="Organisatie aanmelden").click()
    assert_accessible(page, context="register organisation form")
    page.get_by_label("Naam", exact=True).fill("Stichting Özdemir & Buren")
    page.get_by_label("Soort", exact=True).select_option("self_organisation")
    page.get_by_label("Gemeente", exact=True).select_option(label="Nieuwegein")
    page.get_by_label("Koken & eten").first.check()
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stichting Özdemir & Buren")
    assert_accessible(page, context="organisation page")

    page.get_by_role("link", name="Initiatief toevoegen").click()
    page.get_by_label("Titel", exact=True).fill("Kookclub Galecop")
    page.get_by_label("Samenvatting", exact=True).fill("Buren koken om de beurt voor elkaar.")
    page.get_by_label("Geleerde lessen", exact=True).fill(
        "Laat de boodschappenlijst door de deelnemers zelf maken."
    )
    assert_accessible(page, context="initiative form")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kookclub Galecop")

    page.goto("/initiatives/")
    assert_accessible(page, context="knowledge bank")
    page.get_by_role("searchbox", name="Zoeken").fill("boodschappenlijst")
    page.get_by_role("searchbox", name="Zoeken").press("Enter")
    expect(page).to_have_url(re.compile(r"q=boodschappenlijst"))
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Kookclub Galecop")).to_be_visible()
    expect(results.get_by_role("link", name="Sportief IJsselveld")).to_have_count(0)
    assert_accessible(page, context="knowledge bank with results")

    results.get_by_role("link", name="Kookclub Galecop").click()
    expect(
        page.get_by_text("Laat de boodschappenlijst door de deelnemers zelf maken.")
    ).to_be_visible()
    assert_accessible(page, context="initiative page")


def test_filtering_the_knowledge_bank_without_a_page_reload(page):
    food = Theme.objects.get(pk="food")
    InitiativeFactory(
        title="Eet Mee!", themes=[food], target_groups=[TargetGroup.objects.get(pk="moroccan")]
    )
    InitiativeFactory(title="Taalcafé", themes=[Theme.objects.get(pk="language")])
    FundFactory(name="Kookfonds", themes=[food])
    page.goto("/initiatives/?q=eet")
    page.evaluate("window.__notReloaded = true")
    page.locator("summary").filter(has_text=re.compile(r"^Thema")).click()
    page.get_by_label("Koken & eten").check()
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Taalcafé")).to_have_count(0)
    expect(results.get_by_role("link", name="Eet Mee!")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True  # htmx swapped the results in place
    expect(page).to_have_url(re.compile(r"theme=food"))
    # The address holds each value once (the form asks its path, not the address it is on).
    assert page.url.count("q=eet") == 1
    assert_accessible(page, context="filtered knowledge bank")

    for path in ["/initiatives/overview/", "/people/", "/funds/"]:
        page.goto(path)
        assert_accessible(page, context=path)
