"""The source library in a browser (docs/sources.md): a member suggests a source, staff
approve it, and it appears in the knowledge bank's search; axe on every page."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
MEMBER = "hodan.warsame@voorbeeld.nl"
STAFF = "beheer@voorbeeld.nl"
PASSWORD = "Bronnen-voor-Bruggen-2026"


def test_a_member_suggests_a_source_staff_approve_it_and_search_finds_it(page, django_user_model):
    django_user_model.objects.create_user(email=MEMBER, password=PASSWORD, name="Hodan Warsame")
    django_user_model.objects.create_user(
        email=STAFF, password=PASSWORD, name="Beheer", is_staff=True
    )

    page.goto("/kennisbronnen/")
    assert_accessible(page, context="sources, signed out")
    expect(page.get_by_role("link", name="Log in om een bron voor te stellen")).to_be_visible()

    sign_in(page, MEMBER, PASSWORD)
    page.goto("/kennisbronnen/")
    page.get_by_role("link", name="Een bron voorstellen").click()
    assert_accessible(page, context="suggest form")
    page.get_by_label("Titel", exact=True).fill("Inburgeren met een mentor")
    page.get_by_label("Schrijver of uitgever", exact=True).fill("Movisie")
    page.get_by_label("Jaar", exact=True).fill("2008")
    page.get_by_label("Link", exact=True).fill("javascript:alert(1)")
    page.get_by_label("Samenvatting", exact=True).fill(
        "Een handleiding voor <b>mentorprojecten</b> met inburgeraars."
    )
    page.get_by_label("Maatjes & mentoring").first.check()
    page.get_by_role("button", name="Voorstel versturen").click()
    # A bad link is refused with a message; what was typed stays.
    expect(page.get_by_label("Titel", exact=True)).to_have_value("Inburgeren met een mentor")
    assert_accessible(page, context="suggest form with an error")
    page.get_by_label("Link", exact=True).fill("https://www.movisie.nl")
    page.get_by_role("button", name="Voorstel versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inburgeren met een mentor")
    expect(page.get_by_test_id("source-status")).to_contain_text("Wacht op controle")
    expect(
        page.get_by_text("Een handleiding voor mentorprojecten met inburgeraars.")
    ).to_be_visible()
    assert_accessible(page, context="own pending source")
    source_url = page.url
    sign_out(page)

    # Not public yet.
    page.goto("/initiatives/?q=inburgeraars")
    expect(page.get_by_test_id("knowledge-bank-sources")).to_have_count(0)
    assert page.goto(source_url).status == 404

    sign_in(page, STAFF, PASSWORD)
    page.goto("/kennisbronnen/review/")
    assert_accessible(page, context="review page")
    page.get_by_role("button", name="Inburgeren met een mentor goedkeuren").click()
    expect(page.get_by_text("Er wachten geen voorstellen.")).to_be_visible()
    sign_out(page)

    page.goto("/initiatives/")
    page.get_by_role("searchbox", name="Zoeken").fill("inburgeraars")
    page.get_by_role("searchbox", name="Zoeken").press("Enter")
    expect(page).to_have_url(re.compile(r"q=inburgeraars"))
    section = page.get_by_test_id("knowledge-bank-sources")
    expect(section.get_by_role("link", name="Inburgeren met een mentor")).to_be_visible()
    assert_accessible(page, context="knowledge bank with a source")
    section.get_by_role("link", name="Inburgeren met een mentor").click()
    expect(page.get_by_role("link", name="Open de bron")).to_have_attribute(
        "href", "https://www.movisie.nl"
    )
    assert_accessible(page, context="source page")


def test_the_library_with_the_brochures_list(page):
    from network.demo import demo_load

    demo_load()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/kennisbronnen/?theme=mentoring")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kennisbronnen")
    expect(page.get_by_role("link", name=re.compile("^Inburgeren met een mentor"))).to_be_visible()
    assert_accessible(page, context="library filtered by theme")
    page.goto("/kennisbronnen/")
    expect(page.get_by_role("link", name="Handreiking Interetnische Contacten")).to_be_visible()
    assert_accessible(page, context="library")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "sources.png"
    page.screenshot(path=str(shot), full_page=False)
    target = os.environ.get("BRUGGEN_SOURCES_SCREENSHOT")
    if target:
        shutil.copyfile(shot, target)
    page.goto("/initiatives/samenspraak/")
    expect(page.get_by_test_id("linked-sources")).to_contain_text("Inburgeren met een mentor")
    assert_accessible(page, context="initiative with sources")
