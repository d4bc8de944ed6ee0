"""Demo reach for `make run` (network.demo.demo_step_register): Hodan Warsame, the demo's key
figure, invites people to an activity of Eet Mee! two weeks from today, and two people have
answered (one "Ik kom" only, one with consent, first name and contact). Written through the
services. See docs/outreach.md."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from network.models import Initiative
from outreach.models import FlyerLanguage, Invitation
from outreach.services import invitation_create, response_record

KEY_FIGURE_EMAIL = "hodan@demo.bruggen.nl"
INITIATIVE = "eet-mee"
TITLE = "Samen koken en eten met moeders uit de buurt"
DAYS_AHEAD = 14
CLIENT_KEY = "demo"  # the responses' "client address" for the rate limit


def demo_reach() -> str:
    """Idempotent: while Hodan's demo invitation is open nothing changes; once its activity
    has passed, the next `make run` adds a new one, so the demo always shows one upcoming."""
    user = User.objects.filter(email__iexact=KEY_FIGURE_EMAIL).first()
    initiative = Initiative.objects.filter(ref=INITIATIVE).first()
    if user is None or initiative is None:
        return ""
    now = timezone.now()
    if Invitation.objects.filter(
        key_figure__user=user, title=TITLE, withdrawn_at__isnull=True, expires_at__gt=now
    ).exists():
        return ""
    day = timezone.localtime(now) + timedelta(days=DAYS_AHEAD)
    invitation = invitation_create(
        actor=user,
        initiative=initiative,
        title=TITLE,
        starts_at=day.replace(hour=17, minute=30, second=0, microsecond=0),
        place="Buurthuis in Utrecht-West",
        language=FlyerLanguage.AR,
        note="Ik ben er ook. Neem gerust je kinderen mee.",
    )
    response_record(invitation=invitation, client_key=CLIENT_KEY)
    response_record(
        invitation=invitation,
        client_key=CLIENT_KEY,
        first_name="Amina",
        contact="06 12345678",
        consent=True,
    )
    return "1 invitation, 2 responses"
