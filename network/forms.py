from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from django import forms
from django.db.models import Q
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from network.models import (
    Fund,
    Initiative,
    Language,
    Membership,
    Municipality,
    Organisation,
    Person,
    Role,
    SuccessFactor,
    TargetGroup,
    Theme,
)
from network.picker import OrganisationNamesField, pickers_bind
from network.search import vocabulary_version_seen
from network.selectors import people_visible_to
from network.services.initiatives import INITIATIVE_FIELDS
from network.services.organisations import ORGANISATION_FIELDS
from network.services.people import PERSON_FIELDS

VOCABULARY_CACHE_SECONDS = 300


class TaxonomyMultipleChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj) -> str:
        return obj.name


def _taxonomy(model, label, **kwargs):
    return TaxonomyMultipleChoiceField(
        queryset=model.objects.all(), label=label, required=False, **kwargs
    )


class SkillsField(forms.CharField):
    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        skills = [s.strip() for s in re.split(r"[,\n]+", value or "") if s.strip()]
        if len(skills) > 30:
            raise forms.ValidationError(_("At most 30 skills."))
        return [s[:80] for s in skills]


class MunicipalityChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("queryset", Municipality.objects.all())
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("— choose —"))
        kwargs.setdefault("label", _("Municipality"))
        super().__init__(**kwargs)


class OrganisationForm(forms.ModelForm):
    municipality = MunicipalityChoiceField()
    website = forms.URLField(
        label=_("Website"), required=False, max_length=300, assume_scheme="https"
    )
    themes = _taxonomy(Theme, _("Themes"))
    target_groups = _taxonomy(TargetGroup, _("Target groups"))
    languages = _taxonomy(Language, _("Languages"))

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "offers": forms.Textarea(attrs={"rows": 3}),
        }


class PersonForm(forms.ModelForm):
    municipality = MunicipalityChoiceField()
    roles = _taxonomy(Role, _("Roles"))
    languages = _taxonomy(Language, _("Languages I speak"))
    themes = _taxonomy(Theme, _("Themes"))
    target_groups = _taxonomy(TargetGroup, _("Communities I have experience with"))
    skills = SkillsField(
        label=_("Skills"),
        required=False,
        help_text=_("Separated by commas, e.g. fundraising, interpreting"),
    )

    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            "looking_for": forms.Textarea(attrs={"rows": 3}),
            "visibility": forms.RadioSelect,
        }


class InitiativeForm(forms.ModelForm):
    municipality = MunicipalityChoiceField()
    themes = _taxonomy(Theme, _("Themes"))
    target_groups = _taxonomy(TargetGroup, _("Target groups"))
    success_factors = _taxonomy(SuccessFactor, _("Success factors"))
    funders = _taxonomy(Fund, _("Funders"))
    partners = OrganisationNamesField(
        label=_("Partner organisations"),
        help_text=_("Their names, one per line."),
    )

    class Meta:
        model = Initiative
        fields = list(INITIATIVE_FIELDS)
        widgets = {
            "started": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ended": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "results": forms.Textarea(attrs={"rows": 3}),
            "obstacles": forms.Textarea(attrs={"rows": 3}),
            "lessons": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organisation: Organisation | None, viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pickers_bind(self, viewer=viewer)
        # The leader is chosen among the members the editor may see: a hidden profile is not
        # listed. When the current leader is hidden from the editor, the field is left out
        # altogether, so the editor neither sees who it is nor removes them by saving.
        leader_id = self.instance.leader_id if self.instance.pk else None
        choices = people_visible_to(viewer=viewer).filter(memberships__organisation=organisation)
        if leader_id and not choices.filter(pk=leader_id).exists():
            visible = people_visible_to(viewer=viewer).filter(pk=leader_id).exists()
            if not visible:
                del self.fields["leader"]
                return
            choices = people_visible_to(viewer=viewer).filter(
                Q(memberships__organisation=organisation) | Q(pk=leader_id)
            )
        self.fields["leader"].queryset = choices.distinct().order_by("name")
        self.fields["leader"].empty_label = _("— nobody in particular —")
        self.fields["leader"].help_text = _("A member of the organisation.")


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )


_vocabularies: dict[str, tuple[float, str | None, list]] = {}


def _rows(model) -> list:
    """The rows of a small fixed vocabulary (taxonomies, municipalities), kept in this
    process: every directory page and its filter form reads them, and they change only by
    migration or in the admin. Read again when the vocabulary version this process last
    saw (network.search.vocabulary_version_seen, read with the search generation on every
    search request) is not the one they were read under: every admin change of a
    vocabulary moves it on (`network.search.vocabularies_changed`). A page rendered in
    between may still show the old names; kept HTML is keyed by the names it shows
    (`DirectoryForm.vocabulary_stamp`), so it is never what a process with the new names
    serves. Read again at least every VOCABULARY_CACHE_SECONDS too (for when the cache is
    down)."""
    key = model._meta.label_lower
    now = time.monotonic()
    seen = vocabulary_version_seen()
    cached = _vocabularies.get(key)
    if cached is None or now - cached[0] > VOCABULARY_CACHE_SECONDS or cached[1] != seen:
        cached = _vocabularies[key] = (now, seen, list(model.objects.all()))
    return cached[2]


def vocabularies_forget() -> None:
    """Read the vocabularies again on next use, in this process (the admin calls it when
    one changes; other processes follow the vocabulary version it moves on)."""
    _vocabularies.clear()


