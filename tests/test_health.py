"""Liveness touches nothing; readiness checks, keeps its result a few seconds, and recovers
(config/health.py; docs/operations.md, Health checks)."""

from __future__ import annotations

import pytest
from django.test import Client

from config import health
from tests.test_resilience import database_down

LIVE = "/api/v1/health/live"
READY = "/api/v1/health/ready"


@pytest.fixture
def counted(monkeypatch) -> dict[str, int]:
    """Counts the calls of each readiness check (the checks themselves still run)."""
    calls = {"database": 0, "channel_layer": 0, "cache": 0}
    for name in calls:
        real = getattr(health, f"_{name}_state")

        def wrapper(real=real, name=name):
            calls[name] += 1
            return real()

        monkeypatch.setattr(health, f"_{name}_state", wrapper)
    return calls


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(health, "_clock", lambda: now[0])
    return now


def test_liveness_touches_neither_the_database_nor_the_checks(
    client, db, counted, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(LIVE)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert counted == {"database": 0, "channel_layer": 0, "cache": 0}


def test_liveness_answers_200_with_the_database_down(transactional_db):
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get(LIVE)
        ready = client.get(READY)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert ready.status_code == 503  # the same outage that readiness sees


@pytest.mark.parametrize("path", [READY, "/api/v1/health"])
def test_readiness_checks_once_per_window(client, db, counted, clock, path):
    first = client.get(path)
    clock[0] += health.READINESS_SECONDS - 0.5
    second = client.get(path)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["status"] == "ok"
    assert counted == {"database": 1, "channel_layer": 1, "cache": 1}


def test_health_and_readiness_share_one_result(client, db, counted, clock):
    assert client.get(READY).json() == client.get("/api/v1/health").json()
    assert counted == {"database": 1, "channel_layer": 1, "cache": 1}


def test_readiness_names_what_is_down_and_recovers_after_the_window(
    client, db, counted, clock, monkeypatch
):
    real_round_trip = health._channel_layer_round_trip

    async def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(health, "_channel_layer_round_trip", broken)
    down = client.get(READY)
    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "degraded"
    assert body["channel_layer"] == {
        "status": "error",
        "backend": body["channel_layer"]["backend"],
        "error": "ConnectionError",
    }
    assert body["database"]["status"] == body["cache"]["status"] == "ok"

    # Back up, but within the window the kept answer stands...
    monkeypatch.setattr(health, "_channel_layer_round_trip", real_round_trip)
    clock[0] += 1
    assert client.get(READY).status_code == 503
    assert counted["channel_layer"] == 1

    # ...and after it, readiness checks again and recovers.
    clock[0] += health.READINESS_SECONDS
    up = client.get(READY)
    assert up.status_code == 200
    assert up.json()["status"] == "ok"
    assert counted == {"database": 2, "channel_layer": 2, "cache": 2}


def test_concurrent_requests_during_a_check_run_it_once(db, monkeypatch):
    """Threads that ask while a check runs wait for it instead of running their own."""
    import threading

    started = threading.Event()
    release = threading.Event()
    runs = []

    def slow_check():
        runs.append(1)
        started.set()
        release.wait(5)
        return health.HealthOut(
            status="ok",
            database=health.ComponentState(status="ok", backend="test"),
            channel_layer=health.ComponentState(status="ok", backend="test"),
            cache=health.ComponentState(status="ok", backend="test"),
        )

    monkeypatch.setattr(health, "_check", slow_check)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(health.readiness())) for _ in range(8)
    ]
    threads[0].start()
    assert started.wait(5)
    for thread in threads[1:]:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)
    assert len(runs) == 1
    assert len(results) == 8
    assert all(result is results[0] for result in results)
