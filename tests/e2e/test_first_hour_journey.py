"""The first hour, in a real browser and in Dutch: sign up with a name, the guided start as a
volunteer, needs that fit, answering a request on Mijn Bruggen; and a demo sign-in that lands
on what waits. Every page on the way is read for English words and developer terms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from matching.index import index_reset
from matching.models import Need, Proposal
from matching.services import proposals as proposal_services
from network.models import Membership, Municipality, Person
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import OrganisationFactory, PersonFactory
from tests.matching.factories import NeedFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
PASSWORD = "Brug-naar-Overvecht-2024"
# Words that only an untranslated interface shows, and terms only developers use.
ENGLISH = re.compile(
    r"\b(the|you|your|and|with|what|which|here|next|back|save|skip|welcome|sign|needs?|"
    r"step|choose|proposal|request|profile|organisation|volunteer|later on)\b",
    re.IGNORECASE,
)
DEVELOPER = re.compile(r"\b(ref|refs|token|tokens|slug|slugs|api|json|id)\b", re.IGNORECASE)


def assert_plain_dutch(page, where: str) -> None:
    """The visible text of the page (header, navigation and content) has no English word and
    no developer term."""
    text = page.locator("header").inner_text() + "\n" + page.locator("main").inner_text()
    english = sorted({m.group(0) for m in ENGLISH.finditer(text)})
    developer = sorted({m.group(0) for m in DEVELOPER.finditer(text)})
    assert not english, f"English on {where}: {english}\n{text}"
    assert not developer, f"developer terms on {where}: {developer}\n{text}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_volunteer_signs_up_goes_through_the_start_sees_fitting_needs_and_says_yes(
    page, django_user_model
):
    index_reset()
    utrecht = Municipality.objects.get(name="Utrecht")
    kitchen = OrganisationFactory(name="Buurtkeuken Kanaleneiland", municipality=utrecht)
    asker = django_user_model.objects.create_user(
        email="fatima@voorbeeld.nl", password=PASSWORD, name="Fatima"
    )
    Membership.objects.create(
        organisation=kitchen,
        person=PersonFactory(user=asker, name="Fatima El Amrani"),
        role=Membership.Role.ADMIN,
    )
    need = NeedFactory(
        organisation=kitchen,
        kind=Need.Kind.VOLUNTEER,
        title="Kookvrijwilliger voor de buurtmaaltijd",
        description="Elke donderdag koken we met buren voor dertig mensen.",
        municipality=utrecht,
        radius_km=20,
        hours_per_week=4,
        themes=["food"],
    )

    page.goto("/accounts/signup/")
    page.get_by_label("Je naam").fill("Aïcha N'Diaye")
    page.get_by_label("E-mailadres").fill("aicha@voorbeeld.nl")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Wachtwoord (bevestigen)").fill(PASSWORD)
    assert_plain_dutch(page, "sign-up")
    page.get_by_role("button", name="Registreren").click()

    expect(page).to_have_url(re.compile(r"/start/purpose/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom bij Bruggen")
    expect(page.get_by_text("Hallo Aïcha N'Diaye!")).to_be_visible()
    assert_plain_dutch(page, "start: purpose")
    assert_accessible(page, context="start: purpose")
    screenshot(page, "start")
    page.get_by_label("Ik wil vrijwilligerswerk doen").check()
    page.get_by_role("button", name="Volgende").click()

    expect(page).to_have_url(re.compile(r"/start/profile/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Over jou")
    assert_plain_dutch(page, "start: about you")
    assert_accessible(page, context="start: about you")
    screenshot(page, "start-profile")
    page.get_by_label("In welke gemeente woon of werk je?").select_option(label="Utrecht")
    page.get_by_label("Koken & eten").check()
    page.get_by_label("Somalisch").check()
    page.get_by_label("Nederlands", exact=True).check()
    hours = page.get_by_label("Hoeveel uur per week heb je tijd?")
    hours.fill("4")
    with page.expect_response(lambda response: "/start/profile/draft/" in response.url):
        hours.press("Tab")  # the change is kept as it is made

    # She leaves half-way through the page, and comes back to what she typed.
    page.get_by_role("navigation").get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("finish-start")).to_contain_text("Maak je start af")
    page.get_by_role("link", name="Ga verder met je start").click()
    expect(page).to_have_url(re.compile(r"/start/profile/$"))
    expect(page.get_by_label("Hoeveel uur per week heb je tijd?")).to_have_value("4")
    expect(page.get_by_label("Koken & eten")).to_be_checked()
    expect(page.get_by_label("Somalisch")).to_be_checked()
    expect(page.get_by_label("In welke gemeente woon of werk je?")).to_have_value("utrecht")
    page.get_by_role("button", name="Volgende").click()

    expect(page).to_have_url(re.compile(r"/start/next/$"))
    assert_plain_dutch(page, "start: next step")
    person = Person.objects.get(user__email="aicha@voorbeeld.nl")
    assert person.name == "Aïcha N'Diaye"
    assert set(person.roles.values_list("slug", flat=True)) == {"volunteer"}
    assert (person.municipality.name, person.hours_per_week) == ("Utrecht", 4)
    page.get_by_role("button", name="Naar Mijn Bruggen").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn Bruggen")
    fitting = page.get_by_test_id("fitting-needs")
    expect(fitting).to_contain_text("Kookvrijwilliger voor de buurtmaaltijd")
    expect(page.get_by_test_id("finish-start")).to_have_count(0)
    assert_plain_dutch(page, "home")

    # The kitchen sees the newcomer among the proposals and asks her.
    proposal_services.need_proposals_refresh(need=need)
    proposal = Proposal.objects.get(need=need, person=person)
    proposal_services.proposal_accept(proposal=proposal, actor=asker)

    page.reload()
    request = page.get_by_test_id("request")
    expect(request).to_contain_text("Kookvrijwilliger voor de buurtmaaltijd")
    expect(request).to_contain_text("Buurtkeuken Kanaleneiland vraagt of je wilt helpen.")
    expect(request).to_contain_text("Geef antwoord vóór")
    assert_plain_dutch(page, "home with a request")
    assert_accessible(page, context="home with a request")
    screenshot(page, "home")
    request.get_by_role("button", name="Ja, stel ons voor").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("request")).to_have_count(0)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.MATCHED
    assert_plain_dutch(page, "home after saying yes")


def test_annelies_signs_in_and_lands_on_what_waits_for_her(page):
    index_reset()
    call_command("load_demo", verbosity=0)
    sign_in(page, "annelies@demo.bruggen.nl", "bruggen-demo")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn Bruggen")
    expect(page.get_by_text("Hallo Annelies Verhoef.")).to_be_visible()
    expect(page.get_by_test_id("new-proposals").first).to_contain_text("nieuwe voorstellen")
    expect(page.get_by_test_id("my-organisations")).to_contain_text("Cultuurinzicht")
    assert_plain_dutch(page, "annelies' home")
    assert_accessible(page, context="annelies' home")
    screenshot(page, "home-annelies")
