from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoriesConfig(AppConfig):
    """Close-out stories (docs/stories.md). Sits above network and matching: it hears of
    closed needs and month-old introductions, adds to their pages and to matching's track
    record through the hooks they offer; they never import it."""

    name = "stories"
    verbose_name = _("Close-out stories")

    def ready(self) -> None:
        from accounts.services import personal_data_register
        from matching.events import introduction_month_old_subscribe, need_closed_subscribe
        from matching.index import track_record_source_register
        from network.demo import demo_step_register
        from network.sections import page_section_register
        from stories import demo, sections, selectors, services
        from stories.personal_data import stories_erase, stories_export

        need_closed_subscribe(services.stories_ask_for_need)
        introduction_month_old_subscribe(services.stories_ask_for_introduction)
        track_record_source_register(selectors.track_record_links)
        page_section_register(page="overview", provider=sections.overview_section)
        page_section_register(page="initiative", provider=sections.initiative_section)
        personal_data_register(
            name="stories", export=stories_export, erase=stories_erase, before=["profile"]
        )
        demo_step_register("stories (stories.demo)", demo.demo_stories)
