"""The worked example of docs/api.md, run against a live server: a municipality's CSV of
subsidised projects becomes initiatives, a second run changes nothing, and a project that
left the CSV is marked finished."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.services import api_token_create
from network.models import Initiative, Membership
from tests.factories import OrganisationFactory, member_user

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "examples" / "municipality_sync.py"

CSV = """ref,title,status,started,ended,municipality,themes,summary
utrecht-2024-001,Taalcafé Overvecht,running,2024-02-01,,Utrecht,language;dialogue,Elke week samen Nederlands praten.
utrecht-2024-002,Buurtmaaltijd Kanaleneiland,idea,,,utrecht,food,Buren koken voor elkaar.
"""


def run(live_server, token: str, csv_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            str(csv_path),
            "--url",
            live_server.url,
            "--organisation",
            "gemeente-utrecht",
        ],
        env={**os.environ, "BRUGGEN_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_the_municipality_script_creates_updates_and_finishes_idempotently(live_server, tmp_path):
    organisation = OrganisationFactory(ref="gemeente-utrecht", name="Gemeente Utrecht")
    user = member_user(organisation, role=Membership.Role.ADMIN)
    _token, secret = api_token_create(user=user, name="sync")
    csv_path = tmp_path / "projects.csv"
    csv_path.write_text(CSV, encoding="utf-8")

    # A read-only token: the script says why and nothing is written.
    _token, read_only = api_token_create(user=user, name="read", scopes=("read",))
    refused = run(live_server, read_only, csv_path)
    assert refused.returncode == 1
    assert "403" in refused.stderr and "read" in refused.stderr
    assert not Initiative.objects.filter(ref__startswith="utrecht-").exists()

    first = run(live_server, secret, csv_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "created: 2, updated: 0, unchanged: 0, finished: 0"
    taalcafe = Initiative.objects.get(ref="utrecht-2024-001")
    assert taalcafe.organisation == organisation
    assert sorted(t.pk for t in taalcafe.themes.all()) == ["dialogue", "language"]

    again = run(live_server, secret, csv_path)
    assert again.stdout.strip() == "created: 0, updated: 0, unchanged: 2, finished: 0"

    csv_path.write_text(
        CSV.splitlines()[0] + "\n" + CSV.splitlines()[1].replace("running", "finished") + "\n",
        encoding="utf-8",
    )
    third = run(live_server, secret, csv_path)
    assert third.stdout.strip() == "created: 0, updated: 1, unchanged: 0, finished: 1"
    assert Initiative.objects.get(ref="utrecht-2024-002").status == "finished"
    assert run(live_server, secret, csv_path).stdout.strip() == (
        "created: 0, updated: 0, unchanged: 1, finished: 0"
    )
