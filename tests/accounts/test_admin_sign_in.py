"""The admin signs in through allauth: its rate limits and two-factor authentication
apply, and production asks staff for an authenticator app (docs/accounts.md)."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.messages import get_messages
from django.test import Client, override_settings

from accounts.models import User
from tests.accounts.test_mfa import _current_code
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_admin_login_form_is_gone_it_sends_to_allauths_sign_in(client, staff_user, password):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert "next=%2Fadmin%2F" in response.url
    # Posting a password to the old form signs nobody in.
    client.post("/admin/login/", {"username": staff_user.email, "password": password})
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_staff_with_totp_need_the_code_before_the_admin_opens(client, staff_user, password):
    secret = generate_totp_secret()
    TOTP.activate(staff_user, secret)
    response = sign_in(client, staff_user.email, password)
    assert response.url == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302  # the password alone is not enough
    client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_is_rate_limited_by_allauth(client, staff_user):
    for _attempt in range(5):
        sign_in(client, staff_user.email, "fout-wachtwoord")
    refused = sign_in(client, staff_user.email, "fout-wachtwoord")
    assert refused.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    page = refused.content.decode().lower()
    assert "te veel" in page or "too many" in page


def test_a_session_that_skipped_the_second_step_is_sent_to_sign_in_again(staff_user):
    """A session from the old password-only admin sign-in, with TOTP on."""
    TOTP.activate(staff_user, generate_totp_secret())
    client = Client()
    client.force_login(staff_user)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@override_settings(BRUGGEN_STAFF_REQUIRE_MFA=True)
def test_when_required_staff_without_totp_are_sent_to_set_it_up(client, staff_user, password):
    sign_in(client, staff_user.email, password)
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302 and response.url == "/accounts/2fa/totp/activate/"
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("authenticator" in text.lower() for text in texts), texts
    assert client.get("/admin/accounts/user/").status_code == 302


@override_settings(BRUGGEN_STAFF_REQUIRE_MFA=True)
def test_when_required_staff_with_totp_and_the_code_use_the_admin(client, staff_user, password):
    secret = generate_totp_secret()
    TOTP.activate(staff_user, secret)
    sign_in(client, staff_user.email, password)
    client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})
    assert client.get("/admin/").status_code == 200


def test_people_who_are_not_staff_get_no_admin(user_client):
    assert user_client.get("/admin/login/").status_code == 403
    assert user_client.get("/admin/").status_code in (302, 403)


def test_without_the_requirement_staff_without_totp_use_the_admin(client, staff_user, password):
    sign_in(client, staff_user.email, password)
    assert client.get("/admin/").status_code == 200
    assert User.objects.get(pk=staff_user.pk).is_staff


@pytest.mark.parametrize("path", ["/matching/rounds/", "/admin/network/import/"])
def test_staff_pages_outside_the_admin_ask_for_the_second_step_too(staff_user, path):
    """The import and matching rounds live outside /admin/ but behind the same gate: a
    session that never passed TOTP does not open them."""
    TOTP.activate(staff_user, generate_totp_secret())
    client = Client()
    client.force_login(staff_user)
    response = client.get(path, follow=True)
    assert response.redirect_chain, "the page opened without the second step"
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@override_settings(BRUGGEN_STAFF_REQUIRE_MFA=True)
@pytest.mark.parametrize("path", ["/matching/rounds/", "/admin/network/import/"])
def test_staff_pages_outside_the_admin_require_two_factor_when_the_admin_does(
    client, staff_user, password, path
):
    sign_in(client, staff_user.email, password)
    response = client.get(path, follow=True)
    # On to setting up the authenticator app (allauth asks for the password first).
    assert "/accounts/2fa/totp/activate/" in [url for url, _status in response.redirect_chain]
