from __future__ import annotations

import json as json_module

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from matching.models import Need
from matching.reasons import reason_lines
from matching.services.proposals import need_rank, reasons_from

EMPTY_REASON_TEXT = {
    "need_closed": "the need is closed",
    "empty_index": "there are no candidates in the network yet",
    "no_candidates_of_kind": "nobody in the network is of the kind asked for",
    "all_excluded": "every candidate is ruled out by a hard rule (distance, language, capacity, ...)",
}


class Command(BaseCommand):
    help = "Print the matching engine's proposals for a need, best first (docs/contracts.md §4)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("need_ref")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--json", action="store_true", help="a JSON array on stdout")
        parser.add_argument(
            "--language", default="en", choices=["en", "nl"], help="language of the reasons"
        )

    def handle(
        self, *args, need_ref: str, limit: int, json: bool, language: str, **options
    ) -> None:
        need = (
            Need.objects.select_related("organisation", "municipality")
            .filter(ref=need_ref.strip())
            .first()
        )
        if need is None:
            raise CommandError(f"Unknown need ref {need_ref!r}: no need has that ref.")
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        result = need_rank(need, limit=limit)
        with translation.override(language):
            rows = [
                {
                    "rank": position,
                    "kind": proposal.kind,
                    "ref": proposal.ref,
                    "name": proposal.name,
                    "score": round(float(proposal.score), 4),
                    "reasons": reason_lines(reasons_from(proposal), municipality=None),
                }
                for position, proposal in enumerate(result.proposals, start=1)
            ]
        if json:
            self.stdout.write(_dumps(rows))
            if not rows and result.empty_reason:
                self.stderr.write(
                    f"No proposals: {EMPTY_REASON_TEXT.get(result.empty_reason, result.empty_reason)}."
                )
            return
        if not rows:
            reason = EMPTY_REASON_TEXT.get(
                result.empty_reason or "", result.empty_reason or "no candidate fits"
            )
            self.stdout.write(f"No proposals for {need.ref}: {reason}.")
            return
        self.stdout.write(f"Proposals for {need.ref} ({need.get_kind_display()}): {need.title}")
        for row in rows:
            self.stdout.write(
                f"{row['rank']:>3}. {row['name']} [{row['kind']} {row['ref']}] score {row['score']:.2f}"
            )
            for reason in row["reasons"]:
                self.stdout.write(f"       - {reason['detail']}")


def _dumps(rows) -> str:
    return json_module.dumps(rows, ensure_ascii=False)
