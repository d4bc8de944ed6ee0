from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ImproperlyConfigured

from accounts import services
from accounts.checks import personal_data_plan_check
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
    services._steps.pop("test_notes", None)


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


def _noop(user) -> None:
    return None


@pytest.fixture
def steps(monkeypatch):
    """An empty registry to register steps into, as apps do from AppConfig.ready()."""
    monkeypatch.setattr(services, "_steps", {})

    def register(name: str, **order) -> None:
        services.personal_data_register(name=name, export=_noop, erase=_noop, **order)

    return register


def test_the_plan_follows_before_and_after_whatever_the_registration_order(steps):
    steps("profile")
    steps("messaging", before=("profile",))
    steps("audit", after=("profile", "messaging"))
    steps("matching", before=("profile",), after=("messaging",))
    names = [step.name for step in services.personal_data_plan()]
    assert names == ["messaging", "matching", "profile", "audit"]


def test_a_step_that_names_an_unknown_step_is_an_error(steps):
    steps("messaging", before=("profiel",))
    with pytest.raises(ImproperlyConfigured, match="profiel"):
        services.personal_data_plan()
    (error,) = personal_data_plan_check()
    assert error.id == "accounts.E001" and "profiel" in error.msg


def test_a_cycle_is_an_error_at_start_up(steps):
    steps("profile", before=("messaging",))
    steps("messaging", before=("profile",))
    with pytest.raises(ImproperlyConfigured, match="cycle"):
        services.personal_data_plan()
    (error,) = personal_data_plan_check()
    assert error.id == "accounts.E001"


def test_the_installed_apps_plan_passes_the_start_up_check():
    assert personal_data_plan_check() == []
