"""Staying up when a service fails (docs/operations.md, When a service is down).

The Redis tests start their own redis-server, point the cache, the channel layer and the
Celery broker at it, use it, then really stop it. The database tests point the connection
at a closed port: a real failed connection, not a mocked view.
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
from pathlib import Path
from types import ModuleType

import pytest
from django.db import connections, transaction
from django.test import Client, override_settings
from django.utils.translation import gettext

from config.after_commit import on_commit_safe
from config.cache import redis_caches
from matching.models import Need
from network.models import Membership
from tests.factories import DEFAULT_PASSWORD, OrganisationFactory, UserFactory, member_user
from tests.matching.factories import NeedFactory
from tests.messaging.test_reliability import throwaway_redis  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "network", "matching", "messaging")


@contextlib.contextmanager
def celery_broker(url: str):
    """Celery publishes to `url` for real (not in-process) while inside."""
    from config.celery import app

    saved = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}

    def reset_pools() -> None:
        if app.amqp._producer_pool is not None:
            app.amqp._producer_pool.force_close_all()
        app.amqp._producer_pool = None
        app._pool = None

    app.conf.task_always_eager = False
    app.conf.broker_url = url
    reset_pools()
    try:
        yield app
    finally:
        reset_pools()
        app.conf.update(saved)


def _services_on(url: str):
    layers = {
        "default": {
            "BACKEND": "messaging.layers.PubSubChannelLayer",
            "CONFIG": {"hosts": [url]},
        }
    }
    return override_settings(CACHES=redis_caches(url), CHANNEL_LAYERS=layers)


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_sign_in_pages_api_and_writes_keep_working(throwaway_redis):  # noqa: F811
    organisation = OrganisationFactory()
    user = member_user(organisation, role=Membership.Role.ADMIN, email="demo.redis@voorbeeld.nl")
    need = NeedFactory(organisation=organisation, status=Need.Status.CLOSED)

    with _services_on(throwaway_redis.url), celery_broker(throwaway_redis.url):
        # Redis up: the sign-in writes allauth's rate-limit history into it.
        assert Client().post(
            "/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD}
        ).status_code in (302, 303)

        throwaway_redis.stop()

        client = Client()
        signed_in = client.post(
            "/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD}
        )
        assert signed_in.status_code == 302, signed_in.content[:500]
        assert client.get("/").status_code == 200
        assert client.get("/organisations/").status_code == 200
        me = client.get("/api/v1/me")
        assert me.status_code == 200
        assert me.json()["email"] == user.email

        # The need is reopened and committed; the refresh task cannot be queued (the broker
        # is down), which is logged, and the person is sent on as usual, quickly.
        started = time.monotonic()
        reopened = client.post(f"/needs/{need.ref}/close/")
        assert reopened.status_code == 302
        assert time.monotonic() - started < 10
        need.refresh_from_db()
        assert need.status == Need.Status.OPEN

        health = client.get("/api/v1/health")
        assert health.status_code == 503
        body = health.json()
        assert body["status"] == "degraded"
        assert body["database"]["status"] == "ok"
        assert body["channel_layer"]["status"] == "error"
        assert body["cache"]["status"] == "error"


def test_the_cache_fails_open_and_says_so_once(caplog):
    from django.core.cache import caches

    with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{_closed_port()}/0")):
        cache = caches["default"]
        started = time.monotonic()
        assert cache.get("missing", "default") == "default"
        cache.set("key", 1)
        assert cache.add("key", 1) is True
        assert cache.incr("counter") == 1
        assert cache.get_many(["a", "b"]) == {}
        assert cache.delete("key") is False
        assert time.monotonic() - started < 5
    warnings = [r for r in caplog.records if r.name == "config.cache"]
    assert len(warnings) <= 1


def test_the_cache_keeps_one_client_and_answers_again_after_redis_restarts(
    throwaway_redis,  # noqa: F811
):
    from django.core.cache import caches

    with override_settings(CACHES=redis_caches(throwaway_redis.url)):
        cache = caches["default"]
        cache.set("kept", "voor")
        client = cache._cache.get_client()
        assert cache._cache.get_client(write=True) is client  # not one per operation
        throwaway_redis.stop()
        assert cache.get("kept", "weg") == "weg"  # down: a miss, no error
        throwaway_redis.start()
        cache.set("kept", "na")
        assert cache.get("kept") == "na"  # the same client, reconnected
        assert cache._cache.get_client() is client


def test_health_names_the_cache_when_it_loses_writes(client, db):
    with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{_closed_port()}/0")):
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["cache"]["status"] == "error"
    assert set(response.json()) >= {"status", "database", "channel_layer", "cache"}


def test_a_failing_side_effect_after_commit_is_logged_and_the_next_still_runs(
    transactional_db, caplog
):
    ran = []

    def broker_down() -> None:
        raise ConnectionError("broker down")

    with transaction.atomic():
        on_commit_safe(broker_down)
        on_commit_safe(lambda: ran.append("next"))
    assert ran == ["next"]
    assert "broker down" in caplog.text


def test_app_code_has_no_plain_on_commit():
    """Side effects after commit go through config.after_commit.on_commit_safe, so a failing
    one is logged and never turns a committed write into a 500."""
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"transaction\.on_commit\(|\bon_commit\(", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# PostgreSQL (or SQLite) unreachable ---------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def database_down():
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    else:
        connection.settings_dict["NAME"] = "/nonexistent/bruggen/db.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.parametrize(("signed_in", "path"), [(False, "/initiatives/"), (True, "/needs/")])
def test_pages_answer_503_in_dutch_without_a_trace_when_the_database_is_down(
    transactional_db, signed_in, path
):
    client = Client(raise_request_exception=False)
    if signed_in:
        client.force_login(UserFactory())
    with database_down():
        response = client.get(path)
    assert response.status_code == 503
    text = response.content.decode()
    assert gettext("Bruggen is unavailable for a moment") in text
    assert "Traceback" not in text
    assert "OperationalError" not in text
    assert response["Retry-After"]


@pytest.mark.parametrize(
    ("signed_in", "path"), [(False, "/api/v1/organisations"), (True, "/api/v1/me")]
)
def test_the_api_answers_503_json_when_the_database_is_down(transactional_db, signed_in, path):
    client = Client(raise_request_exception=False)
    if signed_in:
        client.force_login(UserFactory())
    with database_down():
        response = client.get(path)
    assert response.status_code == 503
    assert "detail" in response.json()


def test_health_answers_503_naming_the_database(transactional_db):
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["database"]["status"] == "error"


def test_a_bug_still_answers_a_plain_500_page(transactional_db, settings):
    """Anything but a database outage keeps its 500 (rendered without the database)."""
    from django.urls import path

    from config import urls

    def broken(request):
        raise RuntimeError("a bug")

    broken_urls = ModuleType("broken_urls")
    broken_urls.urlpatterns = [path("broken/", broken), *urls.urlpatterns]
    broken_urls.handler500 = urls.handler500
    settings.ROOT_URLCONF = broken_urls
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert gettext("Something went wrong") in response.content.decode()
