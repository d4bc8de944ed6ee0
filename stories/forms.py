from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from network.models import Obstacle, SuccessFactor
from stories.models import NUMBER_LIMIT
from stories.services import TEXT_LIMIT


def _text(label, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4, "class": "utrecht-textarea"}),
    )


def _number(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=NUMBER_LIMIT,
        widget=forms.NumberInput(attrs={"class": "utrecht-textbox bruggen-number", "min": 0}),
    )


class StoryForm(forms.Form):
    """The questionnaire; a service checks and saves it (stories.services.story_answer)."""

    what_worked = _text(_("What worked well?"))
    what_did_not = _text(_("What did not work?"))
    results = _text(
        _("What did it bring?"), _("For example: who met whom, what changed for people.")
    )
    participants_reached = _number(_("People reached"))
    volunteers = _number(_("Volunteers who helped"))
    activities = _number(_("Activities held"))
    success_factors = forms.ModelMultipleChoiceField(
        label=_("What helped?"),
        queryset=SuccessFactor.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    obstacles = forms.ModelMultipleChoiceField(
        label=_("What stood in the way?"),
        queryset=Obstacle.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lesson = _text(_("One tip for someone who starts the same thing"))
    consent = forms.BooleanField(
        label=_("Others may read my answers in the knowledge bank, without my name."),
        help_text=_("Without this, only the organisation reads your story."),
        required=False,
    )

    def answers(self) -> dict:
        data = dict(self.cleaned_data)
        data["success_factors"] = [row.pk for row in data["success_factors"]]
        data["obstacles"] = [row.pk for row in data["obstacles"]]
        return data


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the author"),
        help_text=_("Needed when you send the story back: say what to change."),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "class": "utrecht-textarea"}),
    )
