"""The matching index is built before traffic arrives (server hooks call `index_warm()`),
so the first proposal computation does not build it; a warm-up that fails (database not
ready) is logged and the server starts anyway."""

from __future__ import annotations

import gc
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import OperationalError

from config import celery as celery_config
from matching import index as matching_index
from matching.models import Need
from matching.services import proposals as proposal_services
from network.models import Municipality, Role
from tests.factories import OrganisationFactory, PersonFactory
from tests.matching.factories import NeedFactory

GUNICORN_CONFIG = Path(__file__).resolve().parents[2] / "config" / "gunicorn.py"


def _count_builds(monkeypatch) -> list[int]:
    builds: list[int] = []
    real_build = matching_index.index_build

    def counting_build():
        builds.append(1)
        return real_build()

    monkeypatch.setattr(matching_index, "index_build", counting_build)
    return builds


def _mentor_and_need():
    utrecht = Municipality.objects.get(name="Utrecht")
    return PersonFactory(
        name="Mentor Mira",
        municipality=utrecht,
        mentor_capacity=2,
        hours_per_week=4,
        roles=[Role.objects.get(pk="mentor")],
    ), NeedFactory(organisation=OrganisationFactory(), kind=Need.Kind.MENTOR, municipality=utrecht)


@pytest.mark.django_db
def test_after_the_warm_up_the_first_proposal_computation_does_not_build(monkeypatch):
    mentor, need = _mentor_and_need()
    builds = _count_builds(monkeypatch)

    assert matching_index.index_warm() is True
    assert builds == [1]
    proposal_services.need_proposals_refresh(need=need)

    assert builds == [1]  # the warm-up's build, none for the request
    assert ("person", mentor.pk) in matching_index.index_get().slot_of


@pytest.mark.django_db
def test_without_the_warm_up_the_first_proposal_computation_builds(monkeypatch):
    """The behaviour the warm-up removes, so the test above measures something."""
    _mentor, need = _mentor_and_need()
    builds = _count_builds(monkeypatch)
    proposal_services.need_proposals_refresh(need=need)
    assert builds == [1]


@pytest.mark.django_db
def test_a_failed_warm_up_is_logged_and_the_first_use_builds(monkeypatch, caplog):
    mentor, need = _mentor_and_need()
    real_build = matching_index.index_build

    def database_not_ready():
        raise OperationalError("connection refused")

    monkeypatch.setattr(matching_index, "index_build", database_not_ready)
    with caplog.at_level(logging.ERROR, logger="matching.index"):
        assert matching_index.index_warm() is False
    assert "warm-up failed" in caplog.text
    assert "connection refused" in caplog.text

    monkeypatch.setattr(matching_index, "index_build", real_build)
    builds = _count_builds(monkeypatch)
    proposal_services.need_proposals_refresh(need=need)
    assert builds == [1]  # built on first use, as before the warm-up existed
    assert ("person", mentor.pk) in matching_index.index_get().slot_of


@pytest.fixture
def database_down(monkeypatch):
    def fail(**kwargs):
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(matching_index, "index_get", fail)


def test_gunicorn_master_starts_when_the_warm_up_fails(database_down, caplog):
    hooks = runpy.run_path(str(GUNICORN_CONFIG))
    assert hooks["preload_app"] is True  # built once in the master, shared by the workers
    with caplog.at_level(logging.ERROR, logger="matching.index"):
        master = SimpleNamespace(cfg=SimpleNamespace(preload_app=True))
        hooks["when_ready"](master)  # does not raise: the master goes on to fork
        hooks["post_worker_init"](None)
    assert caplog.text.count("warm-up failed") == 2


def test_celery_worker_starts_when_the_warm_up_fails(database_down, caplog):
    with caplog.at_level(logging.ERROR, logger="matching.index"):
        celery_config._matching_index_warm(sender=None)
    assert "warm-up failed" in caplog.text


def test_a_parent_closes_its_connections_and_freezes_before_forking(monkeypatch):
    closed: list[int] = []
    monkeypatch.setattr(matching_index, "index_get", lambda **kwargs: [])
    monkeypatch.setattr(matching_index.connections, "close_all", lambda: closed.append(1))
    try:
        assert matching_index.index_warm(before_fork=True) is True
        assert closed == [1]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
