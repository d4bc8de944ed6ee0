from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import MatchingRound, Need, Proposal
from matching.services.needs import NEED_FIELDS
from network.forms import DirectoryForm, MunicipalityChoiceField, _choices, _filter, _taxonomy
from network.models import Initiative, Language, Municipality, TargetGroup, Theme
from network.picker import PersonPickerField, pickers_bind


class NeedForm(forms.ModelForm):
    municipality = MunicipalityChoiceField()
    themes = _taxonomy(Theme, _("Themes"))
    target_groups = _taxonomy(TargetGroup, _("Target groups"))
    languages = _taxonomy(Language, _("Languages"))

    class Meta:
        model = Need
        fields = list(NEED_FIELDS)
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = Initiative.objects.filter(
            organisation=organisation
        ).order_by("title")
        self.fields["initiative"].required = False
        self.fields["initiative"].empty_label = _("— none in particular —")
        self.fields["initiative"].label = _("For initiative")


class NeedSearchForm(DirectoryForm):
    kind = _filter(_("Looking for"))
    theme = _filter(_("Theme"))
    municipality = _filter(_("Municipality"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Need.Kind.choices
        self.fields["theme"].choices = _choices(Theme)
        self.fields["municipality"].choices = [(m.slug, m.name) for m in Municipality.objects.all()]


class WhyNotForm(forms.Form):
    candidate = PersonPickerField(
        label=_("Why was this person or organisation not proposed?"),
        kinds=("person", "organisation"),
        help_text=_("Type their name; choose from the list if it appears."),
    )

    def __init__(self, *args, viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pickers_bind(self, viewer=viewer)


class FeedbackForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Did this work out?"), choices=Proposal.Feedback.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MatchingRoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Needs of kind"), choices=Need.Kind.choices)
    theme = forms.ModelChoiceField(
        label=_("Only needs with theme (optional)"), queryset=Theme.objects.all(), required=False
    )


__all__ = [
    "FeedbackForm",
    "MatchingRound",
    "MatchingRoundForm",
    "NeedForm",
    "NeedSearchForm",
    "WhyNotForm",
]
