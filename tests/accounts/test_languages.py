# ruff: noqa: RUF001 - Turkish text holds the dotless i (U+0131)
"""The communities' languages (docs/languages.md): Dutch, English, Arabic and Turkish.

The language comes from the switch, the person's setting or the browser's Accept-Language;
<html> says which, and for Arabic that it reads right to left. Mail goes out in the
recipient's language; taxonomy labels follow the page's language."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from accounts.i18n import by_language, language_of, supported
from accounts.models import User
from network.models import Language, Membership, Role, Theme
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, member_user

pytestmark = pytest.mark.django_db


def _html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


@pytest.mark.parametrize(
    ("accept", "lang", "direction", "sign_in"),
    [
        ("nl-NL,nl;q=0.9", "nl", "ltr", "Inloggen"),
        ("en-GB,en;q=0.9", "en", "ltr", "Sign in"),
        ("ar-MA,ar;q=0.9", "ar", "rtl", "تسجيل الدخول"),
        ("tr-TR,tr;q=0.9", "tr", "ltr", "Giriş yap"),
    ],
)
def test_the_browser_language_chooses_the_page_language_and_direction(
    client, accept, lang, direction, sign_in
):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert _html_tag(response) == f'<html lang="{lang}" dir="{direction}" class="utrecht-theme">'
    assert response["Content-Language"] == lang
    if lang != "nl":
        assert sign_in in response.content.decode()


def test_a_language_bruggen_does_not_speak_falls_back_to_dutch(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert 'lang="nl" dir="ltr"' in _html_tag(response)


def test_the_switch_names_each_language_in_its_own_script(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    for code, name in [("nl", "Nederlands"), ("en", "English"), ("tr", "Türkçe")]:
        assert f'value="{code}" lang="{code}" dir="auto">{name}</button>' in page
    assert 'aria-current="true" lang="ar" dir="auto">العربية</span>' in page


def test_the_switch_sets_the_language_for_a_visitor(client):
    response = client.post("/i18n/setlang/", {"language": "tr", "next": "/"})
    assert response.status_code == 302
    assert 'lang="tr"' in _html_tag(client.get("/"))


def test_the_switch_becomes_the_signed_in_persons_setting(user_client, user):
    user_client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    user.refresh_from_db()
    assert user.language == "ar"
    # On another device, with a Dutch browser and no cookie, the setting wins.
    other = Client(HTTP_ACCEPT_LANGUAGE="nl")
    other.force_login(user)
    assert 'lang="ar" dir="rtl"' in _html_tag(other.get("/"))


def test_the_switch_ignores_a_language_it_does_not_know(user_client, user):
    response = user_client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == ""


def test_the_account_page_shows_and_saves_the_language_setting(user_client, user):
    page = user_client.get("/accounts/profile/").content.decode()
    assert 'name="language"' in page
    assert "Taal van Bruggen en de mail" in page
    response = user_client.post("/accounts/language/", {"language": "tr"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "tr"
    page = user_client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert 'lang="tr"' in page[:300]
    assert "Diliniz kaydedildi." in page
    assert '<option value="tr" selected>Türkçe</option>' in page
    # Back to "follow my browser".
    user_client.post("/accounts/language/", {"language": ""})
    user.refresh_from_db()
    assert user.language == ""
    assert 'lang="en"' in _html_tag(user_client.get("/", HTTP_ACCEPT_LANGUAGE="en"))


def test_a_wrong_language_on_the_account_page_is_refused_with_a_message(user_client, user):
    response = user_client.post("/accounts/language/", {"language": "klingon"})
    assert response.status_code == 400
    assert "Selecteer een geldige keuze" in response.content.decode()
    user.refresh_from_db()
    assert user.language == ""


def test_the_language_setting_is_in_the_personal_data_export(user_client, user):
    user.language = "ar"
    user.save()
    data = user_client.get("/accounts/export/").json()
    assert data["account"]["language"] == "ar"


def test_the_error_pages_carry_lang_and_direction():
    from django.template.loader import render_to_string

    with translation.override("ar"):
        html = render_to_string("500.html")
    assert '<html lang="ar" dir="rtl"' in html


def test_a_name_is_isolated_from_the_sentence_around_it(client):
    user = UserFactory(name="فاطمة الزهراء")
    client.force_login(user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Mijn account (<bdi>فاطمة الزهراء</bdi>)" in page


def test_supported_and_language_of():
    assert supported("tr-TR") == "tr"
    assert supported("AR") == "ar"
    assert supported("fr") is None
    assert supported("") is None
    user = UserFactory(language="tr")
    assert language_of(user) == "tr"
    assert language_of(user.email.upper()) == "tr"
    assert language_of("nobody@voorbeeld.nl") == "nl"
    assert language_of(None) == "nl"
    person = PersonFactory(user=UserFactory(language="ar"))
    assert language_of(person) == "ar"
    groups = by_language([user.email, "nobody@voorbeeld.nl", person.user.email])
    assert groups == {"tr": [user.email], "nl": ["nobody@voorbeeld.nl"], "ar": [person.user.email]}


# Mail in the recipient's language ----------------------------------------------------------


def test_an_invitation_goes_out_in_the_invitees_language(django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(name="Buurtcentrum De Brug")
    admin = member_user(organisation, role=Membership.Role.ADMIN)
    UserFactory(email="ayse@voorbeeld.nl", language="tr")
    client = Client()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/organisations/{organisation.ref}/members/",
            {"email": "ayse@voorbeeld.nl", "role": "member"},
        )
        client.post(
            f"/organisations/{organisation.ref}/members/",
            {"email": "nieuw@voorbeeld.nl", "role": "member"},
        )
    turkish, dutch = mail.outbox
    assert turkish.subject == "Bruggen'de Buurtcentrum De Brug kuruluşuna katılma daveti"
    assert "Daveti buradan kabul edin:" in turkish.body
    assert dutch.subject.startswith("Uitnodiging")


def test_a_password_reset_mail_comes_in_the_persons_language(client):
    user = UserFactory(language="ar")
    client.post("/accounts/password/reset/", {"email": user.email}, HTTP_ACCEPT_LANGUAGE="nl")
    assert len(mail.outbox) == 1
    assert re.search(r"[\u0600-\u06ff]", mail.outbox[0].subject + mail.outbox[0].body)


def test_proposal_mails_go_out_once_per_language(django_capture_on_commit_callbacks):
    from matching.models import Proposal
    from matching.services.proposals import _notify
    from tests.matching.factories import NeedFactory

    need = NeedFactory(title="Taalmaatje gezocht")
    asker = member_user(need.organisation, language="tr")
    candidate = PersonFactory(user=UserFactory(language="ar"))
    proposal = Proposal.objects.create(need=need, person=candidate, status=Proposal.Status.MATCHED)
    _notify(proposal.pk, "matched")
    by_recipient = {tuple(sent.to): sent for sent in mail.outbox}
    assert set(by_recipient) == {(asker.email,), (candidate.user.email,)}
    assert "İkiniz de evet dediniz" in by_recipient[(asker.email,)].subject
    assert "قلتما كلاكما نعم" in by_recipient[(candidate.user.email,)].subject


# Taxonomy labels -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "theme", "arabic"),
    [
        ("nl", "Koken & eten", "Arabisch"),
        ("en", "Cooking & food", "Arabic"),
        ("ar", "الطبخ والطعام", "العربية"),
        ("tr", "Yemek pişirme ve yemek", "Arapça"),
    ],
)
def test_taxonomy_labels_follow_the_language(language, theme, arabic):
    food, language_ar = Theme.objects.get(slug="food"), Language.objects.get(slug="ar")
    with translation.override(language):
        assert food.name == theme
        assert str(language_ar) == arabic
    assert food.label(language) == theme


def test_every_taxonomy_entry_has_an_arabic_and_a_turkish_name():
    from network.models import SuccessFactor, TargetGroup

    for model in (Theme, TargetGroup, SuccessFactor, Role, Language):
        missing = list(model.objects.filter(name_ar="").values_list("slug", flat=True)) + list(
            model.objects.filter(name_tr="").values_list("slug", flat=True)
        )
        assert missing == [], f"{model.__name__}: {missing}"


def test_an_empty_arabic_name_falls_back_to_english():
    food = Theme.objects.get(slug="food")
    food.name_ar = ""
    assert food.label("ar") == "Cooking & food"


def test_filters_on_a_turkish_page_show_turkish_labels(client):
    page = client.get("/initiatives/", HTTP_ACCEPT_LANGUAGE="tr").content.decode()
    assert "Yemek pişirme ve yemek" in page
    assert "Koken &amp; eten" not in page


def test_user_language_is_limited_to_the_known_languages():
    from django.core.exceptions import ValidationError

    user = UserFactory()
    user.language = "fr"
    with pytest.raises(ValidationError):
        user.full_clean(exclude=["password"])
    assert User._meta.get_field("language").max_length >= 2


def test_an_arabic_chart_grows_from_the_right():
    from network.charts import CHART_WIDTH, DIMENSIONS, bar_chart
    from network.models import Theme as ThemeModel

    rows = [(ThemeModel.objects.get(slug="food"), 4), (ThemeModel.objects.get(slug="sport"), 1)]
    from django.template.loader import render_to_string

    with translation.override("ar"):
        chart = bar_chart(dimension=DIMENSIONS[0], rows=rows)
        svg = render_to_string("network/chart.svg", {"chart": chart})
    assert 'direction="rtl"' in svg
    assert f'<text x="{CHART_WIDTH}" y="14" text-anchor="start" fill="#1a1a1a">الطبخ والطعام' in svg
    assert 'x="240.0" y="52" width="80.0"' in svg  # the short bar hugs the right edge
    with translation.override("nl"):
        chart = bar_chart(dimension=DIMENSIONS[0], rows=rows)
        svg = render_to_string("network/chart.svg", {"chart": chart})
    assert "direction" not in svg
    assert '<text x="0" y="14" text-anchor="start" fill="#1a1a1a">Koken &amp; eten' in svg


def test_people_and_messages_keep_their_own_direction(client):
    from messaging import services as messaging_services

    alice = PersonFactory(user=UserFactory(name="Annelies"), name="Annelies de Vries")
    karim = PersonFactory(user=UserFactory(name="كريم"), name="كريم العمراني")
    conversation = messaging_services.conversation_start(creator=alice, participants=[karim])
    messaging_services.message_send(
        conversation_id=conversation.pk, author=karim, body="مرحبا Annelies!", client_id="ar-1"
    )
    client.force_login(alice.user)
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert "<bdi>كريم العمراني</bdi>" in page
    assert 'class="bruggen-chat__body utrecht-paragraph" dir="auto">مرحبا Annelies!' in page
    people = client.get("/people/").content.decode()
    assert "<bdi>كريم العمراني</bdi>" in people


def test_stylesheets_use_logical_properties_only():
    """Right to left mirrors the layout only when no rule says left or right
    (margin-inline-start, not margin-left; text-align: start, not left)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "static" / "css"
    token = r"[^;:\s]+"
    physical = re.compile(
        rf"\b(left|right)\b|\b(margin|padding|inset):\s*{token}\s+{token}\s+{token}\s+{token}\s*;"
    )
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(root.glob("*.css"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if physical.search(line)
    ]
    assert len(list(root.glob("*.css"))) >= 3
    assert found == []


def test_a_language_chosen_before_signing_in_becomes_the_setting(client):
    from tests.factories import DEFAULT_PASSWORD, UserFactory

    user = UserFactory()
    client.post("/i18n/setlang/", {"language": "tr", "next": "/"})
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "tr"
    assert 'lang="tr"' in _html_tag(client.get("/"))


def test_signing_in_keeps_a_setting_and_ignores_the_browser_language():
    from tests.factories import DEFAULT_PASSWORD, UserFactory

    chosen = UserFactory(language="ar")
    browser = Client(HTTP_ACCEPT_LANGUAGE="tr")
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    browser.post("/accounts/login/", {"login": chosen.email, "password": DEFAULT_PASSWORD})
    chosen.refresh_from_db()
    assert chosen.language == "ar"

    unset = UserFactory()
    turkish_browser = Client(HTTP_ACCEPT_LANGUAGE="tr")
    turkish_browser.post("/accounts/login/", {"login": unset.email, "password": DEFAULT_PASSWORD})
    unset.refresh_from_db()
    assert unset.language == ""
