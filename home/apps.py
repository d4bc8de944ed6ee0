from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """Mijn Bruggen and the guided start (docs/home.md). Sits above network, matching and
    messaging: it reads their selectors and calls their services; they never import it."""

    name = "home"
    verbose_name = _("My Bruggen")

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up

        from accounts.services import personal_data_register
        from home.personal_data import guided_start_erase, guided_start_export
        from home.services import profile_ensure_on_signup

        personal_data_register(
            name="guided_start", export=guided_start_export, erase=guided_start_erase
        )
        user_signed_up.connect(profile_ensure_on_signup, dispatch_uid="home.profile_on_signup")
