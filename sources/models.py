"""Kennisbronnen: the source library (publications, manuals, websites) that keeps people
from reinventing the wheel. See docs/sources.md."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import Initiative, Organisation, Referenced, SuccessFactor, TargetGroup, Theme

SUMMARY_MAX_LENGTH = 1000
# Paths under /kennisbronnen/ that a source's ref must not shadow.
RESERVED_REFS = frozenset({"suggest", "review"})
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


class WebAddressField(models.URLField):
    """A link a browser may open: http(s) only (no `javascript:`, `ftp:` or `file:`)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class Source(Referenced):
    class Kind(models.TextChoices):
        PUBLICATION = "publication", _("Publication")
        MANUAL = "manual", _("Manual")
        RESEARCH = "research", _("Research report")
        WEBSITE = "website", _("Website")
        POLICY = "policy", _("Policy document")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    title = models.CharField(_("title"), max_length=300)
    author = models.CharField(_("author or publisher"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(LATEST_YEAR)],
    )
    url = WebAddressField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("A web address that starts with https:// or http://."),
    )
    summary = models.TextField(
        _("summary"),
        max_length=SUMMARY_MAX_LENGTH,
        blank=True,
        help_text=_("A few sentences in plain Dutch: what is in it, and for whom."),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.PUBLICATION
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True)
    target_groups = models.ManyToManyField(TargetGroup, verbose_name=_("target groups"), blank=True)
    success_factors = models.ManyToManyField(
        SuccessFactor, verbose_name=_("success factors"), blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPROVED
    )
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suggested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggested_sources",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_sources",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, max_length=1000)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title"]
        indexes = [
            models.Index(fields=["status"], name="source_status_idx"),
            GinIndex(fields=["search_vector"], name="source_search_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="source_rejected_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.ref in RESERVED_REFS:
            raise ValidationError(
                {"ref": _("%(ref)s is a page of the library, not a ref.") % {"ref": self.ref}}
            )
        if self.status == self.Status.REJECTED and not self.rejection_reason.strip():
            raise ValidationError(
                {"rejection_reason": _("Say why the source is rejected: the suggester reads it.")}
            )
        if self.year and self.year > timezone.now().year + 1:
            raise ValidationError({"year": _("The year lies in the future.")})


class SourceLink(models.Model):
    """A source and an initiative or organisation it comes from, or that it informed."""

    class Relation(models.TextChoices):
        COMES_FROM = "comes_from", _("comes from")
        INFORMED = "informed", _("informed")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="links")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("initiative"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="source_links",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="source_links",
    )

    class Meta:
        verbose_name = _("source link")
        verbose_name_plural = _("source links")
        constraints = [
            models.CheckConstraint(
                condition=Q(initiative__isnull=True, organisation__isnull=False)
                | Q(initiative__isnull=False, organisation__isnull=True),
                name="source_link_one_target",
            ),
            models.UniqueConstraint(
                fields=["source", "relation", "initiative"],
                condition=Q(initiative__isnull=False),
                name="source_link_initiative_unique",
            ),
            models.UniqueConstraint(
                fields=["source", "relation", "organisation"],
                condition=Q(organisation__isnull=False),
                name="source_link_organisation_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_relation_display()} {self.initiative or self.organisation}"

    def clean(self) -> None:
        if (self.initiative_id is None) == (self.organisation_id is None):
            raise ValidationError(_("Link a source to an initiative or to an organisation."))
