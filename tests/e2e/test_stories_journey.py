"""Close-out stories in a real browser (docs/stories.md): a need closes and the asker is
asked for their story on Mijn Bruggen; the matched volunteer answers by the signed link in
the mail, without signing in; the organisation's admin approves both; the stories appear on
the new initiative in the knowledge bank and in "De kennisbank in cijfers"."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from matching.index import index_reset
from matching.models import Proposal
from network.models import Initiative, Membership, TargetGroup, Theme
from tests.e2e.conftest import assert_accessible, sign_in, sign_out
from tests.factories import OrganisationFactory, PersonFactory
from tests.matching.factories import NeedFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Een-brug-slaan-2024"
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
SCREENSHOT = SHOTS / "story-questionnaire.png"
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
});
"""


def _no_csp_violations(page) -> None:
    assert page.evaluate("window.__cspViolations || []") == []


def test_a_closed_need_asks_for_stories_that_reach_the_knowledge_bank_once_approved(
    page, django_user_model
):
    index_reset()
    page.add_init_script(CSP_LISTENER)
    organisation = OrganisationFactory(name="Cultuurinzicht")
    annelies = django_user_model.objects.create_user(
        email="annelies@voorbeeld.nl", password=PASSWORD, name="Annelies"
    )
    asker = PersonFactory(user=annelies, name="Annelies Verhoef")
    Membership.objects.create(organisation=organisation, person=asker, role=Membership.Role.ADMIN)
    karim = django_user_model.objects.create_user(
        email="karim@voorbeeld.nl", password=PASSWORD, name="Karim"
    )
    candidate = PersonFactory(user=karim, name="Karim El Amrani")
    need = NeedFactory(
        organisation=organisation,
        title="Mentor voor ouderavonden",
        created_by=asker,
        themes=[Theme.objects.get(pk="food")],
        target_groups=[TargetGroup.objects.get(pk="moroccan")],
    )
    Proposal.objects.create(
        need=need,
        person=candidate,
        status=Proposal.Status.MATCHED,
        responded_at=timezone.now() - timedelta(days=10),
    )

    # The asker closes the need and finds the question on Mijn Bruggen.
    sign_in(page, "annelies@voorbeeld.nl", PASSWORD)
    page.goto(f"/needs/{need.ref}/")
    page.get_by_role("button", name="Hulpvraag sluiten").click()
    page.goto("/")
    waiting = page.get_by_test_id("waiting")
    expect(waiting.get_by_test_id("story-request")).to_contain_text("Mentor voor ouderavonden")
    waiting.get_by_role("link", name=re.compile("Jouw verhaal over")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hoe ging het?")
    assert_accessible(page, context="the questionnaire")
    _no_csp_violations(page)

    # Half-way: saved, and still there when she comes back.
    page.get_by_label("Wat ging goed?").fill("Samen koken met de ouders: iedereen deed mee.")
    page.get_by_label("Bereikte mensen").fill("40")
    page.get_by_role("button", name="Bewaren en later verdergaan").click()
    expect(page.get_by_text("Je antwoorden zijn bewaard.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Wat ging goed?")).to_have_value(
        "Samen koken met de ouders: iedereen deed mee."
    )
    page.get_by_label("Wat ging niet goed?").fill("De eerste avond kwam bijna niemand.")
    page.get_by_label("Vrijwilligers die hielpen").fill("6")
    page.get_by_label("In de eigen taal").check()
    page.get_by_label("Activiteiten die aansluiten").check()
    page.get_by_label("Doelgroep moeilijk te bereiken").check()
    page.get_by_label("Eén tip voor iemand die hetzelfde begint").fill(
        "Vraag een sleutelfiguur mee naar de eerste avond."
    )
    page.get_by_label(re.compile("Anderen mogen mijn antwoorden lezen")).check()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.get_by_role("button", name="Mijn verhaal versturen").click()
    expect(page.get_by_test_id("already-sent")).to_be_visible()
    sign_out(page)

    # The volunteer answers through the link in the mail, without signing in.
    (message,) = [m for m in mail.outbox if m.to == ["karim@voorbeeld.nl"]]
    link = re.search(r"https?://\S+(/stories/link/\S+/)", message.body).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hoe ging het?")
    page.get_by_label("Wat ging goed?").fill("De moeders namen hun buurvrouwen mee.")
    page.get_by_label("In de eigen taal").check()
    page.get_by_label("Vertrouwen winnen kost tijd").check()
    page.get_by_label(re.compile("Anderen mogen mijn antwoorden lezen")).check()
    page.get_by_role("button", name="Mijn verhaal versturen").click()
    expect(page.get_by_test_id("already-sent")).to_be_visible()
    # Answering twice is refused, with a clear page.
    page.goto(link)
    expect(page.get_by_test_id("already-sent")).to_contain_text("geen tweede keer")
    # A changed link opens nothing.
    page.goto(link[:-4] + "xyz/")
    expect(page.get_by_test_id("refused")).to_contain_text("hele link")
    assert_accessible(page, context="a broken link")

    # The organisation's admin approves both.
    sign_in(page, "annelies@voorbeeld.nl", PASSWORD)
    page.goto("/stories/review/")
    queue = page.get_by_test_id("review-queue")
    expect(queue.get_by_role("listitem")).to_have_count(2)
    assert_accessible(page, context="the review queue")
    for _ in range(2):
        page.get_by_test_id("review-queue").get_by_role("link").first.click()
        assert_accessible(page, context="a story to review")
        page.get_by_role("button", name="Goedkeuren").click()
        expect(page.get_by_text("Het verhaal is goedgekeurd.")).to_be_visible()

    # A new initiative holds them, running (the need led to a match).
    initiative = Initiative.objects.get(title="Mentor voor ouderavonden")
    assert initiative.status == Initiative.Status.RUNNING
    page.goto(f"/initiatives/{initiative.ref}/")
    stories = page.get_by_test_id("initiative-stories")
    expect(stories).to_contain_text("De moeders namen hun buurvrouwen mee.")
    expect(stories).to_contain_text("Vraag een sleutelfiguur mee naar de eerste avond.")
    expect(page.get_by_role("main")).to_contain_text("Doelgroep moeilijk te bereiken")
    assert_accessible(page, context="the initiative with stories")
    _no_csp_violations(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "stories-initiative.png"), full_page=True)

    # And in the figures, per theme.
    page.goto("/initiatives/overview/")
    figures = page.get_by_test_id("story-figures")
    factors = figures.get_by_test_id("reported-success-factors")
    expect(factors.get_by_role("row", name=re.compile("In de eigen taal"))).to_contain_text("2")
    expect(figures.get_by_test_id("reported-obstacles")).to_contain_text("Vertrouwen winnen")
    figures.get_by_label("Thema").select_option(label="Koken & eten")
    figures.get_by_role("button", name="Cijfers tonen").click()
    expect(page.get_by_test_id("reported-success-factors")).to_contain_text("In de eigen taal")
    page.get_by_test_id("story-figures").screenshot(path=str(SHOTS / "stories-figures.png"))
    figures.get_by_label("Thema").select_option(label="Sport & bewegen")
    figures.get_by_role("button", name="Cijfers tonen").click()
    expect(page.get_by_test_id("story-figures")).to_contain_text("0 goedgekeurde verhalen")
    assert_accessible(page, context="the figures")
    _no_csp_violations(page)
