"""Forms of key figures' reach. See docs/outreach.md."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outreach.models import FlyerLanguage, Invitation
from outreach.selectors import initiatives_open_for_invitations


class InvitationForm(forms.Form):
    initiative = forms.ModelChoiceField(
        label=_("Initiative"),
        queryset=initiatives_open_for_invitations(),
        to_field_name="ref",
        empty_label=_("Choose an initiative"),
        error_messages={"invalid_choice": _("Choose an initiative from the list.")},
    )
    title = forms.CharField(
        label=_("Activity"),
        max_length=150,
        help_text=_("For example: Coffee morning for parents."),
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(
        label=_("Place"), max_length=200, help_text=_("The address or the name of the building.")
    )
    language = forms.ChoiceField(
        label=_("Second language of the flyer"),
        choices=FlyerLanguage.choices,
        initial=FlyerLanguage.NL,
        help_text=_("The flyer is always in Dutch; choose the language of your community too."),
    )
    note = forms.CharField(
        label=_("A word from you (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It is printed on the flyer."),
    )

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            # zoneinfo resolves a time the clocks skip or repeat (summer time); no error.
            data["starts_at"] = timezone.make_aware(datetime.combine(data["date"], data["time"]))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "initiative": data["initiative"],
            "title": data["title"],
            "starts_at": data["starts_at"],
            "place": data["place"],
            "language": data["language"],
            "note": data["note"],
        }


class ResponseForm(forms.Form):
    first_name = forms.CharField(label=_("First name (optional)"), max_length=60, required=False)
    contact = forms.CharField(
        label=_("Phone number or email address (optional)"),
        max_length=150,
        required=False,
        help_text=_("Only if you want to be reached about this activity."),
    )
    consent = forms.BooleanField(required=False)

    def __init__(self, *args, invitation: Invitation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        key_figure = invitation.key_figure.name if invitation.key_figure else _("the key figure")
        self.fields["consent"].label = _(
            "I agree that %(name)s, who invited me, keeps my first name and how to reach me, "
            "only for this activity. The organisers see only how many people are coming."
        ) % {"name": key_figure}
        self.fields["consent"].help_text = ngettext(
            "Your first name and how to reach you are erased %(days)d day after the activity.",
            "Your first name and how to reach you are erased %(days)d days after the activity.",
            settings.OUTREACH_KEEP_DETAILS_DAYS,
        ) % {"days": settings.OUTREACH_KEEP_DETAILS_DAYS}