class Choices(BaseChoiceIterator):
    """Choices that are already (value, label) pairs: a field takes them as they are
    instead of normalising every pair again for every form built (most of the cost of
    building a directory's filter form). `stamp`: what tells these pairs from another read
    of the same vocabulary (a digest of the values and names; None for fixed choices)."""

    def __init__(self, pairs, stamp: str | None = None) -> None:
        self.pairs = tuple(pairs)
        self.stamp = stamp

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


_choice_lists: dict[tuple[str, str, str], tuple[list, Choices]] = {}


def _choices(model, value: str = "pk") -> Choices:
    """A vocabulary's (value, name) pairs in the active language, built once per language
    for each read of the vocabulary (`_rows`)."""
    rows = _rows(model)
    key = (model._meta.label_lower, value, get_language() or "")
    cached = _choice_lists.get(key)
    if cached is None or cached[0] is not rows:
        pairs = [(getattr(row, value), str(row.name)) for row in rows]
        stamp = hashlib.sha256(repr(pairs).encode()).hexdigest()[:20]
        cached = _choice_lists[key] = (rows, Choices(pairs, stamp))
    return cached[1]


@dataclass(frozen=True)
class FilterOption:
    value: str
    label: str
    id: str
    checked: bool


@dataclass(frozen=True)
class FilterGroup:
    """One checkbox filter of a directory's filter form, as the template shows it."""

    label: str
    html_name: str
    options: tuple[FilterOption, ...]
    chosen: int  # how many of its options are checked


class DirectoryForm(forms.Form):
    """Search and filters, read from the query string; every value is optional and bad
    values are dropped, so any URL answers."""

    q = forms.CharField(label=_("Search"), required=False, max_length=1000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update({"autocomplete": "off"})

    def values(self, name: str) -> tuple[str, ...]:
        if not self.is_bound:
            return ()
        allowed = {str(value) for value, _label in self.fields[name].choices}
        return tuple(v for v in self.data.getlist(name) if v in allowed)

    @property
    def query(self) -> str:
        return (self.data.get("q") or "")[:1000] if self.is_bound else ""

    def filter_names(self) -> list[str]:
        """The fields shown as checkbox filters: every field but the words and the order."""
        return [name for name in self.fields if name not in ("q", "sort")]

    def chosen(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Which options of each filter are checked: all that the filters' HTML depends on
        besides the form's class and the language (the key of its kept copy)."""
        return tuple((name, tuple(sorted(set(self.values(name))))) for name in self.filter_names())

    def vocabulary_stamp(self) -> tuple[str | None, ...]:
        """The names of the filters' vocabularies as this process read them (`_choices`):
        part of the key of any kept HTML that shows them, so that a process still holding
        the names from before an admin change keeps what it renders apart from what every
        process with the new names shares."""
        return tuple(
            getattr(self.fields[name].choices, "stamp", None) for name in self.filter_names()
        )

    def filter_groups(self) -> list[FilterGroup]:
        """Every field but the words and the order, as checkboxes: the names, ids, labels
        and checked state Django's CheckboxSelectMultiple gives its options (tested), read
        from the choices at once instead of building a widget per option."""
        groups = []
        for name in self.filter_names():
            field = self.fields[name]
            chosen = set(self.values(name))
            base_id = self.auto_id % self.add_prefix(name) if self.auto_id else ""
            options = tuple(
                FilterOption(
                    value=str(value),
                    label=label,
                    id=f"{base_id}_{index}" if base_id else "",
                    checked=str(value) in chosen,
                )
                for index, (value, label) in enumerate(field.choices)
            )
            groups.append(FilterGroup(field.label, self.add_prefix(name), options, len(chosen)))
        return groups


def _filter(label):
    return forms.MultipleChoiceField(
        label=label, required=False, widget=forms.CheckboxSelectMultiple
    )


_STATUSES = Choices(Initiative.Status.choices)  # labels translated when shown


class InitiativeSearchForm(DirectoryForm):
    theme = _filter(_("Theme"))
    target_group = _filter(_("Target group"))
    success_factor = _filter(_("Success factor"))
    status = _filter(_("Status"))
    municipality = _filter(_("Municipality"))
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("relevance", _("Relevance")), ("recent", _("Most recent"))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = _choices(Theme)
        self.fields["target_group"].choices = _choices(TargetGroup)
        self.fields["success_factor"].choices = _choices(SuccessFactor)
        self.fields["status"].choices = _STATUSES
        self.fields["municipality"].choices = _choices(Municipality, "slug")


class OrganisationSearchForm(DirectoryForm):
    kind = _filter(_("Kind"))
    theme = _filter(_("Theme"))
    target_group = _filter(_("Target group"))
    municipality = _filter(_("Municipality"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Organisation.Kind.choices
        self.fields["theme"].choices = _choices(Theme)
        self.fields["target_group"].choices = _choices(TargetGroup)
        self.fields["municipality"].choices = _choices(Municipality, "slug")


class PersonSearchForm(DirectoryForm):
    role = _filter(_("Role"))
    theme = _filter(_("Theme"))
    target_group = _filter(_("Experience with"))
    language = _filter(_("Language"))
    municipality = _filter(_("Municipality"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _choices(Role)
        self.fields["theme"].choices = _choices(Theme)
        self.fields["target_group"].choices = _choices(TargetGroup)
        self.fields["language"].choices = _choices(Language)
        self.fields["municipality"].choices = _choices(Municipality, "slug")


class FundSearchForm(DirectoryForm):
    theme = _filter(_("Theme"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = _choices(Theme)
