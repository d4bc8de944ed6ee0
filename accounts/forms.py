from __future__ import annotations

import unicodedata

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User

NAME_MAX_LENGTH = 100
# Bidirectional overrides and isolates can make a name read as something else (spoofing);
# joiners (U+200C, U+200D) stay: Persian and Indic names need them.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class SignupForm(forms.Form):
    """The fields Bruggen adds to allauth's sign-up (ACCOUNT_SIGNUP_FORM_CLASS): the name
    others see. allauth calls `signup()` once the account is saved."""

    field_order = ["name", "email", "password1", "password2"]

    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("Others on Bruggen see this name. Your first name is enough."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Fill in your name.")},
    )

    def clean_name(self) -> str:
        name = unicodedata.normalize("NFC", " ".join(self.cleaned_data["name"].split()))
        if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in name):
            raise forms.ValidationError(_("Your name contains a character that is not allowed."))
        if not any(unicodedata.category(ch).startswith("L") for ch in name):
            raise forms.ValidationError(_("Fill in your name with letters."))
        return name

    def signup(self, request: HttpRequest, user: User) -> None:
        user.name = self.cleaned_data["name"]
        user.save(update_fields=["name"])


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


class LanguageForm(forms.Form):
    """The person's interface language on the account page; also the language of mail."""

    language = forms.ChoiceField(
        label=_("Language of Bruggen and its mail"),
        choices=[("", _("Follow my browser")), *settings.LANGUAGES],
        required=False,
        help_text=_("Pages and mail from Bruggen come in this language."),
    )
