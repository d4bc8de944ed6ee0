"""Choosing people by name in a real browser (network/picker.py): type part of a name, pick
the suggestion, and the conversation starts or "Someone missing?" answers; without
JavaScript the typed name alone does it. Selectors use names and data attributes, so the
journey holds whatever the catalogue says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from matching.index import index_reset
from network.models import Membership, Municipality, Person
from network.search import search_vectors_refresh
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import DEFAULT_PASSWORD, OrganisationFactory, PersonFactory, UserFactory
from tests.matching.factories import NeedFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _person(name: str, *, email: str | None = None, place: str = "Utrecht") -> Person:
    user = UserFactory(name=name, email=email) if email else UserFactory(name=name)
    person = PersonFactory(name=name, user=user, municipality=Municipality.objects.get(name=place))
    search_vectors_refresh(Person, [person.pk])
    return person


def _pick(page, field: str, typed: str, name: str) -> None:
    box = page.locator(f"input[name={field}]")
    box.press_sequentially(typed, delay=60)
    suggestions = page.locator(f"#id_{field}_suggestions")
    expect(suggestions).to_be_visible()
    suggestions.locator("option", has_text=name).click()
    expect(box).to_have_value(name)
    expect(page.locator(f"input[name={field}_ref]")).not_to_have_value("")
    expect(suggestions).to_be_hidden()


def test_start_a_conversation_by_typing_part_of_a_name(page):
    me = _person("Aminata N'Diaye", email="aminata@voorbeeld.nl")
    ozlem = _person("Özlem Özdemir", place="Zeist")
    sign_in(page, "aminata@voorbeeld.nl", DEFAULT_PASSWORD)
    page.goto("/conversations/new/")
    page.locator("input[name=person_1]").press_sequentially("ozd", delay=60)
    expect(page.locator("#id_person_1_suggestions option")).to_have_count(1)
    screenshot(page, "picker-start-suggestions")
    assert_accessible(page, context="start a conversation, suggestions open")
    page.locator("#id_person_1_suggestions option", has_text="Özlem Özdemir").click()
    expect(page.locator("input[name=person_1]")).to_have_value("Özlem Özdemir")
    assert ozlem.ref not in page.locator("main").inner_text()
    page.locator("main form button.utrecht-button--primary-action").click()
    expect(page).to_have_url(re.compile(r"/conversations/\d+/$"))
    assert {p.person_id for p in me.participations.all()[0].conversation.participants.all()} == {
        me.pk,
        ozlem.pk,
    }


def test_start_a_group_and_add_someone_by_name(page):
    _person("Aminata N'Diaye", email="aminata@voorbeeld.nl")
    _person("Özlem Özdemir", place="Zeist")
    karim = _person("Karim El Amrani")
    sign_in(page, "aminata@voorbeeld.nl", DEFAULT_PASSWORD)
    page.goto("/conversations/new/")
    _pick(page, "person_1", "Özd", "Özlem Özdemir")
    page.locator("input[name=title]").fill("Kookclub Zuilen")
    page.locator("main form button.utrecht-button--primary-action").click()
    expect(page).to_have_url(re.compile(r"/conversations/\d+/$"))
    _pick(page, "person", "kar", "Karim El Amrani")
    screenshot(page, "picker-add-member")
    assert_accessible(page, context="group conversation, adding someone")
    page.locator("input[name=person]").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    expect(page.locator("main")).to_contain_text("Karim El Amrani")
    assert karim.participations.exists()


def test_someone_missing_on_a_need_page_by_name(page, browser, live_server):
    index_reset()
    organisation = OrganisationFactory(name="Buurthuis Zuilen")
    asker = _person("Aart Vrager", email="aart@voorbeeld.nl")
    Membership.objects.create(organisation=organisation, person=asker, role=Membership.Role.ADMIN)
    need = NeedFactory(organisation=organisation)
    _person("Özlem Özdemir", place="Zeist")
    sign_in(page, "aart@voorbeeld.nl", DEFAULT_PASSWORD)
    page.goto(f"/needs/{need.ref}/")
    _pick(page, "candidate", "ozlem", "Özlem Özdemir")
    why = page.locator("section[aria-labelledby=why-heading]")
    why.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=why-not]")).to_contain_text("Özlem Özdemir")
    expect(page.locator("input[name=candidate]")).to_have_value("Özlem Özdemir")
    screenshot(page, "picker-someone-missing")
    assert_accessible(page, context="need page, someone missing answered")

    # Without JavaScript the typed name is enough.
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", java_script_enabled=False
    )
    plain = context.new_page()
    sign_in(plain, "aart@voorbeeld.nl", DEFAULT_PASSWORD)
    plain.goto(f"/needs/{need.ref}/")
    plain.locator("input[name=candidate]").fill("özdemir")
    plain.locator("section[aria-labelledby=why-heading] button[type=submit]").click()
    expect(plain.locator("[data-testid=why-not]")).to_contain_text("Özlem Özdemir")
    # Two people of one name: the page asks which one, by name and place, never by ref.
    _person("Fatima Bakker", place="Utrecht")
    zeist = _person("Fatima Bakker", place="Zeist")
    plain.locator("input[name=candidate]").fill("fatima bakker")
    plain.locator("section[aria-labelledby=why-heading] button[type=submit]").click()
    choices = plain.locator("input[name=candidate_choice]")
    expect(choices).to_have_count(2)
    assert zeist.ref not in plain.locator("main").inner_text()
    screenshot(plain, "picker-which-one")
    plain.get_by_label(re.compile(r"Fatima Bakker.*Zeist")).check()
    plain.locator("section[aria-labelledby=why-heading] button[type=submit]").click()
    expect(plain.locator("[data-testid=why-not]")).to_contain_text("Fatima Bakker")
    context.close()
