from __future__ import annotations

import pytest

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_me_gives_the_person_name_and_keeps_every_field(user, user_client):
    PersonFactory(user=user, name="Hodan Warsame", ref="p-hodan")
    body = user_client.get("/api/v1/me").json()
    assert body["person_name"] == "Hodan Warsame"
    assert body["person"] == "p-hodan"
    assert body["email"] == user.email
    assert body["name"] == user.name
    assert body["is_staff"] is False
    assert body["language"] == "nl"


def test_me_without_a_profile_has_no_person_name(user_client):
    body = user_client.get("/api/v1/me").json()
    assert body["person"] is None
    assert body["person_name"] is None
