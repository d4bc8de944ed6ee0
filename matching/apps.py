from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from matching.models import Need
        from network.demo import demo_file_register
        from network.events import network_changed_in_bulk_subscribe, profile_changed_subscribe
        from network.services.imports import ModelRecordType, import_type_register

        profile_changed_subscribe(_candidate_changed)
        network_changed_in_bulk_subscribe(_network_changed_in_bulk)
        demo_file_register(Path(__file__).with_name("demo") / "needs.jsonl")
        # `need` lines in the network import (CONTRACTS.md §3).
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
    from matching.tasks import candidate_changed_task

    candidate_changed_task.delay(kind, pk)


def _network_changed_in_bulk() -> None:
    from matching.tasks import index_rebuild_task

    index_rebuild_task.delay()
