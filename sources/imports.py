"""`source` lines in the network import (docs/import.md, "source"): the library's records
with their links to the organisations and initiatives they come from or informed."""

from __future__ import annotations

from typing import Any

from network.models import Initiative, Organisation
from network.services.imports import (
    ImportContext,
    ModelRecordType,
    PreparedRecord,
    _string_list,
)
from sources.models import Source, SourceLink

# key in the line -> (relation, linked model, SourceLink's field)
LINK_KEYS = {
    "from_organisations": (SourceLink.Relation.COMES_FROM, Organisation, "organisation"),
    "from_initiatives": (SourceLink.Relation.COMES_FROM, Initiative, "initiative"),
    "informed_organisations": (SourceLink.Relation.INFORMED, Organisation, "organisation"),
    "informed_initiatives": (SourceLink.Relation.INFORMED, Initiative, "initiative"),
}


class SourceRecordType(ModelRecordType):
    """A source: its own fields as any record type, and four lists of refs for its links.
    A new source is approved (the import is staff's); a stored one keeps its status. A link
    list in the line replaces that list; a list not in the line stays as it is."""

    def __init__(self) -> None:
        super().__init__(
            model=Source,
            label_field="title",
            fields=(
                "author",
                "year",
                "url",
                "summary",
                "kind",
                "themes",
                "target_groups",
                "success_factors",
            ),
        )
        self.fields = (*self.fields, *LINK_KEYS)

    def required_fields(self, record: PreparedRecord) -> list[str]:
        return [self.label_field]  # a source points to nothing it cannot do without

    def prepare_field(
        self, key: str, value: Any, record: PreparedRecord, context: ImportContext
    ) -> bool:
        if key not in LINK_KEYS:
            return super().prepare_field(key, value, record, context)
        items = _string_list(value, key, context)
        if items is None:
            return False
        record.extra[key] = items
        _relation, model, _field = LINK_KEYS[key]
        return context.refs_check(model, items, key)

    def saved(self, record: PreparedRecord, context: ImportContext) -> None:
        super().saved(record, context)
        links = {key: record.extra[key] for key in LINK_KEYS if key in record.extra}
        if links:
            context.state(self).setdefault("links", []).append((record.instance.pk, links))

    def finish(self, context: ImportContext) -> None:
        for source_pk, links in context.state(self).get("links", []):
            for key, refs in links.items():
                relation, model, field_name = LINK_KEYS[key]
                pks = {context.pk_for(model, ref) for ref in refs}
                current = SourceLink.objects.filter(
                    source_id=source_pk, relation=relation, **{f"{field_name}__isnull": False}
                )
                current.exclude(**{f"{field_name}_id__in": pks}).delete()
                have = set(current.values_list(f"{field_name}_id", flat=True))
                SourceLink.objects.bulk_create(
                    [
                        SourceLink(
                            source_id=source_pk, relation=relation, **{f"{field_name}_id": pk}
                        )
                        for pk in sorted(pks - have)
                    ]
                )
