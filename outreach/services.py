"""Writes for key figures' reach: make and withdraw an invitation, record a response.
See docs/outreach.md."""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from messaging.limits import window_count
from network.models import Initiative
from outreach.models import FlyerLanguage, Invitation, InvitationResponse
from outreach.permissions import can_manage_invitation, key_figure_of

logger = logging.getLogger(__name__)

# An activity lies at most this far ahead; the invitation ends the day after it starts.
ACTIVITY_MAX_DAYS_AHEAD = 90
OPEN_AFTER_START = timedelta(days=1)


class ResponseRefused(ValidationError):
    """A response that cannot be recorded; its message says why, for the person."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(invitation: Invitation) -> str:
    """The link's secret: an HMAC of the invitation's nonce under the SECRET_KEY (32 bytes,
    URL-safe). Only its hash is stored; rotating SECRET_KEY ends every printed link."""
    digest = salted_hmac(
        "outreach.invitation.link", invitation.link_nonce, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def invitation_link(invitation: Invitation) -> str:
    """The absolute link printed on the flyer and in its QR code."""
    return settings.BRUGGEN_BASE_URL.rstrip("/") + reverse(
        "outreach:respond", args=[invitation_token(invitation)]
    )


@transaction.atomic
def invitation_create(
    *,
    actor,
    initiative: Initiative,
    title: str,
    starts_at: datetime,
    place: str,
    language: str = FlyerLanguage.NL,
    note: str = "",
) -> Invitation:
    """A key figure invites people to an activity of `initiative`; open until the day after
    the activity starts."""
    key_figure = key_figure_of(actor)
    if key_figure is None:
        raise PermissionDenied(_("Only key figures can invite people to an activity."))
    if initiative.status == Initiative.Status.FINISHED:
        raise ValidationError(
            {"initiative": _("This initiative has finished; choose one that is still going.")}
        )
    now = timezone.now()
    if starts_at <= now:
        raise ValidationError({"starts_at": _("The activity must be in the future.")})
    if starts_at > now + timedelta(days=ACTIVITY_MAX_DAYS_AHEAD):
        raise ValidationError(
            {
                "starts_at": _("The activity can be at most %(days)d days ahead.")
                % {"days": ACTIVITY_MAX_DAYS_AHEAD}
            }
        )
    invitation = Invitation(
        key_figure=key_figure,
        initiative=initiative,
        title=title.strip(),
        starts_at=starts_at,
        place=place.strip(),
        note=note.strip(),
        language=language,
        link_nonce=secrets.token_hex(16),
        created_at=now,
        expires_at=starts_at + OPEN_AFTER_START,
    )
    invitation.token_hash = _token_hash(invitation_token(invitation))
    invitation.full_clean()
    invitation.save()
    return invitation


@transaction.atomic
def invitation_withdraw(*, actor, invitation: Invitation) -> Invitation:
    """The key figure withdraws the invitation: its link and flyer say so from now on."""
    if not can_manage_invitation(actor, invitation):
        raise PermissionDenied(_("Only the key figure who made this invitation can withdraw it."))
    if invitation.withdrawn_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("initiative__organisation", "key_figure")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def _rate_limited(client_key: str) -> bool:
    """Count one response from this client (its address) in the current window. Fails
    open: with the cache unreachable a response is still recorded."""
    count, seconds = getattr(settings, "OUTREACH_RESPONSE_RATE_LIMIT", (10, 600))
    key = f"outreach:respond:{client_key}:{int(timezone.now().timestamp() // seconds)}"
    try:
        return window_count(key, seconds) > count
    except (RedisError, OSError) as error:  # best effort, as messaging's limits
        logger.warning("outreach: rate limit skipped, the cache is unreachable: %r", error)
        return False


@transaction.atomic
def response_record(
    *,
    invitation: Invitation,
    client_key: str,
    first_name: str = "",
    contact: str = "",
    consent: bool = False,
) -> InvitationResponse:
    """Someone says they are coming. A first name and a way to be reached are kept only
    with their consent; with neither, nothing about them is kept."""
    if invitation.is_withdrawn:
        raise ResponseRefused(_("This invitation has been withdrawn."))
    if invitation.is_expired:
        raise ResponseRefused(_("This invitation has expired."))
    first_name, contact = first_name.strip(), contact.strip()
    if (first_name or contact) and not consent:
        raise ValidationError(
            {
                "consent": _(
                    "Tick the box to let us keep your first name and how to reach you, "
                    "or leave both empty."
                )
            }
        )
    if _rate_limited(client_key):
        raise ResponseRefused(
            _("Many responses came from your connection just now. Try again in a few minutes.")
        )
    response = InvitationResponse(
        invitation=invitation,
        first_name=first_name,
        contact=contact,
        consented_at=timezone.now() if (first_name or contact) else None,
    )
    response.full_clean()
    response.save()
    return response


def responder_details_forget(*, now: datetime | None = None) -> int:
    """Responders' first names and contacts go `OUTREACH_KEEP_DETAILS_DAYS` after the
    activity started (the consent text says so); the responses stay as counts. Returns how
    many responses lost their details."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OUTREACH_KEEP_DETAILS_DAYS)
    return (
        InvitationResponse.objects.filter(invitation__starts_at__lt=cutoff)
        .exclude(first_name="", contact="")
        .update(first_name="", contact="", consented_at=None)
    )
