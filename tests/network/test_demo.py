"""`load_demo` (network.demo.demo_load): the demo that `make run` shows, idempotent, with the
stories and the key figure's reach written through their services (docs/stories.md,
docs/outreach.md)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import formats, timezone, translation

from accounts.models import User
from network.models import Initiative
from outreach.models import Invitation, InvitationResponse
from stories.models import Story
from tests.markup import parse_html
from tests.network.test_import import database_snapshot

pytestmark = pytest.mark.django_db


def demo_snapshot() -> dict[str, object]:
    snapshot = database_snapshot()
    snapshot["stories"] = sorted(
        Story.objects.values_list(
            "person__ref", "subject", "status", "reviewed_at", "merged_at", "consent"
        )
    )
    snapshot["records"] = sorted(
        Initiative.objects.values_list("ref", "results", "lessons", "obstacles")
    )
    snapshot["invitations"] = sorted(
        Invitation.objects.values_list("key_figure__ref", "title", "starts_at", "token_hash")
    )
    snapshot["responses"] = sorted(
        InvitationResponse.objects.values_list("invitation__title", "first_name", "contact")
    )
    return snapshot


def _client(email: str | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    if email:
        client.force_login(User.objects.get(email=email))
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_load_demo_twice_gives_the_same_database():
    call_command("load_demo", verbosity=0)
    first = demo_snapshot()
    mails = len(mail.outbox)

    call_command("load_demo", verbosity=0)

    assert demo_snapshot() == first
    assert len(mail.outbox) == mails  # nobody is asked twice
    assert Story.objects.count() == 7
    assert Invitation.objects.count() == 1
    assert InvitationResponse.objects.count() == 2


def test_the_demo_stories_go_through_review_into_the_initiatives_records():
    call_command("load_demo", verbosity=0)

    approved = Story.objects.filter(status=Story.Status.APPROVED, consent=True)
    assert approved.count() == 5
    assert all(story.merged_at == story.reviewed_at for story in approved)
    quarters = {(s.reviewed_at.year, (s.reviewed_at.month - 1) // 3) for s in approved}
    assert len(quarters) >= 3
    assert all(s.reviewed_at <= timezone.now() for s in approved)
    assert len({s.initiative.municipality_id for s in approved}) >= 2
    bos = Initiative.objects.get(ref="bos-sportief-ijsselveld")
    assert "De buurtsportbus kwam naar de pleinen" in bos.results
    story = approved.get(initiative=bos)
    with translation.override("nl"):
        month = formats.date_format(story.reviewed_at, "F Y")
    assert story.reviewed_at < timezone.now() - timedelta(days=200)
    assert f"Uit een verhaal ({month}): De buurtsportbus" in bos.results  # dated as reviewed
    assert "Ga naar de plek waar de jongeren al zijn." in bos.lessons
    assert "role_models" in set(bos.success_factors.values_list("pk", flat=True))
    waiting = Story.objects.get(status=Story.Status.SUBMITTED)
    assert waiting.initiative.ref == "ramadanfestival"
    asked = Story.objects.get(status=Story.Status.ASKED)
    assert asked.person.user.email == "annelies@demo.bruggen.nl"


def test_after_load_demo_the_pages_show_the_stories_and_the_reach():
    call_command("load_demo", verbosity=0)

    page = parse_html(_client().get("/initiatives/overview/").content.decode())
    (section,) = [
        s for s in page.find_all("section") if s.attrs.get("data-testid") == "story-figures"
    ]
    assert "5 goedgekeurde verhalen" in section.text()
    (quarters,) = [
        t for t in section.find_all("table") if t.attrs.get("data-testid") == "stories-quarters"
    ]
    counts = [
        int(cell.text()) for row in quarters.find_all("tr")[1:] for cell in row.find_all("td")[1:2]
    ]
    assert sum(counts) == 5 and len(counts) >= 3

    html = _client().get("/initiatives/bos-sportief-ijsselveld/").content.decode()
    (stories,) = [
        s
        for s in parse_html(html).find_all("section")
        if s.attrs.get("data-testid") == "initiative-stories"
    ]
    assert "De buurtsportbus kwam naar de pleinen" in stories.text()
    assert "Dennis" not in stories.text()  # without the author's name

    home = _client("annelies@demo.bruggen.nl").get("/").content.decode()
    assert "Jouw verhaal over \u2018Eet Mee! Bij Utrecht aan tafel\u2019" in _text(home)
    home = _client("beheer@demo.bruggen.nl").get("/").content.decode()
    assert "1 verhaal wacht op jouw controle" in _text(home)

    reach = _text(_client("hodan@demo.bruggen.nl").get("/reach/").content.decode())
    assert "Samen koken en eten met moeders uit de buurt" in reach
    assert "open · 2 mensen komen" in reach
    invitation = Invitation.objects.get()
    assert timezone.now() + timedelta(days=13) < invitation.starts_at
    detail = _text(
        _client("hodan@demo.bruggen.nl").get(f"/reach/{invitation.pk}/").content.decode()
    )
    assert "Amina" in detail and "06 12345678" in detail
    figures = _text(
        _client("annelies@demo.bruggen.nl").get("/initiatives/eet-mee/reach/").content.decode()
    )
    assert "Hodan Warsame 1 2" in figures


def test_an_expired_demo_invitation_is_followed_by_an_upcoming_one():
    call_command("load_demo", verbosity=0)
    Invitation.objects.update(
        starts_at=timezone.now() - timedelta(days=20),
        expires_at=timezone.now() - timedelta(days=19),
    )

    call_command("load_demo", verbosity=0)

    assert Invitation.objects.count() == 2
    assert Invitation.objects.filter(expires_at__gt=timezone.now()).count() == 1
    assert Story.objects.count() == 7
