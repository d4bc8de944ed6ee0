from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"


def _signup(client, email, password="Nieuw-wachtwoord-2024", password2=None):
    return client.post(
        SIGNUP,
        {
            "name": "Fatima El Amrani",
            "email": email,
            "password1": password,
            "password2": password2 or password,
        },
    )


def test_signup_page_is_dutch_by_default(client):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "nl"
    assert "Registreren" in response.content.decode()


def test_signup_creates_an_account_that_is_signed_in_and_sends_a_verification_mail(client):
    response = _signup(client, "Fatima.ElAmrani@Voorbeeld.nl")
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "fatima.elamrani@voorbeeld.nl"
    assert client.get("/accounts/profile/").status_code == 200
    address = EmailAddress.objects.get(user=user)
    assert not address.verified
    assert len(mail.outbox) == 1
    assert user.email in mail.outbox[0].to


def test_signup_with_an_email_in_use_is_refused_in_any_case(client, user):
    # With verification optional, allauth says so on the form; with it mandatory
    # (production) it prevents enumeration and mails the address's owner instead.
    response = _signup(client, user.email.upper())
    assert response.status_code == 200
    assert User.objects.count() == 1
    assert "al een gebruiker geregistreerd" in response.content.decode()


def test_signup_with_mismatched_passwords_writes_nothing(client):
    response = _signup(client, "nieuw@voorbeeld.nl", password2="iets-anders-2024")
    assert response.status_code == 200
    assert not User.objects.exists()


def test_signup_with_unicode_email_local_part_and_weak_password_gets_field_errors(client):
    response = _signup(client, "özdemir@voorbeeld.nl", password="12345678")
    assert response.status_code == 200
    assert not User.objects.exists()
    assert 'aria-invalid="true"' in response.content.decode()


def test_sign_in_with_the_right_password(client, user, password):
    response = sign_in(client, user.email, password)
    assert response.status_code == 302
    assert response.url == "/"
    page = client.get(response.url).content.decode()
    assert user.name in page


def test_sign_in_with_a_wrong_password_is_refused_with_a_message(client, user):
    response = sign_in(client, user.email, "niet-het-wachtwoord")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "niet correct" in response.content.decode()


def test_repeated_wrong_passwords_are_rate_limited(client, user, password):
    for _attempt in range(5):
        sign_in(client, user.email, "fout-wachtwoord")
    response = sign_in(client, user.email, password)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_sign_out_needs_a_post_and_signs_out(user_client):
    assert user_client.get("/accounts/profile/").status_code == 200
    response = user_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert user_client.get("/accounts/profile/").status_code == 302


def test_password_reset_mails_a_link_and_does_not_reveal_unknown_addresses(client, user):
    client.post("/accounts/password/reset/", {"email": user.email})
    client.post("/accounts/password/reset/", {"email": "onbekend@voorbeeld.nl"})
    assert len(mail.outbox) == 2
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_language_switch_to_english_and_back(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Sign in" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert "Inloggen" in client.get("/").content.decode()
