from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from accounts.services import personal_data_register
        from matching.models import Need
        from matching.personal_data import matching_erase, matching_export
        from network.demo import demo_file_register
        from network.events import network_changed_in_bulk_subscribe, profile_changed_subscribe
        from network.services.imports import ModelRecordType, import_type_register

        # Matching finds the person through the network's profile: erase before it goes.
        personal_data_register(
            name="matching", export=matching_export, erase=matching_erase, before=("profile",)
        )
        profile_changed_subscribe(_candidate_changed)
        network_changed_in_bulk_subscribe(_network_changed_in_bulk)
        demo_file_register(Path(__file__).with_name("demo") / "needs.jsonl")
        # `need` lines in the network import (docs/contracts.md §3).
        import_type_register(
            type_name="need",
            handler=ModelRecordType(
                model=Need,
                label_field="title",
                fields=(
                    "kind",
                    "organisation",
                    "initiative",
                    "description",
                    "themes",
                    "target_groups",
                    "languages",
                    "languages_required",
                    "municipality",
                    "radius_km",
                    "hours_per_week",
                    "deadline",
                    "status",
                ),
            ),
        )


def _candidate_changed(kind: str, pk: int) -> None:
    """After the commit (network.events): every process's index hears of the change through
    the shared log, then a task refreshes the open needs it may now fit (or not)."""
    from matching.index import index_changed
    from matching.tasks import candidate_changed_task

    index_changed(kind, pk)
    candidate_changed_task.delay(kind, pk)


def _network_changed_in_bulk() -> None:
    from matching.tasks import index_rebuild_task

    index_rebuild_task.delay()
