# ruff: noqa: RUF001 - Turkish text holds the dotless i (U+0131)
"""The communities' languages in a real browser (docs/languages.md).

Key pages in each of Dutch, English, Arabic and Turkish with axe; one journey fully in
Arabic (right to left: sign up, the guided start, a request on Mijn Bruggen, the
introduction's conversation) and one in Turkish (the switch, the person's setting that
follows them to a Dutch browser, Turkish taxonomy labels and a Turkish invitation mail).
Screenshots go to test-results/screenshots/ (gitignored): look at them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from matching.index import index_reset
from matching.models import Need, Proposal
from matching.services import proposals as proposal_services
from network.models import Membership, Municipality, Person
from network.services.organisations import membership_invite
from tests.e2e.conftest import assert_accessible
from tests.factories import OrganisationFactory, PersonFactory, member_user
from tests.matching.factories import NeedFactory

pytestmark = pytest.mark.django_db(transaction=True)


ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
PASSWORD = "Brug-naar-Overvecht-2024"
LOCALES = {"nl": "nl-NL", "en": "en-GB", "ar": "ar", "tr": "tr-TR"}
HEADINGS = {
    "nl": "Mijn Bruggen",
    "en": "My Bruggen",
    "ar": "Bruggen الخاص بي",
    "tr": "Benim Bruggen'im",
}


def _context(browser, live_server, language: str, **options):
    context = browser.new_context(base_url=live_server.url, locale=LOCALES[language], **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _sign_up(page, name: str, email: str) -> None:
    page.goto("/accounts/signup/")
    page.locator("input[name=name]").fill(name)
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _html(page) -> list[str]:
    return page.evaluate("[document.documentElement.lang, document.documentElement.dir]")


def _english_left(page, language: str) -> list[str]:
    """Catalogue entries of three words or more still shown in English."""
    from tests.test_translations import _entries

    if language in ("en", "nl"):
        return []
    text = page.locator("body").inner_text()
    return [
        entry["msgid"]
        for entry in _entries(language)
        if not entry["plural"]
        and "%(" not in entry["msgid"]
        and "<" not in entry["msgid"]
        and len(entry["msgid"].split()) >= 3
        and entry["msgstr"] != [entry["msgid"]]
        and entry["msgid"] in text
    ]


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", list(LOCALES))
def test_key_pages_in_each_language_say_so_and_pass_axe(browser, live_server, language):
    index_reset()
    call_command("load_demo", verbosity=0)
    context, page = _context(browser, live_server, language)
    direction = "rtl" if language == "ar" else "ltr"
    try:
        for url in ("/", "/initiatives/", "/initiatives/overview/", "/needs/", "/people/"):
            page.goto(url)
            assert _html(page) == [language, direction], url
            assert _english_left(page, language) == [], url
            assert_accessible(page, context=f"{url} in {language}")
        _sign_in(page, "annelies@demo.bruggen.nl", "bruggen-demo")
        expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[language])
        for url in ("/", "/accounts/profile/", "/conversations/", "/profile/"):
            page.goto(url)
            assert _html(page) == [language, direction], url
            assert _english_left(page, language) == [], url
            assert_accessible(page, context=f"{url} signed in, in {language}")
        _screenshot(page, f"language-{language}-profile")
    finally:
        context.close()


def test_a_journey_in_arabic_right_to_left(browser, live_server, django_user_model):
    """Aïcha reads Arabic: her browser says so, and everything she meets is Arabic and
    reads right to left, with the Dutch names in it kept whole."""
    index_reset()
    utrecht = Municipality.objects.get(name="Utrecht")
    kitchen = OrganisationFactory(name="Buurtkeuken Kanaleneiland", municipality=utrecht)
    asker = django_user_model.objects.create_user(
        email="fatima@voorbeeld.nl", password=PASSWORD, name="Fatima"
    )
    fatima = PersonFactory(user=asker, name="Fatima El Amrani")
    Membership.objects.create(organisation=kitchen, person=fatima, role=Membership.Role.ADMIN)
    need = NeedFactory(
        organisation=kitchen,
        kind=Need.Kind.VOLUNTEER,
        title="Kookvrijwilliger voor de buurtmaaltijd",
        municipality=utrecht,
        radius_km=20,
        hours_per_week=4,
        themes=["food"],
    )
    context, page = _context(browser, live_server, "ar")
    try:
        page.goto("/")
        assert _html(page) == ["ar", "rtl"]
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "جسور بين المشاريع والأشخاص والخبرات"
        )
        expect(page.locator(".bruggen-language__current")).to_have_text("العربية")
        # The header mirrors: the logo sits on the right, the switch on the left.
        logo = page.locator(".bruggen-logo").bounding_box()
        switch = page.locator(".bruggen-language").bounding_box()
        assert logo["x"] > switch["x"]

        _sign_up(page, "عائشة نجيب", "aicha@voorbeeld.nl")
        expect(page).to_have_url(re.compile(r"/start/purpose/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("أهلاً بك في Bruggen")
        expect(page.get_by_text("مرحباً عائشة نجيب!")).to_be_visible()
        assert _english_left(page, "ar") == []
        assert_accessible(page, context="start in Arabic")
        page.get_by_label("أريد أن أتطوع").check()
        page.get_by_role("button", name="التالي").click()

        expect(page).to_have_url(re.compile(r"/start/profile/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("عنك")
        page.get_by_label("في أي بلدية تسكن أو تعمل؟").select_option(label="Utrecht")
        page.get_by_label("الطبخ والطعام").check()
        page.get_by_label("العربية", exact=True).check()
        page.get_by_label("كم ساعة لديك في الأسبوع؟").fill("4")
        assert_accessible(page, context="start profile in Arabic")
        page.get_by_role("button", name="التالي").click()
        expect(page).to_have_url(re.compile(r"/start/next/$"))
        person = Person.objects.get(user__email="aicha@voorbeeld.nl")
        assert set(person.languages.values_list("slug", flat=True)) == {"ar"}
        page.get_by_role("button", name="اذهب إلى Bruggen الخاص بي").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bruggen الخاص بي")

        # The kitchen asks her; the Dutch organisation name stays whole in the sentence.
        proposal_services.need_proposals_refresh(need=need)
        proposal = Proposal.objects.get(need=need, person=person)
        proposal_services.proposal_accept(proposal=proposal, actor=asker)
        page.reload()
        request = page.get_by_test_id("request")
        expect(request).to_contain_text("تسأل Buurtkeuken Kanaleneiland إن كنت تريد المساعدة.")
        assert request.locator("bdi", has_text="Buurtkeuken Kanaleneiland").count() == 1
        assert _english_left(page, "ar") == []
        assert_accessible(page, context="Mijn Bruggen in Arabic")
        _screenshot(page, "ar-home")
        request.get_by_role("button", name="نعم، عرّفنا ببعض").click()
        expect(page.get_by_test_id("request")).to_have_count(0)
        proposal.refresh_from_db()
        assert proposal.status == Proposal.Status.MATCHED
    finally:
        context.close()

    # The introduction's conversation, read and answered in Arabic (without JavaScript:
    # live_server has no WebSocket; the page posts the form instead).
    from messaging import services as messaging_services
    from messaging.models import Conversation

    conversation = Conversation.objects.get(participants__person=person)
    messaging_services.message_send(
        conversation_id=conversation.pk,
        author=fatima,
        body="Welkom Aïcha! Kom je donderdag om 17:00 koken?",
        client_id="nl-1",
    )
    context, page = _context(browser, live_server, "ar", java_script_enabled=False)
    try:
        _sign_in(page, "aicha@voorbeeld.nl", PASSWORD)
        page.goto(f"/conversations/{conversation.pk}/")
        assert _html(page) == ["ar", "rtl"]
        page.locator("[data-send-form] textarea[name=body]").fill(
            "شكراً Fatima! سأكون هناك يوم الخميس."
        )
        page.locator("[data-send-form] button[type=submit]").click()
        last = page.locator("[data-messages] li[data-seq]").last
        expect(last).to_contain_text("شكراً Fatima! سأكون هناك يوم الخميس.")
        expect(last.locator(".bruggen-chat__body")).to_have_attribute("dir", "auto")
        bubbles = page.locator("[data-messages] li[data-seq] .bruggen-chat__body")
        direction = "el => getComputedStyle(el).direction"
        # Bruggen's own line reads in the page's direction, even though it starts with a
        # Dutch name; people's messages take their own (dir=auto): Dutch left to right.
        assert bubbles.nth(0).evaluate(direction) == "rtl"
        assert bubbles.nth(1).evaluate(direction) == "ltr"
        assert bubbles.nth(2).evaluate(direction) == "rtl"
        # The Dutch sender's name is isolated in the Arabic line above her message.
        assert page.locator(".bruggen-chat__meta bdi", has_text="Fatima El Amrani").count() >= 1
        _screenshot(page, "ar-chat")
    finally:
        context.close()
    # axe needs JavaScript: the same conversation with it on.
    context, page = _context(browser, live_server, "ar")
    try:
        _sign_in(page, "aicha@voorbeeld.nl", PASSWORD)
        page.goto(f"/conversations/{conversation.pk}/")
        assert _html(page) == ["ar", "rtl"]
        assert_accessible(page, context="conversation in Arabic")
    finally:
        context.close()


def test_a_journey_in_turkish_that_follows_the_person(
    browser, live_server, django_capture_on_commit_callbacks
):
    """Yusuf picks Türkçe with the switch, makes it his setting, and on a Dutch browser he
    still reads Turkish; his invitation mail is Turkish too."""
    index_reset()
    context, page = _context(browser, live_server, "nl")
    try:
        page.goto("/")
        assert _html(page) == ["nl", "ltr"]
        page.locator(".bruggen-language").get_by_role("button", name="Türkçe").click()
        expect(page.locator("html")).to_have_attribute("lang", "tr")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Projeler, kişiler ve deneyimler arasında köprüler"
        )
        _sign_up(page, "Yusuf Özdemir", "yusuf@voorbeeld.nl")
        expect(page.get_by_role("heading", level=1)).to_have_text("Bruggen'e hoş geldiniz")
        assert _english_left(page, "tr") == []
        assert_accessible(page, context="start in Turkish")

        page.goto("/accounts/profile/")
        language = page.get_by_label("Bruggen'in ve e-postalarının dili")
        # The switch's choice before signing up became his setting when he signed in.
        expect(language).to_have_value("tr")
        language.select_option("tr")
        page.get_by_role("button", name="Dili kaydet").click()
        expect(page.get_by_text("Diliniz kaydedildi.")).to_be_visible()
        assert_accessible(page, context="account page in Turkish")
        page.get_by_role("button", name="Çıkış yap").click()
        page.wait_for_load_state()
    finally:
        context.close()

    # A Dutch browser, no cookie: once he signs in, his setting wins.
    context, page = _context(browser, live_server, "nl")
    try:
        _sign_in(page, "yusuf@voorbeeld.nl", PASSWORD)
        assert _html(page) == ["tr", "ltr"]
        page.goto("/initiatives/")
        expect(page.locator("body")).to_contain_text("Yemek pişirme ve yemek")
        expect(page.locator("body")).not_to_contain_text("Koken & eten")
        assert _english_left(page, "tr") == []
        assert_accessible(page, context="knowledge bank in Turkish")
        _screenshot(page, "tr-knowledge-bank")
    finally:
        context.close()

    organisation = OrganisationFactory(name="Stichting Samen Koken")
    admin = member_user(organisation, role=Membership.Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        membership_invite(organisation=organisation, actor=admin, email="yusuf@voorbeeld.nl")
    assert mail.outbox[-1].subject == "Bruggen'de Stichting Samen Koken kuruluşuna katılma daveti"
    assert "Daveti buradan kabul edin:" in mail.outbox[-1].body
