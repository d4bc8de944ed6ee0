"""Headers that protect every page: the Content-Security-Policy, and the session cookie's
name that production prefixes with __Host-."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/initiatives/", "/accounts/login/", "/api/v1/health"])
def test_every_response_carries_the_content_security_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


@override_settings(SESSION_COOKIE_NAME="__Host-sessionid", CSRF_COOKIE_NAME="__Host-csrftoken")
def test_the_api_knows_the_session_under_the_production_cookie_name():
    user = UserFactory()
    PersonFactory(user=user)
    client = Client()
    client.force_login(user)
    assert "__Host-sessionid" in client.cookies
    response = client.get("/api/v1/me")
    assert response.status_code == 200, response.content
    assert response.json()["email"] == user.email


def test_sign_in_attempts_are_logged_without_the_address(client, caplog):
    from accounts.audit import address_hash
    from tests.factories import DEFAULT_PASSWORD

    user = UserFactory(email="hodan.warsame@voorbeeld.nl")
    with caplog.at_level("INFO", logger="accounts.audit"):
        client.post(
            "/accounts/login/",
            {"login": "hodan.warsame@voorbeeld.nl", "password": "fout-wachtwoord"},
        )
        client.post(
            "/accounts/login/",
            {"login": "hodan.warsame@voorbeeld.nl", "password": DEFAULT_PASSWORD},
        )
    lines = [record.getMessage() for record in caplog.records if record.name == "accounts.audit"]
    assert any(
        line.startswith("sign-in failed") and address_hash(user.email) in line for line in lines
    ), lines
    assert any(line.startswith(f"sign-in succeeded: user={user.pk}") for line in lines), lines
    assert all("hodan" not in line for line in lines)
