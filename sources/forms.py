from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from network.forms import DirectoryForm, _choices, _filter, _taxonomy
from network.models import SuccessFactor, TargetGroup, Theme
from sources.models import Source


class SourceSearchForm(DirectoryForm):
    theme = _filter(_("Theme"))
    target_group = _filter(_("Target group"))
    success_factor = _filter(_("Success factor"))
    kind = _filter(_("Kind"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = _choices(Theme)
        self.fields["target_group"].choices = _choices(TargetGroup)
        self.fields["success_factor"].choices = _choices(SuccessFactor)
        self.fields["kind"].choices = Source.Kind.choices


class SourceSuggestForm(forms.ModelForm):
    """A member's suggestion; the same fields staff fill in (sources.services.SOURCE_FIELDS)."""

    url = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A web address that starts with https:// or http://."),
    )
    themes = _taxonomy(Theme, _("Themes"))
    target_groups = _taxonomy(TargetGroup, _("Target groups"))
    success_factors = _taxonomy(SuccessFactor, _("Success factors"))

    class Meta:
        model = Source
        fields = [
            "title",
            "author",
            "year",
            "kind",
            "url",
            "summary",
            "themes",
            "target_groups",
            "success_factors",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


class SourceRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this source rejected?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person who suggested it reads this."),
    )
