from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def _current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def _activate_totp(client, password: str) -> str:
    # Turning on MFA is a sensitive change: allauth asks for the password again first.
    first = client.get("/accounts/2fa/totp/activate/")
    assert first.status_code == 302 and "/accounts/reauthenticate/" in first.url
    client.post("/accounts/reauthenticate/", {"password": password})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": _current_code(secret)})
    assert response.status_code == 302
    return secret


def test_a_person_turns_on_totp_and_gets_recovery_codes(client, user, password):
    sign_in(client, user.email, password)
    _activate_totp(client, password)
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert "Aan (authenticator-app)" in client.get("/accounts/profile/").content.decode()


def test_a_wrong_code_does_not_turn_on_totp(client, user, password):
    sign_in(client, user.email, password)
    client.post("/accounts/reauthenticate/", {"password": password})
    client.get("/accounts/2fa/totp/activate/")
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000x"})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()


def test_sign_in_with_totp_on_asks_for_the_code(client, user, password):
    sign_in(client, user.email, password)
    secret = _activate_totp(client, password)
    client.post("/accounts/logout/")

    response = sign_in(client, user.email, password)
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_recovery_code_signs_in_once(client, user, password):
    sign_in(client, user.email, password)
    _activate_totp(client, password)
    page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = re.findall(r"\b[0-9a-f]{8}\b", page)
    assert codes
    client.post("/accounts/logout/")

    sign_in(client, user.email, password)
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post("/accounts/logout/")

    sign_in(client, user.email, password)
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert "_auth_user_id" not in client.session
