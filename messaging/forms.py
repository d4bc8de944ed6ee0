from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.models import MessagingSettings
from messaging.services import MAX_BODY_LENGTH
from network.models import Person
from network.picker import PersonPickerField, pickers_bind


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Links become clickable; **bold**, _italic_, `code` and @mentions work."),
    )
    attachment = forms.FileField(
        label=_("Document or photo (at most 10 MB)"),
        required=False,
    )
    # A fresh id per rendered form: submitting the same form twice stores one message.
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_id", f"form-{uuid.uuid4().hex}")


class ConversationStartForm(forms.Form):
    """Who to talk with, one name per box ("Name 1", "Name 2", ...): a box per person works
    without JavaScript, and "Add someone" gives one more box. Empty boxes are skipped."""

    MIN_ROWS = 3
    MAX_ROWS = 20

    title = forms.CharField(label=_("Title (for a group)"), max_length=200, required=False)
    rows = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, viewer, first: Person | None = None, more: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            rows = int(self.data.get("rows") or self.MIN_ROWS)
        except (TypeError, ValueError):
            rows = self.MIN_ROWS
        rows = max(self.MIN_ROWS, min(rows + (1 if more else 0), self.MAX_ROWS))
        self.initial["rows"] = rows
        if self.is_bound:
            self.data = self.data.copy()
            self.data["rows"] = str(rows)
        title = self.fields.pop("title")
        for number in range(1, rows + 1):
            self.fields[f"person_{number}"] = PersonPickerField(
                label=_("Name %(number)d") % {"number": number}, required=False
            )
        self.fields["title"] = title
        if first is not None:
            self.initial["person_1"] = first
        pickers_bind(self, viewer=viewer)

    def person_fields(self) -> list[str]:
        return [name for name in self.fields if name.startswith("person_")]

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors and not self.people():
            raise forms.ValidationError(_("Type the name of at least one person."))
        return cleaned

    def people(self) -> list[Person]:
        """The people chosen, each once, in the order of the boxes."""
        chosen: dict[int, Person] = {}
        for name in self.person_fields():
            person = self.cleaned_data.get(name)
            if person is not None:
                chosen.setdefault(person.pk, person)
        return list(chosen.values())


class MemberAddForm(forms.Form):
    person = PersonPickerField(label=_("Add someone"))

    def __init__(self, *args, viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pickers_bind(self, viewer=viewer)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this message?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MessageEditForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=MAX_BODY_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class MessagingSettingsForm(forms.ModelForm):
    class Meta:
        model = MessagingSettings
        fields = ["who_may_message", "email_frequency"]
        widgets = {
            "who_may_message": forms.RadioSelect,
            "email_frequency": forms.RadioSelect,
        }


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search your conversations"), max_length=200, required=False)
