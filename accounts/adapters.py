from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from accounts.i18n import in_language_of


class AccountAdapter(DefaultAccountAdapter):
    """Bruggen's hooks into allauth (docs/development.md, style §6: adapters, settings and templates only)."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails (confirmation, password reset, notices) in the recipient's
        chosen language, like every other mail (accounts.i18n)."""
        with in_language_of(email):
            super().send_mail(template_prefix, email, context)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return getattr(settings, "BRUGGEN_SIGNUP_OPEN", True)
