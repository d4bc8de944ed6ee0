from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _me(secret: str):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})


def test_a_token_made_on_the_account_page_is_shown_once_and_works(user_client, user):
    response = user_client.post("/accounts/tokens/", {"name": "Export", "expires_in_days": "30"})
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


def test_a_token_without_a_name_is_refused(user_client):
    response = user_client.post("/accounts/tokens/", {"name": "  ", "expires_in_days": ""})
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
