from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from accounts.services import personal_data_register
        from messaging.personal_data import messaging_erase, messaging_export

        # Messaging finds the person's messages through the network's profile: erase them
        # before the profile goes (docs/accounts.md).
        personal_data_register(
            name="messaging",
            export=messaging_export,
            erase=messaging_erase,
            before=("profile",),
        )
