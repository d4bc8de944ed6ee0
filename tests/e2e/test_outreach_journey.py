"""A key figure makes an invitation, its PDF flyer is produced, two people respond, and the
initiative sees the count (docs/outreach.md). Then the key figure withdraws it, and the
link and the flyer say so."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone
from playwright.sync_api import expect

from network.models import Membership, Person, Role, Theme
from tests.e2e.conftest import assert_accessible, sign_in, sign_out
from tests.factories import InitiativeFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Brug-naar-Kanaleneiland-2024"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def _pdf_page(data: bytes):
    """The flyer's text and what its QR code says, read from the rendered page."""
    assert data.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        page = document[0]
        text = page.get_textpage().get_text_range()
        codes = [result.text for result in zxingcpp.read_barcodes(page.render(scale=2).to_pil())]
        return text, codes
    finally:
        document.close()


def _screenshot(page, name: str) -> None:
    """For looking at after a change (gitignored, as tests/e2e/test_layout.py's)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _download(page, link_name: str) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).click()
    return Path(download.value.path()).read_bytes()


def test_a_key_figure_invites_two_people_respond_and_the_initiative_sees_the_count(
    page, browser, live_server, django_user_model, settings
):
    settings.BRUGGEN_BASE_URL = live_server.url  # the QR code points at this test's server
    hodan_user = django_user_model.objects.create_user(
        email="hodan@voorbeeld.nl", password=PASSWORD, name="Hodan Warsame"
    )
    PersonFactory(
        user=hodan_user, name="Hodan Warsame", roles=[Role.objects.get(slug="key_figure")]
    )
    organisation = OrganisationFactory(name="Stichting Netwerk Inzicht")
    initiative = InitiativeFactory(
        organisation=organisation,
        title="Netwerk Inzicht",
        themes=[Theme.objects.get(slug="parents")],
    )
    leader_user = django_user_model.objects.create_user(
        email="annelies@voorbeeld.nl", password=PASSWORD, name="Annelies Verhoef"
    )
    Membership.objects.create(
        organisation=organisation,
        person=PersonFactory(user=leader_user, name="Annelies Verhoef"),
        role=Membership.Role.ADMIN,
    )

    # The key figure makes the invitation from the initiative's page.
    sign_in(page, "hodan@voorbeeld.nl", PASSWORD)
    page.goto(f"/initiatives/{initiative.ref}/")
    page.get_by_role("link", name="Nodig mensen uit voor een activiteit").click()
    assert_accessible(page, context="invitation form")
    expect(page.get_by_label("Initiatief")).to_have_value(initiative.ref)
    day = timezone.localdate() + timedelta(days=12)
    page.get_by_label("Activiteit").fill("Koffieochtend voor Somalische ouders")
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Tijd").fill("10:00")
    page.get_by_label("Plaats").fill("Buurthuis De Bron, Amersfoort")
    page.get_by_label("Tweede taal van de flyer").select_option("ar")
    page.get_by_role("button", name="Uitnodiging maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Koffieochtend voor Somalische ouders"
    )
    assert_accessible(page, context="invitation page")
    _screenshot(page, "outreach-invitation")
    link = page.get_by_test_id("invitation-link").inner_text()
    assert link.startswith(live_server.url + "/come/")
    # On a phone the long personal link wraps; the page does not grow wider than the screen.
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 720})

    # Its flyers: real PDFs whose QR code is the link, in Dutch and in Arabic.
    text, codes = _pdf_page(_download(page, "Flyer (pdf): Nederlands"))
    assert "Je bent uitgenodigd!" in text
    assert codes == [link]
    text, codes = _pdf_page(_download(page, "Flyer (pdf): العربية"))
    assert codes == [link]
    sign_out(page)

    # Two people respond, without an account: one just comes, one leaves a name.
    for first_name in ("", "Faadumo"):
        context = browser.new_context(locale="nl-NL")
        visitor = context.new_page()
        visitor.goto(link)
        expect(visitor.get_by_role("heading", level=1)).to_have_text(
            "Koffieochtend voor Somalische ouders"
        )
        assert_accessible(visitor, context="response form")
        _screenshot(visitor, "outreach-respond")
        if first_name:
            visitor.get_by_label("Voornaam (mag leeg blijven)").fill(first_name)
            visitor.get_by_label("Telefoonnummer of e-mailadres (mag leeg blijven)").fill(
                "06 12345678"
            )
            visitor.get_by_role("button", name="Ik kom").click()
            # No consent yet: told so, and the name is still there.
            expect(visitor.get_by_label("Voornaam (mag leeg blijven)")).to_have_value(first_name)
            assert_accessible(visitor, context="response form with an error")
            visitor.get_by_label("Ik vind het goed").check()
        visitor.get_by_role("button", name="Ik kom").click()
        expect(visitor.get_by_test_id("response-thanks")).to_be_visible()
        assert_accessible(visitor, context="response thanks")
        context.close()

    # The initiative's leader sees the count, per key figure.
    sign_in(page, "annelies@voorbeeld.nl", PASSWORD)
    page.goto(f"/initiatives/{initiative.ref}/")
    page.get_by_role("link", name="Bereik via sleutelfiguren").click()
    assert_accessible(page, context="initiative reach")
    _screenshot(page, "outreach-reach")
    expect(page.get_by_test_id("reach-total")).to_contain_text("2 mensen")
    row = page.get_by_test_id("reach-table").get_by_role("row", name="Hodan Warsame")
    expect(row).to_contain_text("2")
    expect(page.get_by_role("main")).not_to_contain_text("Faadumo")
    sign_out(page)

    # The key figure sees who is coming, withdraws, and the link and flyer say so.
    sign_in(page, "hodan@voorbeeld.nl", PASSWORD)
    page.goto("/reach/")
    page.get_by_role("link", name="Koffieochtend voor Somalische ouders").click()
    expect(page.get_by_test_id("response-count")).to_have_text("2 mensen komen.")
    expect(page.get_by_text("Faadumo")).to_be_visible()
    page.get_by_role("button", name="Uitnodiging intrekken").click()
    expect(page.get_by_text("Je hebt deze uitnodiging ingetrokken.")).to_be_visible()
    text, codes = _pdf_page(_download(page, "Flyer (pdf): Nederlands"))
    assert "Deze uitnodiging is ingetrokken." in text
    assert codes == []
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze uitnodiging is ingetrokken")
    assert_accessible(page, context="withdrawn invitation")
    assert Person.objects.get(user=hodan_user).reach_invitations.get().responses.count() == 2
