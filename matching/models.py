"""Needs, proposals and matching rounds. The engine that ranks candidates lives in
matching/engine/ (no Django); see docs/matching.md."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import (
    Initiative,
    Language,
    Municipality,
    Organisation,
    Person,
    TargetGroup,
    Theme,
    ref_validator,
)


class Need(models.Model):
    class Kind(models.TextChoices):
        PARTNER = "partner", _("Partner organisation")
        VOLUNTEER = "volunteer", _("Volunteer")
        KEY_FIGURE = "key_figure", _("Key figure")
        MENTOR = "mentor", _("Mentor")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    ref = models.CharField(max_length=80, unique=True, validators=[ref_validator])
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="needs"
    )
    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("initiative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    kind = models.CharField(_("what you are looking for"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True)
    target_groups = models.ManyToManyField(TargetGroup, verbose_name=_("target groups"), blank=True)
    languages = models.ManyToManyField(Language, verbose_name=_("languages"), blank=True)
    languages_required = models.BooleanField(
        _("one of these languages is required"),
        default=False,
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    radius_km = models.PositiveIntegerField(
        _("within (km)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10_000)],
        help_text=_("Leave empty for anywhere."),
    )
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"), null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="needs_posted"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    proposals_refreshed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "kind"], name="need_status_kind_idx")]

    def __str__(self) -> str:
        return self.title


class Proposal(models.Model):
    """A candidate proposed for a need, with the reasons, and where it stands.

    proposed → accepted by the asker → asked (the candidate has until `respond_by`) →
    matched (both said yes: an introduction) | declined | expired; or proposed → dismissed.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        DISMISSED = "dismissed", _("Dismissed")
        ASKED = "asked", _("Waiting for an answer")
        MATCHED = "matched", _("Match")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    class Feedback(models.TextChoices):
        YES = "yes", _("Yes, it worked out")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="proposals")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="proposals"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="proposals"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    rank = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    matching_round = models.ForeignKey(
        "MatchingRound", null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    asked_at = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    introduction = models.JSONField(null=True, blank=True)
    feedback_asked_at = models.DateTimeField(null=True, blank=True)
    feedback = models.CharField(max_length=10, choices=Feedback.choices, blank=True)
    feedback_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["need", "rank"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(organisation__isnull=True))
                | (Q(person__isnull=True) & Q(organisation__isnull=False)),
                name="proposal_one_candidate",
            ),
            models.UniqueConstraint(fields=["need", "person"], name="proposal_unique_person"),
            models.UniqueConstraint(
                fields=["need", "organisation"], name="proposal_unique_organisation"
            ),
        ]
        indexes = [models.Index(fields=["status", "respond_by"], name="proposal_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.candidate} for {self.need}"

    @property
    def candidate(self):
        return self.person or self.organisation

    @property
    def candidate_kind(self) -> str:
        return "person" if self.person_id else "organisation"


class MatchingRound(models.Model):
    """Staff assign many open needs at once, maximising total fit within capacities; the
    result is reviewed, then published as proposals."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of need"), max_length=20, choices=Need.Kind.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    needs = models.ManyToManyField(Need, related_name="rounds")
    assignments = models.JSONField(default=list, blank=True)
    total_score = models.FloatField(default=0)
    greedy_total_score = models.FloatField(default=0)
    unassigned = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("matching round")
        verbose_name_plural = _("matching rounds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
