from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [
        ("30", _("30 days")),
        ("90", _("90 days")),
        ("365", _("1 year")),
        ("", _("Never")),
    ]

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, for example “export script”."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Valid for"),
        choices=EXPIRY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the token may do"),
        choices=[
            (ApiToken.Scope.READ, _("Read: look things up")),
            (ApiToken.Scope.WRITE, _("Write: add and change things, such as needs")),
        ],
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiToken.Scope.READ, ApiToken.Scope.WRITE],
        error_messages={"required": _("Choose at least one: read or write.")},
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data are deleted for good."),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not right."))
        return password
