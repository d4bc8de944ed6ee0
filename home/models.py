"""The guided start's progress, one row per person who began it (docs/home.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """What brings someone to Bruggen; more than one may apply."""

    PROJECT = "project", _("I run a project, or I am starting one")
    VOLUNTEER = "volunteer", _("I want to volunteer")
    KEY_FIGURE = "key_figure", _("I am a key figure in my community")
    MENTOR = "mentor", _("I can mentor others")
    FUNDER = "funder", _("I work for a municipality or a fund")


# The network role (docs/contracts.md §2) each purpose gives; FUNDER gives none: it is about an
# organisation, not a person's role.
PURPOSE_ROLES = {
    Purpose.PROJECT: "project_leader",
    Purpose.VOLUNTEER: "volunteer",
    Purpose.KEY_FIGURE: "key_figure",
    Purpose.MENTOR: "mentor",
}


class Step(models.TextChoices):
    PURPOSE = "purpose", _("What brings you here")
    PROFILE = "profile", _("About you")
    ORGANISATION = "organisation", _("Your organisation")
    NEXT = "next", _("Your next step")


class GuidedStart(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guided_start"
    )
    purposes = models.JSONField(default=list, blank=True)
    step = models.CharField(max_length=20, choices=Step.choices, default=Step.PURPOSE)
    # What was typed in the current step but not saved to the profile (left half-way, or
    # not valid yet): shown again when the person comes back.
    draft = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("guided start")
        verbose_name_plural = _("guided starts")

    def __str__(self) -> str:
        return f"{self.user} at {self.step}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None and self.dismissed_at is None

    def steps(self) -> list[str]:
        """The steps for these purposes, in order."""
        purposes = set(self.purposes)
        steps = [Step.PURPOSE.value]
        if purposes & {Purpose.PROJECT, Purpose.VOLUNTEER, Purpose.KEY_FIGURE, Purpose.MENTOR}:
            steps.append(Step.PROFILE.value)
        if purposes & {Purpose.PROJECT, Purpose.FUNDER}:
            steps.append(Step.ORGANISATION.value)
        steps.append(Step.NEXT.value)
        return steps
