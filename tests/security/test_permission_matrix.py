"""The permission matrix of docs/security.md, checked cell by cell.

The table in docs/security.md (between the `matrix` markers) is the source: each row is a
request, each column an actor, each cell the outcome that actor must get. This test reads
the table and makes every request as every actor, so the document cannot drift from the
code: change a rule, and either the table or the code must change with it.

Outcomes: a status code, `login` (a redirect to the sign-in page) or `login-admin`
(a redirect to the sign-in page on the way to /admin/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from matching.models import Need
from messaging import services as messaging_services
from network.models import Membership, Person
from stories.models import Story
from tests.factories import (
    InitiativeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    member_user,
)
from tests.matching.factories import NeedFactory
from tests.sources.factories import SourceFactory

SECURITY_MD = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ACTORS = ["anonymous", "signed in", "member", "org admin", "staff"]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass(frozen=True)
class Row:
    what: str
    method: str
    path: str
    expected: dict[str, str]


def matrix_rows() -> list[Row]:
    text = SECURITY_MD.read_text(encoding="utf-8")
    table = text.split("<!-- matrix:start -->")[1].split("<!-- matrix:end -->")[0]
    lines = [line.strip() for line in table.strip().splitlines() if line.strip()]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[2:] == ACTORS, header
    rows = []
    for line in lines[2:]:
        cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        method, path = cells[1].split(" ", 1)
        rows.append(Row(cells[0], method, path, dict(zip(ACTORS, cells[2:], strict=True))))
    return rows


ROWS = matrix_rows()


@pytest.fixture
def world(db):
    organisation = OrganisationFactory(name="Stichting De Brug")
    member = member_user(organisation, name="Mila Lid")
    admin = member_user(organisation, role=Membership.Role.ADMIN, name="Anton Beheer")
    outsider = UserFactory(name="Olga Buiten")
    PersonFactory(user=outsider, name="Olga Buiten")
    staff = UserFactory(is_staff=True, is_superuser=True, name="Sam Staf")
    PersonFactory(user=staff, name="Sam Staf")
    initiative = InitiativeFactory(organisation=organisation, title="Samen koken")
    public = PersonFactory(name="Fatima Openbaar")
    members_only = PersonFactory(name="Mo Leden", visibility=Person.Visibility.MEMBERS)
    hidden = PersonFactory(name="Hanna Verborgen", visibility=Person.Visibility.HIDDEN)
    need = NeedFactory(organisation=organisation, kind=Need.Kind.VOLUNTEER)
    member_person = Person.objects.get(user=member)
    admin_person = Person.objects.get(user=admin)
    conversation = messaging_services.conversation_start(
        creator=member_person, participants=[admin_person]
    )
    sent = messaging_services.message_send(
        conversation_id=conversation.pk,
        author=member_person,
        body="Zie de foto.",
        client_id="matrix-1",
        attachments=[SimpleUploadedFile("foto.png", PNG, content_type="image/png")],
    )
    attachment = sent.message.attachments.get()
    source = SourceFactory(title="Handreiking Interetnische Contacten")
    suggestion = SourceFactory(title="Voorstel van Mila", status="pending", suggested_by=member)
    # Close-out stories asked of the member: one to answer, one sent for review.
    story = Story.objects.create(
        person=member_person,
        subject=f"need:{need.pk}",
        trigger=Story.Trigger.NEED_CLOSED,
        need=need,
        organisation=organisation,
        title=need.title,
    )
    story_sent = Story.objects.create(
        person=member_person,
        subject=f"initiative:{initiative.pk}",
        trigger=Story.Trigger.INITIATIVE_ENDED,
        initiative=initiative,
        organisation=organisation,
        title=initiative.title,
        status=Story.Status.SUBMITTED,
        what_worked="Samen koken.",
    )
    values = {
        "organisation": organisation.ref,
        "initiative": initiative.ref,
        "public": public.ref,
        "members_only": members_only.ref,
        "hidden": hidden.ref,
        "need": need.ref,
        "conversation": conversation.pk,
        "attachment": attachment.pk,
        "source": source.ref,
        "suggestion": suggestion.ref,
        "story": story.pk,
        "story_sent": story_sent.pk,
    }
    users = {
        "anonymous": None,
        "signed in": outsider,
        "member": member,
        "org admin": admin,
        "staff": staff,
    }
    return values, users


def _outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return "login-admin"
        if location.startswith("/accounts/login/"):
            return "login-admin" if "next=/admin/" in location else "login"
        return f"302 {location}"
    return str(response.status_code)


def test_each_actor_gets_what_the_matrix_says(world):
    # One world for every row (building it takes most of the time); every mismatch is
    # reported, not only the first.
    values, users = world
    clients = {}
    for actor in ACTORS:
        clients[actor] = Client()
        if users[actor] is not None:
            clients[actor].force_login(users[actor])
    mismatches = []
    for row in ROWS:
        path = row.path.format(**values)
        got = {actor: _outcome(clients[actor].generic(row.method, path)) for actor in ACTORS}
        if got != row.expected:
            mismatches.append(f"{row.what} ({row.method} {row.path}): got {got}")
    assert mismatches == []


def test_the_matrix_covers_every_kind_of_asset():
    covered = " ".join(row.path for row in ROWS)
    for placeholder in ("{public}", "{hidden}", "{need}", "{conversation}", "{attachment}"):
        assert placeholder in covered
    assert any(row.path.startswith("/admin/") for row in ROWS)
    assert any(row.path.startswith("/api/v1/") for row in ROWS)


def test_rows_parse_as_documented():
    assert len(ROWS) >= 15
    assert all(re.fullmatch(r"GET|POST|HEAD", row.method) for row in ROWS)
