from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress

from accounts import services
from accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered_provider():
    """A domain app's personal data, registered as apps do from AppConfig.ready()."""
    erased: list[str] = []
    services.personal_data_register(
        name="test_notes",
        export=lambda user: [f"note by {user.email}"],
        erase=lambda user: erased.append(user.email),
    )
    yield erased
    services._providers.pop("test_notes", None)


def test_export_holds_everything_about_the_person_and_no_secrets(
    user_client, user, registered_provider
):
    _token, secret = services.api_token_create(user=user, name="rapportage-script")
    response = user_client.get("/accounts/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    data = json.loads(body)
    assert data["account"]["email"] == user.email
    assert data["account"]["name"] == user.name
    assert data["email_addresses"] == [{"email": user.email, "verified": True, "primary": True}]
    assert data["api_tokens"][0]["name"] == "rapportage-script"
    assert data["test_notes"] == [f"note by {user.email}"]
    assert secret not in body
    assert ApiToken.objects.get().key_hash not in body


def test_export_needs_a_signed_in_person(client):
    response = client.get("/accounts/export/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_delete_with_a_wrong_password_keeps_everything(user_client, user):
    response = user_client.post("/accounts/delete/", {"password": "fout", "confirm": "on"})
    assert response.status_code == 400
    assert "niet juist" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_without_confirming_keeps_everything(user_client, user, password):
    response = user_client.post("/accounts/delete/", {"password": password})
    assert response.status_code == 400
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_removes_the_account_and_personal_data_and_signs_out(
    user_client, user, password, registered_provider
):
    services.api_token_create(user=user, name="script")
    response = user_client.post("/accounts/delete/", {"password": password, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not EmailAddress.objects.filter(email=user.email).exists()
    assert not ApiToken.objects.exists()
    assert registered_provider == [user.email]
    assert "_auth_user_id" not in user_client.session
    follow = user_client.get(response.url)
    assert "verwijderd" in follow.content.decode()
