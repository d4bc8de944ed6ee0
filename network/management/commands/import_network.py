"""`python manage.py import_network FILE [--dry-run]` (docs/contracts.md §3; docs/import.md)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from network.services.imports import network_import


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = (
        "Import organisations, people, initiatives and funds (and needs) from a JSON Lines "
        "file, all or nothing. Every problem is printed as 'line N: field: message' and the "
        "command exits 1 without writing anything. See docs/import.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="a UTF-8 JSON Lines file, or - for standard input")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate the file only; write nothing"
        )

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        # The output is a contract that scripts read: English, whatever LANGUAGE_CODE says.
        with translation.override("en"):
            if file == "-":
                report = network_import(lines=sys.stdin.buffer, dry_run=dry_run)
            else:
                try:
                    stream = open(file, "rb")  # noqa: SIM115 - closed right below
                except FileNotFoundError:
                    raise CommandError(f"{file}: no such file", returncode=1) from None
                except IsADirectoryError:
                    raise CommandError(
                        f"{file}: is a directory, not a file", returncode=1
                    ) from None
                except OSError as error:
                    raise CommandError(
                        f"{file}: cannot be read ({error.strerror})", returncode=1
                    ) from None
                with stream:
                    report = network_import(lines=stream, dry_run=dry_run)
            for problem in report.errors:
                self.stderr.write(str(problem), style_func=_plain)
            if report.errors:
                raise CommandError(report.summary(), returncode=1)
            self.stdout.write(report.summary())
