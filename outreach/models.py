"""Key figures' reach: invitations to an initiative's activity and the responses they bring.
See docs/outreach.md.

What is never stored: anyone's ethnicity or religion. There are no such fields here and
tests/outreach/test_models.py fails if one appears. A response holds a first name and a way
to be reached only when the person gave them and agreed; "I'm coming" alone holds nothing
about the person at all.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import Initiative, Person


class FlyerLanguage(models.TextChoices):
    """The languages a flyer can be printed in, each named in its own script (a key figure
    picks the language of their community, not a translation of its name)."""

    NL = "nl", "Nederlands"
    EN = "en", "English"
    AR = "ar", "العربية"
    TR = "tr", "Türkçe"


class Invitation(models.Model):
    """A key figure invites people from their community to an initiative's activity.

    The invitation carries the activity (title, date and time, place): key figures usually
    bring people to a gathering they arrange with the initiative, and the initiative keeps
    no calendar on Bruggen. The link's token is not stored, only its SHA-256; the link is
    recomputed from `link_nonce` and the SECRET_KEY (outreach.services.invitation_link), so
    a copy of the database alone cannot open any invitation."""

    key_figure = models.ForeignKey(
        Person,
        verbose_name=_("key figure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reach_invitations",
    )
    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("initiative"),
        on_delete=models.CASCADE,
        related_name="reach_invitations",
    )
    title = models.CharField(_("activity"), max_length=150)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    note = models.TextField(_("a word from you"), max_length=500, blank=True)
    language = models.CharField(
        _("second language of the flyer"),
        max_length=5,
        choices=FlyerLanguage.choices,
        default=FlyerLanguage.NL,
    )
    link_nonce = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to an activity")
        verbose_name_plural = _("invitations to activities")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["key_figure", "-created_at"], name="reach_inv_kf_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.initiative})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return not self.is_withdrawn and not self.is_expired


class InvitationResponse(models.Model):
    """Someone who responded to an invitation. Without an account; the first name and the
    way to be reached are kept only with consent (a database constraint)."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="responses")
    first_name = models.CharField(_("first name"), max_length=60, blank=True)
    contact = models.CharField(_("how to reach you"), max_length=150, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(first_name="") & models.Q(contact=""))
                | models.Q(consented_at__isnull=False),
                name="reach_response_details_need_consent",
            )
        ]

    def __str__(self) -> str:
        return self.first_name or "—"
