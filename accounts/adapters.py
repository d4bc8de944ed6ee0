from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Bruggen's hooks into allauth (docs/development.md, style §6: adapters, settings and templates only)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return getattr(settings, "BRUGGEN_SIGNUP_OPEN", True)
