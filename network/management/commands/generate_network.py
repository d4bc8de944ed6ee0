"""`manage.py generate_network`: a large, realistic, random network for benchmarks.

`python manage.py generate_network --people 100000 --organisations 5000 --initiatives 20000 --seed 1`

A thin shell: it parses the options and calls the generator package (network/generator:
the planner decides what to make from the seed, the writer writes it). The same seed gives
the same network. See docs/generate_network.md.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from network.generator.writer import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_PREFIX,
    ProgressBar,
    network_generate,
    statistics_refresh,
)


class Command(BaseCommand):
    help = (
        "Write a realistic random network (organisations, people, memberships, initiatives) "
        "for benchmarks; deterministic for a seed. See docs/generate_network.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--people", type=int, default=1000, help="How many people (default 1000)."
        )
        parser.add_argument(
            "--organisations", type=int, default=100, help="How many organisations (default 100)."
        )
        parser.add_argument(
            "--initiatives", type=int, default=250, help="How many initiatives (default 250)."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Random seed: the same seed gives the same network (default 1).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows per INSERT (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--prefix",
            default=DEFAULT_PREFIX,
            help=f"Refs are PREFIX-o-000001, PREFIX-p-…, PREFIX-i-… (default {DEFAULT_PREFIX!r}). "
            "A run refuses to start when refs with this prefix exist.",
        )

    def handle(self, *args, **options) -> None:
        try:
            summary = network_generate(
                people=options["people"],
                organisations=options["organisations"],
                initiatives=options["initiatives"],
                seed=options["seed"],
                prefix=options["prefix"],
                batch_size=options["batch_size"],
                progress=lambda label, total: ProgressBar(self.stderr, label, total),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(summary.describe())
        statistics_refresh()
