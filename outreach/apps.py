from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Key figures' reach")

    def ready(self) -> None:
        from accounts.services import personal_data_register
        from network.demo import demo_step_register
        from outreach.demo import demo_reach
        from outreach.personal_data import reach_erase, reach_export

        # The invitations hang on the key figure's profile: erase them before it goes.
        personal_data_register(
            name="reach", export=reach_export, erase=reach_erase, before=("profile",)
        )
        demo_step_register("reach (outreach.demo)", demo_reach)
