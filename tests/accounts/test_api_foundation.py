from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_channel_layer(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["channel_layer"]["status"] == "ok"


def test_health_says_degraded_with_503_when_the_channel_layer_is_down(client, monkeypatch):
    from config import health

    async def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(health, "_channel_layer_round_trip", broken)
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["channel_layer"]["status"] == "error"
    assert body["database"]["status"] == "ok"


def test_me_needs_authentication(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_me_with_the_session_cookie(user_client, user):
    body = user_client.get("/api/v1/me").json()
    assert body["email"] == user.email
    assert "person" in body


def test_unsafe_methods_with_the_session_need_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/v1/me", data="{}", content_type="application/json")
    assert response.status_code in (403, 405)
    assert "detail" in response.json()


def test_unknown_api_paths_answer_json_404(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/health" in schema["paths"]
    assert "/api/v1/me" in schema["paths"]
