"""Sign-up asks for the name others see; the new profile carries it."""

from __future__ import annotations

import pytest

from accounts.models import User
from network.models import Person

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
PASSWORD = "Brug-naar-Overvecht-2024"


def _signup(client, name, email="nieuw@voorbeeld.nl"):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    if name is not None:
        data["name"] = name
    return client.post(SIGNUP, data)


def test_the_signup_form_asks_for_the_name_first(client):
    page = client.get(SIGNUP).content.decode()
    assert "Je naam" in page
    assert page.index('name="name"') < page.index('name="email"')
    assert 'autocomplete="name"' in page


@pytest.mark.parametrize("name", ["Özdemir", "Aminata N'Diaye", "عائشة", "Nguyễn Văn An"])
def test_signup_keeps_a_unicode_name_and_gives_the_profile_that_name(client, name):
    response = _signup(client, f"  {name}  ")
    assert response.status_code == 302
    user = User.objects.get()
    assert user.name == name
    assert Person.objects.get(user=user).name == name


def test_signup_collapses_inner_whitespace(client):
    _signup(client, "Fatima \t  El\u00a0Amrani")
    assert User.objects.get().name == "Fatima El Amrani"


def test_signup_lands_on_the_guided_start(client):
    response = _signup(client, "Sanne")
    assert response.url == "/start/"
    assert client.get(response.url).url == "/start/purpose/"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (None, "Vul je naam in."),
        ("   ", "Vul je naam in."),
        ("x" * 101, "100"),
        ("Ann\u202eeilenna", "Er staat een teken in je naam dat niet mag."),
        ("Ann\x00a", "Null-tekens zijn niet toegestaan."),
        ("Ann\x07a", "Er staat een teken in je naam dat niet mag."),
        ("...", "Vul je naam in met letters."),
    ],
)
def test_signup_refuses_a_missing_or_bad_name_and_writes_nothing(client, name, message):
    response = _signup(client, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()
    assert not Person.objects.exists()
