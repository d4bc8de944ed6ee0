"""Close-out stories: what a need, an introduction or an initiative taught the people
involved, reviewed by the organisation and merged into the knowledge bank. See
docs/stories.md."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Need, Proposal
from network.models import Initiative, Obstacle, Organisation, Person, SuccessFactor

NUMBER_LIMIT = 1_000_000


class Story(models.Model):
    """One person's close-out story about one need or one initiative.

    asked → draft (saved half-way) → submitted → approved | sent back (→ submitted again).
    """

    class Trigger(models.TextChoices):
        NEED_CLOSED = "need_closed", _("The need was closed")
        INTRODUCTION = "introduction", _("The introduction is a month old")
        INITIATIVE_ENDED = "initiative_ended", _("The initiative ended")

    class Status(models.TextChoices):
        ASKED = "asked", _("Asked")
        DRAFT = "draft", _("Saved half-way")
        SUBMITTED = "submitted", _("Waiting for review")
        SENT_BACK = "sent_back", _("Sent back")
        APPROVED = "approved", _("Approved")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="stories")
    # What the story is about, "need:<id>" or "initiative:<id>": one story per person and
    # subject, so that a closed need and its month-old introduction ask only once.
    subject = models.CharField(max_length=40, editable=False)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    # Whose admins review it; none: platform staff do.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASKED)

    what_worked = models.TextField(_("What worked well?"), blank=True)
    what_did_not = models.TextField(_("What did not work?"), blank=True)
    results = models.TextField(_("What did it bring?"), blank=True)
    participants_reached = models.PositiveIntegerField(
        _("People reached"), null=True, blank=True, validators=[MaxValueValidator(NUMBER_LIMIT)]
    )
    volunteers = models.PositiveIntegerField(
        _("Volunteers who helped"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(NUMBER_LIMIT)],
    )
    activities = models.PositiveIntegerField(
        _("Activities held"), null=True, blank=True, validators=[MaxValueValidator(NUMBER_LIMIT)]
    )
    success_factors = models.ManyToManyField(
        SuccessFactor, verbose_name=_("What helped"), blank=True, related_name="stories"
    )
    obstacles = models.ManyToManyField(
        Obstacle, verbose_name=_("What stood in the way"), blank=True, related_name="stories"
    )
    lesson = models.TextField(_("One tip for someone who starts the same thing"), blank=True)
    consent = models.BooleanField(
        _("Others may read my answers in the knowledge bank, without my name"), default=False
    )

    asked_at = models.DateTimeField(default=timezone.now)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_mailed_at = models.DateTimeField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(_("Note for the author"), blank=True)
    merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("close-out story")
        verbose_name_plural = _("close-out stories")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "subject"], name="story_one_per_subject"),
        ]
        indexes = [models.Index(fields=["status", "asked_at"], name="story_status_asked_idx")]

    def __str__(self) -> str:
        return f"{self.person}: {self.title}"

    @property
    def is_open(self) -> bool:
        """The author can still answer: asked, saved half-way or sent back."""
        return self.status in (self.Status.ASKED, self.Status.DRAFT, self.Status.SENT_BACK)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.APPROVED and self.consent
