from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from allauth.account import app_settings as allauth_settings
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts import services
from accounts.api import BearerTokenAuth
from accounts.models import ApiToken, User
from network.models import Organisation
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def _me(secret: str):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})


def _post_organisation(secret: str, name: str = "Stichting Samen Sterk"):
    return Client().post(
        "/api/v1/organisations",
        json.dumps({"name": name}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )


@pytest.fixture
def recent_client(user, password) -> Client:
    """Signed in through allauth and just re-authenticated, as the account page needs."""
    client = Client()
    sign_in(client, user.email, password)
    client.post("/accounts/reauthenticate/", {"password": password})
    return client


TOKEN_FORM = {"name": "Export", "expires_in_days": "30", "scopes": ["read", "write"]}


def test_a_token_made_on_the_account_page_is_shown_once_and_works(recent_client, user):
    user_client = recent_client
    response = user_client.post("/accounts/tokens/", TOKEN_FORM)
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    assert "brg_" in secret
    token = ApiToken.objects.get(user=user)
    assert token.key_hash != secret and secret not in token.key_hash
    assert token.expires_at > timezone.now() + timedelta(days=29)

    assert secret not in user_client.get("/accounts/profile/").content.decode()
    me = _me(secret)
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_a_token_without_a_name_is_refused(recent_client):
    response = recent_client.post(
        "/accounts/tokens/", {"name": "  ", "expires_in_days": "", "scopes": ["read"]}
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_working(user_client, user):
    token, secret = services.api_token_create(user=user, name="script")
    response = user_client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert _me(secret).status_code == 401


def test_nobody_revokes_another_persons_token(user_client):
    from tests.factories import UserFactory

    other = UserFactory()
    token, secret = services.api_token_create(user=other, name="van een ander")
    user_client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert _me(secret).status_code == 200


@pytest.mark.parametrize(
    "secret",
    ["brg_forged", "not-even-our-prefix", "brg_" + "x" * 500, "", "brg_ünïcödé", "' OR 1=1 --"],
)
def test_forged_and_malformed_tokens_get_401_with_detail(db, secret):
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_an_expired_token_gets_401(user):
    token, secret = services.api_token_create(user=user, name="oud", expires_in_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _me(secret).status_code == 401


def test_a_deactivated_persons_token_gets_401(user):
    _token, secret = services.api_token_create(user=user, name="script")
    user.is_active = False
    user.save()
    assert _me(secret).status_code == 401


def test_create_api_token_command_prints_a_working_token(user, capsys):
    call_command("create_api_token", user.email.upper())
    secret = capsys.readouterr().out.strip()
    assert _me(secret).status_code == 200


def test_create_api_token_command_with_an_unknown_email_fails_clearly(db):
    with pytest.raises(CommandError, match="No account"):
        call_command("create_api_token", "niemand@voorbeeld.nl")


# Scopes -----------------------------------------------------------------------------------


def test_a_read_only_token_reads_but_a_write_gets_403_and_writes_nothing(user):
    _token, secret = services.api_token_create(user=user, name="lezer", scopes=["read"])
    assert _me(secret).status_code == 200
    response = _post_organisation(secret)
    assert response.status_code == 403
    assert "read" in response.json()["detail"] and "write" in response.json()["detail"]
    assert not Organisation.objects.filter(name="Stichting Samen Sterk").exists()


def test_a_token_with_both_scopes_writes(user):
    _token, secret = services.api_token_create(user=user, name="schrijver")
    assert _post_organisation(secret).status_code == 201
    assert Organisation.objects.filter(name="Stichting Samen Sterk").exists()


def test_a_write_only_token_cannot_read(user):
    _token, secret = services.api_token_create(user=user, name="invoer", scopes=["write"])
    response = _me(secret)
    assert response.status_code == 403 and "detail" in response.json()


def test_the_session_is_not_limited_by_scopes(user_client):
    response = user_client.post(
        "/api/v1/organisations", json.dumps({"name": "Buurtkracht"}), "application/json"
    )
    assert response.status_code == 201


def test_the_request_carries_the_tokens_scopes(user):
    _token, secret = services.api_token_create(user=user, name="lezer", scopes=["read"])
    request = RequestFactory().get("/api/v1/me")
    assert BearerTokenAuth().authenticate(request, secret) == user
    assert request.auth_scopes == frozenset({"read"})


@pytest.mark.parametrize("scopes", [[], ["admin"], ["read", "delete"]])
def test_unknown_or_no_scopes_are_refused(user, scopes):
    with pytest.raises(services.ValidationError):
        services.api_token_create(user=user, name="raar", scopes=scopes)
    assert not ApiToken.objects.exists()


def test_the_account_page_makes_a_read_only_token_and_shows_scopes_and_last_use(
    recent_client, user
):
    response = recent_client.post(
        "/accounts/tokens/", {"name": "Rapport", "expires_in_days": "", "scopes": ["read"]}
    )
    assert response.status_code == 200
    assert ApiToken.objects.get(user=user).scopes == "read"
    _me(response.context["new_secret"])
    page = recent_client.get("/accounts/profile/").content.decode()
    assert 'data-testid="token-scopes" data-scopes="read"' in page
    last_used = re.search(r'data-testid="token-last-used">([^<]*)<', page).group(1)
    assert str(timezone.localdate().year) in last_used


def test_the_account_page_refuses_a_token_without_scopes(recent_client):
    response = recent_client.post("/accounts/tokens/", {"name": "Niets", "expires_in_days": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [([], "read write"), (["--scope", "read"], "read"), (["--scope", "write"], "write")],
)
def test_create_api_token_command_takes_scopes(user, arguments, expected):
    call_command("create_api_token", user.email, *arguments, stdout=io.StringIO())
    assert ApiToken.objects.get(user=user).scopes == expected


def test_create_api_token_command_refuses_an_unknown_scope(user):
    with pytest.raises(CommandError):
        call_command("create_api_token", user.email, "--scope", "admin")


# Revocation -------------------------------------------------------------------------------


def test_changing_the_password_revokes_every_token(client, user, password):
    _token, secret = services.api_token_create(user=user, name="script")
    sign_in(client, user.email, password)
    assert _me(secret).status_code == 200  # signing in (and any rehash) keeps tokens
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": password,
            "password1": "Nieuw-wachtwoord-2025",
            "password2": "Nieuw-wachtwoord-2025",
        },
    )
    assert response.status_code == 302
    assert _me(secret).status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()


def test_resetting_the_password_revokes_every_token(client, user):
    _token, secret = services.api_token_create(user=user, name="script")
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    form_page = client.get(link.group(1), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": "Nieuw-wachtwoord-2025", "password2": "Nieuw-wachtwoord-2025"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password("Nieuw-wachtwoord-2025")
    assert _me(secret).status_code == 401


def test_a_password_set_anywhere_else_revokes_tokens_too(user):
    """The admin and `manage.py changepassword` call set_password and save."""
    _token, secret = services.api_token_create(user=user, name="script")
    user.set_password("Nieuw-wachtwoord-2025")
    user.save()
    assert _me(secret).status_code == 401


def test_deleting_the_account_revokes_its_tokens(user_client, user, password):
    _token, secret = services.api_token_create(user=user, name="script")
    user_client.post("/accounts/delete/", {"password": password, "confirm": "on"})
    assert _me(secret).status_code == 401


# Recent authentication --------------------------------------------------------------------


def test_making_a_token_in_an_old_session_asks_for_the_password_first(recent_client, password):
    session = recent_client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= allauth_settings.REAUTHENTICATION_TIMEOUT + 1
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()

    response = recent_client.post("/accounts/tokens/", TOKEN_FORM)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/reauthenticate/")
    assert not ApiToken.objects.exists()

    # After the password, allauth replays the request: the token is made, once.
    done = recent_client.post(response.url, {"password": password}, follow=True)
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    assert "brg_" in done.content.decode()
    assert ApiToken.objects.count() == 1


def test_a_forced_sign_in_without_any_authentication_record_is_asked_too(user_client):
    response = user_client.post("/accounts/tokens/", TOKEN_FORM)
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response.url
    assert not ApiToken.objects.exists()
