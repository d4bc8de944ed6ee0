from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.test import Client

from config.health import forget_readiness
from tests.factories import DEFAULT_PASSWORD, UserFactory

IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(autouse=True)
def _isolated_cache():
    """allauth keeps its rate-limit counters in the cache, readiness its last result, and
    the matching index the candidates of the test that built it: every test starts from
    zero (the index is built again, from this test's database, when something ranks), and
    so do the vocabularies each process keeps (a test's renamed theme is rolled back)."""
    from matching.index import index_reset
    from network.forms import vocabularies_forget

    cache.clear()
    forget_readiness()
    index_reset()
    vocabularies_forget()
    yield
    cache.clear()
    forget_readiness()
    index_reset()
    vocabularies_forget()


@pytest.fixture(autouse=True)
def _taxonomies(request):
    """A transactional test (a live server, a real ASGI process, `transaction=True`) runs on
    a database the one before it flushed, taking the taxonomies and municipalities that a
    data migration loaded with it: put them back before the test (idempotent). The one
    place for this rule: a test that depends on the order it runs in is no test."""
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or any(mark.kwargs.get("transaction") for mark in request.node.iter_markers("django_db"))
    )
    if transactional:
        from network.taxonomies import taxonomy_sync

        request.getfixturevalue("transactional_db")
        taxonomy_sync()


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def user_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sign_in(client: Client, email: str, password: str = DEFAULT_PASSWORD):
    """Sign in through allauth's real form (which records the authentication for MFA)."""
    return client.post("/accounts/login/", {"login": email, "password": password})


def pytest_collection_modifyitems(config, items) -> None:
    """Everything under tests/e2e/ is a browser test, run in its own pytest invocation."""
    for item in items:
        if "/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
