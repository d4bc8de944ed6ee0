from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from home.models import Purpose
from network.forms import PersonForm

# The parts of the profile that matter for each purpose (docs/home.md). Target groups are
# not asked: a key figure's community is not recorded, only languages, themes and place.
PROFILE_FIELDS = {
    Purpose.VOLUNTEER: ("municipality", "themes", "languages", "hours_per_week"),
    Purpose.KEY_FIGURE: ("municipality", "languages", "themes"),
    Purpose.MENTOR: ("municipality", "themes", "mentor_capacity"),
    Purpose.PROJECT: ("municipality", "themes"),
}
FIELD_ORDER = ("municipality", "themes", "languages", "hours_per_week", "mentor_capacity")
LABELS = {
    "municipality": _("In which municipality do you live or work?"),
    "themes": _("Which subjects matter to you?"),
    "languages": _("Which languages do you speak?"),
    "hours_per_week": _("How many hours a week do you have?"),
    "mentor_capacity": _("How many people can you mentor at the same time?"),
}


class PurposeForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=_("What brings you to Bruggen?"),
        help_text=_("Choose all that fit you."),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one.")},
    )


def profile_fields_for(purposes) -> list[str]:
    wanted = {name for purpose in purposes for name in PROFILE_FIELDS.get(purpose, ())}
    return [name for name in FIELD_ORDER if name in wanted]


class ProfileStepForm(PersonForm):
    """The profile form, cut down to the parts that matter for the chosen purposes."""

    def __init__(self, *args, purposes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        keep = profile_fields_for(purposes)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.order_fields(keep)
        for name in keep:
            self.fields[name].label = LABELS[name]
            self.fields[name].required = False
        if "hours_per_week" in self.fields:
            self.fields["hours_per_week"].widget.attrs.update({"min": 0, "max": 80})
        if "mentor_capacity" in self.fields:
            self.fields["mentor_capacity"].widget.attrs.update({"min": 0, "max": 20})

    def clean_mentor_capacity(self) -> int:
        value = self.cleaned_data.get("mentor_capacity")
        return 0 if value is None else value
