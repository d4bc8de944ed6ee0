from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts import checks  # noqa: F401 - registers the personal data plan check
        from accounts.audit import sign_in_failed, signed_in
        from accounts.i18n import switch_language_adopt

        user_logged_in.connect(signed_in, dispatch_uid="accounts.audit.signed_in")
        user_login_failed.connect(sign_in_failed, dispatch_uid="accounts.audit.sign_in_failed")
        user_logged_in.connect(
            switch_language_adopt, dispatch_uid="accounts.i18n.switch_language_adopt"
        )
