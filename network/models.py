"""Who is who: organisations, people, initiatives (the knowledge bank), funds and the
taxonomies of docs/contracts.md §2. See docs/network.md."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

REF_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}\Z")
ref_validator = RegexValidator(
    REF_PATTERN,
    _(
        "A ref is 1 to 80 characters: lowercase letters, digits, '.', '_' and '-', starting with a letter or digit."
    ),
)


class Taxonomy(models.Model):
    """A fixed vocabulary (docs/contracts.md §2): the slug is the stable key, names are per language."""

    slug = models.SlugField(primary_key=True, max_length=40)
    name_nl = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    name_ar = models.CharField(max_length=100, blank=True, default="")
    name_tr = models.CharField(max_length=100, blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        """The one rule for a taxonomy label (docs/languages.md): the name in `language`
        (default: the active language); an empty Arabic or Turkish name falls back to
        English, any other language to Dutch."""
        code = (language or get_language() or "nl").split("-")[0]
        if code in ("ar", "tr"):
            return getattr(self, f"name_{code}") or self.name_en
        return self.name_en if code == "en" else self.name_nl


class Theme(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class TargetGroup(Taxonomy):
    """A community an initiative works with or a person has experience with; never a
    person's own ethnicity or religion."""

    class Meta(Taxonomy.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class SuccessFactor(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("success factor")
        verbose_name_plural = _("success factors")


class Obstacle(Taxonomy):
    """What stood in a project's way, as the brochure names it (network.taxonomies.OBSTACLES);
    reported in close-out stories (docs/stories.md)."""

    class Meta(Taxonomy.Meta):
        verbose_name = _("obstacle")
        verbose_name_plural = _("obstacles")


class Role(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("role")
        verbose_name_plural = _("roles")


class Language(Taxonomy):
    """An ISO 639 language: two letters where one exists, else three."""

    class Meta(Taxonomy.Meta):
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["position", "name_nl"]


class Municipality(models.Model):
    slug = models.SlugField(primary_key=True, max_length=60)
    name = models.CharField(max_length=100, unique=True)
    province = models.CharField(max_length=60, default="Utrecht")
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Referenced(models.Model):
    """Every organisation, person, initiative, need and fund has a stable `ref` (§1)."""

    ref = models.CharField(max_length=80, unique=True, validators=[ref_validator])
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class RetiredRef(models.Model):
    """Refs of deleted records: a ref is never reused (docs/contracts.md §1)."""

    ref = models.CharField(max_length=80, primary_key=True)
    kind = models.CharField(max_length=20)
    retired_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.ref


class Organisation(Referenced):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        PROVINCE = "province", _("Province")
        WELFARE = "welfare", _("Welfare organisation")
        SELF_ORGANISATION = "self_organisation", _("Migrant self-organisation")
        SCHOOL = "school", _("School")
        SPORTS_CLUB = "sports_club", _("Sports club")
        CULTURAL = "cultural", _("Cultural organisation")
        RELIGIOUS = "religious", _("Religious organisation")
        FUND = "fund", _("Fund")
        COMPANY = "company", _("Company")
        KNOWLEDGE_INSTITUTE = "knowledge_institute", _("Knowledge institute")
        VOLUNTEER_CENTRE = "volunteer_centre", _("Volunteer centre")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True, max_length=300)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True)
    target_groups = models.ManyToManyField(TargetGroup, verbose_name=_("target groups"), blank=True)
    languages = models.ManyToManyField(Language, verbose_name=_("languages"), blank=True)
    offers = models.TextField(
        _("what we offer partners"),
        blank=True,
        help_text=_("Rooms, volunteers, a network in a community, knowledge, funding…"),
    )
    open_to_matching = models.BooleanField(_("open to matching"), default=True)
    verified = models.BooleanField(_("verified"), default=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # The folded name and its skeleton, written by network.search.search_vectors_refresh.
    search_name = models.TextField(default="", editable=False)
    search_key = models.TextField(default="", editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(Referenced):
    """A person's profile: of a user, or imported before its person has an account (then
    claimed through an emailed link)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        MEMBERS = "members", _("Signed-in members")
        HIDDEN = "hidden", _("Only me (and platform staff)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(
        _("email address"),
        blank=True,
        help_text=_("For an imported profile: where the link to claim it goes."),
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True)
    languages = models.ManyToManyField(Language, verbose_name=_("languages"), blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True)
    target_groups = models.ManyToManyField(
        TargetGroup,
        verbose_name=_("target groups I have experience with"),
        blank=True,
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    bio = models.TextField(_("about me"), blank=True)
    looking_for = models.TextField(_("what I am looking for"), blank=True)
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week available"), null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    mentor_capacity = models.PositiveSmallIntegerField(
        _("how many people I can mentor at once"), default=0, validators=[MaxValueValidator(20)]
    )
    visibility = models.CharField(
        _("who sees my profile"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    open_to_matching = models.BooleanField(_("open to proposals"), default=True)
    organisations = models.ManyToManyField(
        Organisation, through="Membership", related_name="people", blank=True
    )
    search_vector = SearchVectorField(null=True, editable=False)
    # The folded name and its skeleton, written by network.search.search_vectors_refresh.
    search_name = models.TextField(default="", editable=False)
    search_key = models.TextField(default="", editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["visibility"], name="person_visibility_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organisation} ({self.role})"


class Invitation(models.Model):
    """An invitation by email to join an organisation; the invitee accepts it signed in."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class Fund(Referenced):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True, max_length=300)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True)
    target_groups = models.ManyToManyField(TargetGroup, verbose_name=_("target groups"), blank=True)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Initiative(Referenced):
    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    title = models.CharField(_("title"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiatives",
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partner organisations"), blank=True, related_name="partner_in"
    )
    leader = models.ForeignKey(
        Person,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_initiatives",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100, blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True)
    target_groups = models.ManyToManyField(TargetGroup, verbose_name=_("target groups"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started = models.DateField(_("started"), null=True, blank=True)
    ended = models.DateField(_("ended"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    results = models.TextField(_("results"), blank=True)
    success_factors = models.ManyToManyField(
        SuccessFactor, verbose_name=_("success factors"), blank=True
    )
    obstacles = models.TextField(_("obstacles"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    funders = models.ManyToManyField(
        Fund, verbose_name=_("funders"), blank=True, related_name="initiatives"
    )
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["status"], name="initiative_status_idx"),
            models.Index(fields=["-updated_at"], name="initiative_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.started and self.ended and self.ended < self.started:
            raise ValidationError({"ended": _("The end date lies before the start date.")})


class Block(models.Model):
    """One person blocks another: no new messages from them, no proposals between them."""

    blocker = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"
