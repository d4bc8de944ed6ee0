from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, sign_in, sign_out, sign_up

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "aicha.nditaye@voorbeeld.nl"
PASSWORD = "Brug-naar-Overvecht-2024"


def test_sign_up_sign_in_switch_language_sign_out(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bruggen tussen projecten")
    assert_accessible(page, context="home (nl)")

    page.goto("/accounts/signup/")
    assert_accessible(page, context="sign-up form")
    sign_up(page, EMAIL, PASSWORD)
    expect(page).to_have_url(re.compile(r"/start/purpose/$"))
    page.goto("/accounts/profile/")
    expect(page.get_by_test_id("account-email")).to_have_text(EMAIL)
    assert_accessible(page, context="account overview")

    sign_out(page)
    expect(page.get_by_role("navigation").get_by_role("link", name="Inloggen")).to_be_visible()

    page.goto("/accounts/login/")
    assert_accessible(page, context="sign-in form")
    sign_in(page, EMAIL, "niet-mijn-wachtwoord")
    expect(page.get_by_role("alert")).to_contain_text("niet correct")
    assert_accessible(page, context="sign-in form with an error")

    sign_in(page, EMAIL, PASSWORD)
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()
    page.goto("/accounts/profile/")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    assert_accessible(page, context="account overview (en)")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn account")

    sign_out(page)
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)


def test_account_pages_are_accessible(page, django_user_model):
    django_user_model.objects.create_user(email=EMAIL, password=PASSWORD)
    for path in ["/accounts/password/reset/", "/accounts/signup/"]:
        page.goto(path)
        assert_accessible(page, context=path)
    sign_in(page, EMAIL, PASSWORD)
    for path in [
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/delete/",
        "/accounts/reauthenticate/",
    ]:
        page.goto(path)
        assert_accessible(page, context=path)

    # Making a token asks for the password again, then shows the token once, in an
    # accessible page, with what it may do.
    page.goto("/accounts/profile/")
    page.get_by_label("Naam").fill("Rapportage")
    page.get_by_role("button", name="Token maken").click()
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button").first.click()
    expect(page.get_by_test_id("new-token")).to_contain_text("brg_")
    expect(page.get_by_test_id("token-scopes")).to_have_attribute("data-scopes", "read write")
    assert_accessible(page, context="new token")
