from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.models import MessagingSettings
from messaging.services import MAX_BODY_LENGTH


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
    people = forms.CharField(
        label=_("With"),
        max_length=2000,
        help_text=_("People's references (as in their profile address), separated by commas."),
    )
    title = forms.CharField(label=_("Title (for a group)"), max_length=200, required=False)

    def refs(self) -> list[str]:
        raw = self.cleaned_data.get("people", "")
        return [ref.strip().lower() for ref in raw.replace(";", ",").split(",") if ref.strip()]


class MemberAddForm(forms.Form):
    person = forms.CharField(label=_("Add a person (their reference)"), max_length=80)


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
