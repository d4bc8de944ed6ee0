"""The writer: the only part of the generator that touches the database.

It checks the arguments and the prefix, reads what the database knows for the planner, and
writes the planner's drafts in one transaction (all or nothing): rows with `bulk_create`, in
batches, straight into the many-to-many through tables, so nothing runs a query per row. It
shows a progress bar per phase, refreshes the search vectors of the new rows, and after the
commit `statistics_refresh` gives PostgreSQL fresh planner statistics.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import OutputWrapper
from django.db import connection, models, transaction
from django.db.models import Q

from network.generator.planner import Known, NetworkPlanner
from network.models import (
    Fund,
    Initiative,
    Language,
    Membership,
    Municipality,
    Organisation,
    Person,
    RetiredRef,
    Role,
    SuccessFactor,
    TargetGroup,
    Theme,
)
from network.search import search_vectors_refresh
from network.services.refs import REF_MODELS

DEFAULT_PREFIX = "gen"
DEFAULT_BATCH_SIZE = 5000
PREFIX_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")


class ProgressBar:
    """One line per phase on stderr: rewritten in place on a terminal, else a line per ~10%."""

    WIDTH = 30

    def __init__(self, stream: OutputWrapper, label: str, total: int) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.interactive = stream.isatty()
        self.last_tenth = 0
        if self.interactive:
            self._write("\r" + self._line())

    def _line(self) -> str:
        share = self.done / self.total if self.total else 1.0
        filled = round(share * self.WIDTH)
        elapsed = time.monotonic() - self.started
        return (
            f"{self.label:<13} [{'#' * filled}{'-' * (self.WIDTH - filled)}] "
            f"{self.done:,}/{self.total:,}  {elapsed:.1f} s"
        )

    def _write(self, text: str) -> None:
        # The identity style keeps Django from colouring stderr red on a terminal.
        self.stream.write(text, style_func=lambda message: message, ending="")
        self.stream.flush()

    def advance(self, amount: int) -> None:
        self.done = min(self.total, self.done + amount)
        if self.interactive:
            self._write("\r" + self._line())
        elif self.total:
            tenth = self.done * 10 // self.total
            if tenth > self.last_tenth and self.done < self.total:
                self.last_tenth = tenth
                self._write(self._line() + "\n")

    def finish(self) -> float:
        self.done = self.total
        self._write(("\r" if self.interactive else "") + self._line() + "\n")
        return time.monotonic() - self.started


@dataclass
class GenerationSummary:
    prefix: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    links: int = 0
    elapsed: float = 0.0

    def describe(self) -> str:
        counts = ", ".join(f"{count:,} {name}" for name, count in self.counts.items())
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.seconds.items())
        return (
            f"Generated {counts} and {self.links:,} links (seed {self.seed}, refs {self.prefix}-…) "
            f"in {self.elapsed:.1f} s.\nPhases: {phases}."
        )


def _ref_width(count: int) -> int:
    return max(6, len(str(count)))


def generation_check(
    *, people: int, organisations: int, initiatives: int, batch_size: int, prefix: str
) -> None:
    """Raise ValidationError with every problem in the arguments or in the database."""
    problems = [
        f"--{name.replace('_', '-')} must be 0 or more (got {value})."
        for name, value in (
            ("people", people),
            ("organisations", organisations),
            ("initiatives", initiatives),
        )
        if value < 0
    ]
    if batch_size < 1:
        problems.append(f"--batch-size must be 1 or more (got {batch_size}).")
    if not PREFIX_PATTERN.match(prefix):
        problems.append(
            f"--prefix {prefix!r} is not usable in refs: 1 to 40 characters of lowercase "
            "letters, digits, '.', '_' and '-', starting with a letter or digit."
        )
    if people >= 0 and organisations > 2 * people:
        problems.append(
            f"--people must be at least half of --organisations (got {people} people for "
            f"{organisations} organisations): every organisation gets an admin and a person "
            "is in at most two organisations."
        )
    if problems:
        raise ValidationError(problems)

    if not (Theme.objects.exists() and Municipality.objects.exists()):
        raise ValidationError(
            "The taxonomies and municipalities are missing: run `python manage.py migrate` first."
        )
    taken = Q()
    for kind in ("o", "p", "i"):
        taken |= Q(ref__startswith=f"{prefix}-{kind}-")
    existing = {
        model.__name__: model.objects.filter(taken).count() for model in (*REF_MODELS, RetiredRef)
    }
    if any(existing.values()):
        found = ", ".join(f"{count:,} {name}" for name, count in existing.items() if count)
        raise ValidationError(
            f"Refs starting with '{prefix}-' exist already ({found}), probably from an earlier "
            f"run; refs are never reused. Run again with another --prefix (for example "
            f"--prefix {prefix}2) or generate into a fresh database."
        )


def known_read() -> Known:
    """What the database knows, for the planner: the slugs, municipalities and funds."""
    return Known(
        themes=frozenset(Theme.objects.values_list("slug", flat=True)),
        target_groups=frozenset(TargetGroup.objects.values_list("slug", flat=True)),
        success_factors=frozenset(SuccessFactor.objects.values_list("slug", flat=True)),
        roles=frozenset(Role.objects.values_list("slug", flat=True)),
        languages=frozenset(Language.objects.values_list("slug", flat=True)),
        municipalities=dict(Municipality.objects.order_by("slug").values_list("slug", "name")),
        funds=tuple(Fund.objects.order_by("ref").values_list("pk", flat=True)),
    )


def _bulk_links(
    model: type[models.Model], field_name: str, pairs: Iterable[tuple[Any, Any]], batch_size: int
) -> int:
    """Insert many-to-many rows straight into the through table."""
    relation = model._meta.get_field(field_name)
    through = relation.remote_field.through
    source = through._meta.get_field(relation.m2m_field_name()).attname
    target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
    columns = [column.attname for column in through._meta.concrete_fields]
    if columns == [through._meta.pk.attname, source, target]:
        # Positional arguments skip keyword handling: a third faster for a million rows.
        rows = [through(None, left, right) for left, right in pairs]
    else:
        rows = [through(**{source: left, target: right}) for left, right in pairs]
    through.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def _primary_keys(model: type[models.Model], objects: list[models.Model]) -> list[int]:
    # PostgreSQL and SQLite >= 3.35 return the new keys from bulk_create; other backends don't.
    if any(obj.pk is None for obj in objects):
        keys = dict(
            model.objects.filter(ref__in=[obj.ref for obj in objects]).values_list("ref", "pk")
        )
        for obj in objects:
            obj.pk = keys[obj.ref]
    return [obj.pk for obj in objects]


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def network_generate(
    *,
    people: int,
    organisations: int,
    initiatives: int,
    seed: int,
    prefix: str = DEFAULT_PREFIX,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[str, int], ProgressBar],
) -> GenerationSummary:
    """Write a random network in one transaction (all or nothing). See docs/generate_network.md.

    Raises ValidationError, and writes nothing, when the arguments are invalid or refs with
    this prefix exist already."""
    started = time.monotonic()
    summary = GenerationSummary(prefix=prefix, seed=seed)
    with transaction.atomic():
        generation_check(
            people=people,
            organisations=organisations,
            initiatives=initiatives,
            batch_size=batch_size,
            prefix=prefix,
        )
        _network_write(
            NetworkPlanner(seed=seed, known=known_read()),
            summary,
            counts=(organisations, people, initiatives),
            prefix=prefix,
            batch_size=batch_size,
            progress=progress,
        )
        bar = progress("commit", 1)
    # PostgreSQL checks the deferred foreign keys of every new row now: ~20 s for 100,000 people.
    summary.seconds["commit"] = bar.finish()
    summary.elapsed = time.monotonic() - started
    return summary


def _network_write(
    planner: NetworkPlanner,
    summary: GenerationSummary,
    *,
    counts: tuple[int, int, int],
    prefix: str,
    batch_size: int,
    progress: Callable[[str, int], ProgressBar],
) -> None:
    organisations, people, initiatives = counts
    organisation_keys: list[int] = []
    bar = progress("organisations", organisations)
    width = _ref_width(organisations)
    for batch in _batches(planner.organisations_draw(organisations), batch_size):
        offset = len(organisation_keys)
        objects = [
            Organisation(
                ref=f"{prefix}-o-{offset + number + 1:0{width}d}",
                name=draft.name,
                kind=draft.kind,
                municipality_id=draft.municipality,
                description=draft.description,
                website=draft.website,
                offers=draft.offers,
                open_to_matching=draft.open_to_matching,
                verified=draft.verified,
            )
            for number, draft in enumerate(batch)
        ]
        Organisation.objects.bulk_create(objects, batch_size=batch_size)
        keys = _primary_keys(Organisation, objects)
        organisation_keys += keys
        for field_name in ("themes", "target_groups", "languages"):
            summary.links += _bulk_links(
                Organisation,
                field_name,
                (
                    (key, slug)
                    for key, draft in zip(keys, batch, strict=True)
                    for slug in getattr(draft, field_name)
                ),
                batch_size,
            )
        bar.advance(len(batch))
    summary.seconds["organisations"] = bar.finish()

    person_keys: list[int] = []
    bar = progress("people", people)
    width = _ref_width(people)
    for batch in _batches(planner.people_draw(people), batch_size):
        offset = len(person_keys)
        objects = [
            Person(
                ref=f"{prefix}-p-{offset + number + 1:0{width}d}",
                name=draft.name,
                municipality_id=draft.municipality,
                skills=draft.skills,
                bio=draft.bio,
                looking_for=draft.looking_for,
                hours_per_week=draft.hours_per_week,
                mentor_capacity=draft.mentor_capacity,
                visibility=draft.visibility,
                open_to_matching=draft.open_to_matching,
            )
            for number, draft in enumerate(batch)
        ]
        Person.objects.bulk_create(objects, batch_size=batch_size)
        keys = _primary_keys(Person, objects)
        person_keys += keys
        for field_name in ("roles", "languages", "themes", "target_groups"):
            summary.links += _bulk_links(
                Person,
                field_name,
                (
                    (key, slug)
                    for key, draft in zip(keys, batch, strict=True)
                    for slug in getattr(draft, field_name)
                ),
                batch_size,
            )
        bar.advance(len(batch))
    summary.seconds["people"] = bar.finish()

    memberships = planner.memberships_draw()
    bar = progress("memberships", len(memberships))
    for batch in _batches(memberships, batch_size):
        Membership.objects.bulk_create(
            [
                Membership(
                    organisation_id=organisation_keys[o], person_id=person_keys[p], role=role
                )
                for o, p, role in batch
            ],
            batch_size=batch_size,
        )
        bar.advance(len(batch))
    summary.seconds["memberships"] = bar.finish()

    bar = progress("initiatives", initiatives)
    width = _ref_width(initiatives)
    initiative_keys: list[int] = []
    for batch in _batches(planner.initiatives_draw(initiatives), batch_size):
        written = len(initiative_keys)
        objects = [
            Initiative(
                ref=f"{prefix}-i-{written + number + 1:0{width}d}",
                title=draft.title,
                organisation_id=organisation_keys[draft.organisation]
                if draft.organisation is not None
                else None,
                leader_id=person_keys[draft.leader] if draft.leader is not None else None,
                municipality_id=draft.municipality,
                neighbourhood=draft.neighbourhood,
                status=draft.status,
                started=draft.started,
                ended=draft.ended,
                summary=draft.summary,
                results=draft.results,
                obstacles=draft.obstacles,
                lessons=draft.lessons,
            )
            for number, draft in enumerate(batch)
        ]
        Initiative.objects.bulk_create(objects, batch_size=batch_size)
        keys = _primary_keys(Initiative, objects)
        initiative_keys += keys
        pairs = list(zip(keys, batch, strict=True))
        for field_name in ("themes", "target_groups", "success_factors"):
            summary.links += _bulk_links(
                Initiative,
                field_name,
                ((key, slug) for key, draft in pairs for slug in getattr(draft, field_name)),
                batch_size,
            )
        summary.links += _bulk_links(
            Initiative,
            "partners",
            ((key, organisation_keys[p]) for key, draft in pairs for p in draft.partners),
            batch_size,
        )
        summary.links += _bulk_links(
            Initiative,
            "funders",
            ((key, fund) for key, draft in pairs for fund in draft.funders),
            batch_size,
        )
        bar.advance(len(batch))
    summary.seconds["initiatives"] = bar.finish()

    searchable = (
        (Organisation, organisation_keys),
        (Person, person_keys),
        (Initiative, initiative_keys),
    )
    bar = progress("search index", len(searchable))
    for model, keys in searchable:
        # One UPDATE per model, far faster than one per batch. Only the new rows, so that a
        # second network doesn't recompute the first; but in a fresh database, where the
        # new rows are all there is, a whole-table UPDATE skips matching 100,000 ids.
        search_vectors_refresh(model, None if model.objects.count() == len(keys) else keys)
        bar.advance(1)
    summary.seconds["search index"] = bar.finish()

    summary.counts = {
        "organisations": organisations,
        "people": people,
        "memberships": len(memberships),
        "initiatives": initiatives,
    }


ANALYZED_TABLES = (
    "network_organisation",
    "network_person",
    "network_membership",
    "network_initiative",
    "network_person_roles",
    "network_person_languages",
    "network_person_themes",
    "network_person_target_groups",
    "network_initiative_themes",
    "network_initiative_target_groups",
    "network_initiative_success_factors",
    "network_initiative_partners",
)


def statistics_refresh() -> None:
    """Fresh planner statistics for what was just written: without them PostgreSQL guesses
    a few hundred full-text matches where there are thousands and benchmarks measure the
    wrong plans (benchmarks/README.md, Knowledge bank)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for table in ANALYZED_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
