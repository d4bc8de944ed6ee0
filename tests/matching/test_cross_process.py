"""Past one process: process A changes a profile, process B's next ranking reflects it,
and B never rebuilds its index for it. Only the change log in Redis (matching/deltas.py)
joins them, as it joins the Gunicorn, Uvicorn and Celery processes of a deployment."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from matching.models import Need
from network.models import Municipality, Role, TargetGroup, Theme
from tests.asgi_server import ROOT, database_url
from tests.factories import OrganisationFactory, PersonFactory
from tests.matching.factories import NeedFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


class Process:
    def __init__(self):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.BRUGGEN_TEST_REDIS_URL,
        }
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "tests.matching.index_process"],
            cwd=ROOT,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ready: dict = {}

    def read(self) -> dict:
        line = self.popen.stdout.readline()
        assert line, f"the index process ended (exit {self.popen.poll()})"
        return json.loads(line)

    def ask(self, **command) -> dict:
        self.popen.stdin.write(json.dumps(command) + "\n")
        self.popen.stdin.flush()
        return self.read()

    def stop(self) -> None:
        self.popen.stdin.close()
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


@pytest.fixture
def two_processes():
    if not settings.BRUGGEN_TEST_REDIS_URL:
        pytest.skip("REDIS_URL is not set: processes share the change log through Redis.")
    processes = []
    try:
        processes = [Process(), Process()]  # both start (and build) at once
        for process in processes:
            process.ready = process.read()
        yield processes
    finally:
        for process in processes:
            process.stop()


@pytest.fixture
def mentors_and_need():
    utrecht = Municipality.objects.get(name="Utrecht")
    mentor, parents, food = (
        Role.objects.get(pk="mentor"),
        TargetGroup.objects.get(pk="parents"),
        Theme.objects.get(pk="food"),
    )
    people = [
        PersonFactory(
            name=f"Mentor {i}",
            municipality=utrecht,
            roles=[mentor],
            mentor_capacity=2,
            themes=[food],
            target_groups=[parents],
            bio="Kookavonden met ouders.",
        )
        for i in range(4)
    ]
    need = NeedFactory(
        # Words the index knows from its build (it learns new ones at the nightly rebuild).
        organisation=OrganisationFactory(municipality=utrecht, offers="Fietsles voor moeders."),
        kind=Need.Kind.MENTOR,
        themes=[food],
        target_groups=[parents],
        title="Mentor voor een kookgroep",
        description="Iemand die fietsles geeft aan moeders.",
    )
    return people, need


def test_a_change_in_one_process_reaches_the_other_without_a_rebuild(
    mentors_and_need, two_processes
):
    people, need = mentors_and_need
    a, b = two_processes
    assert a.ready["builds"] == b.ready["builds"] == 1  # each built once, at start
    before = b.ask(rank=need.pk)
    assert ["person", people[0].pk] in before["ids"]

    assert a.ask(hide=people[0].pk) == {"done": True}
    after = b.ask(rank=need.pk)
    assert ["person", people[0].pk] not in after["ids"]  # B applied A's change
    assert after["builds"] == 1  # without building its index again

    # Words the need asks for, new in a profile: B ranks that mentor first now.
    assert a.ask(bio=[people[3].pk, "Kookavonden met ouders, en fietsles voor moeders."])["done"]
    again = b.ask(rank=need.pk)
    assert again["ids"][0] == ["person", people[3].pk]
    assert again["builds"] == 1
    assert a.ask(rank=need.pk)["builds"] == 1  # A applied its own change as a delta too
