from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from accounts.services import personal_data_register
        from network.personal_data import profile_erase, profile_export

        personal_data_register(name="profile", export=profile_export, erase=profile_erase)
