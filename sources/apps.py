from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = _("Sources")

    def ready(self) -> None:
        from accounts.services import personal_data_register
        from network.demo import demo_file_register
        from network.search import searchable_register
        from network.sections import page_section_register
        from network.services.imports import import_type_register
        from sources import sections
        from sources.imports import SourceRecordType
        from sources.models import Source
        from sources.personal_data import sources_erase, sources_export
        from sources.search import VECTOR_FIELDS

        # Erased before the account, which `suggested_by` points to.
        personal_data_register(name="sources", export=sources_export, erase=sources_erase)
        # Public alike to every reader once approved: the search cache may keep the results.
        searchable_register(model=Source, fields=VECTOR_FIELDS, cached=True)
        import_type_register(type_name="source", handler=SourceRecordType())
        demo_file_register(Path(__file__).with_name("demo") / "sources.jsonl")
        page_section_register(page="knowledge_bank", provider=sections.knowledge_bank_section)
        page_section_register(page="initiative", provider=sections.initiative_section)
        page_section_register(page="organisation", provider=sections.organisation_section)
