"""The adapter between the ORM and the matching engine (matching/engine/, no Django).

Builds `CandidateRecord`s in bulk (a fixed number of queries, whatever the size of the
network), keeps one `CandidateIndex` per process, and refreshes single candidates when a
profile changes. Other processes notice through a version number in the cache and
rebuild. See docs/matching.md.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.core.cache import cache
from django.db import connections
from django.db.models import Count, Q
from django.utils import timezone

from matching.engine import (
    CandidateIndex,
    CandidateRecord,
    Explanation,
    NeedQuery,
    RankResult,
    RoundResult,
    TrackRecordItem,
    Vocabulary,
    assign_round,
    explain,
    greedy_round,
    rank,
)
from matching.models import Need, Proposal
from network.models import (
    Initiative,
    Language,
    Membership,
    Organisation,
    Person,
    Role,
    TargetGroup,
    Theme,
)

logger = logging.getLogger(__name__)

EXPOSURE_WINDOW = timedelta(days=30)
VERSION_KEY = "matching:index:version"

_lock = threading.Lock()
_state: dict[str, object] = {"index": None, "version": None}


def vocabulary() -> Vocabulary:
    return Vocabulary(
        themes=tuple(Theme.objects.order_by("position", "slug").values_list("slug", flat=True)),
        target_groups=tuple(
            TargetGroup.objects.order_by("position", "slug").values_list("slug", flat=True)
        ),
        languages=tuple(
            Language.objects.order_by("position", "slug").values_list("slug", flat=True)
        ),
        roles=tuple(Role.objects.order_by("position", "slug").values_list("slug", flat=True)),
    )


def _pairs(through, left: str, right: str, **filters) -> dict[int, set]:
    grouped: dict[int, set] = defaultdict(set)
    for a, b in (
        through.objects.filter(**filters).values_list(left, right).iterator(chunk_size=20_000)
    ):
        grouped[a].add(b)
    return grouped


# Apps above matching add to a candidate's track record: stories counts an approved
# close-out story as its author's and their organisation's record on that initiative
# (docs/stories.md). A source answers (person id, initiative id) and (organisation id,
# initiative id) pairs, for the given ids (None: everyone); it registers from its
# AppConfig.ready().
TrackRecordLinks = tuple[Iterable[tuple[int, int]], Iterable[tuple[int, int]]]
TrackRecordSource = Callable[..., TrackRecordLinks]
_track_record_sources: list[TrackRecordSource] = []


def track_record_source_register(source: TrackRecordSource) -> None:
    if source not in _track_record_sources:
        _track_record_sources.append(source)


def _track_record_links(
    person_ids: list[int] | None, organisation_ids: list[int] | None
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """initiative id → the people, and the organisations, who have it on their record
    through a registered source."""
    people: dict[int, set[int]] = defaultdict(set)
    organisations: dict[int, set[int]] = defaultdict(set)
    for source in _track_record_sources:
        person_pairs, organisation_pairs = source(
            person_ids=person_ids, organisation_ids=organisation_ids
        )
        for person_id, initiative_id in person_pairs:
            people[initiative_id].add(person_id)
        for organisation_id, initiative_id in organisation_pairs:
            organisations[initiative_id].add(organisation_id)
    return people, organisations


def _track_records(
    *, person_ids: list[int] | None = None, organisation_ids: list[int] | None = None
) -> tuple[dict[int, list[TrackRecordItem]], dict[int, list[TrackRecordItem]]]:
    """Initiatives per leader (person) and per organisation (lead or partner), plus those a
    registered source links them to; all of them, or only those of the given people or
    organisations (refreshing one candidate)."""
    linked_people, linked_organisations = _track_record_links(person_ids, organisation_ids)
    linked = set(linked_people) | set(linked_organisations)
    initiatives = Initiative.objects.all()
    if person_ids is not None:
        initiatives = initiatives.filter(Q(leader_id__in=person_ids) | Q(pk__in=linked))
    if organisation_ids is not None:
        initiatives = initiatives.filter(
            Q(organisation_id__in=organisation_ids)
            | Q(partners__in=organisation_ids)
            | Q(pk__in=linked)
        ).distinct()
    scope = (
        None
        if person_ids is None and organisation_ids is None
        else {"initiative_id__in": initiatives.values("pk")}
    )
    themes = _pairs(Initiative.themes.through, "initiative_id", "theme_id", **(scope or {}))
    groups = _pairs(
        Initiative.target_groups.through, "initiative_id", "targetgroup_id", **(scope or {})
    )
    partners = _pairs(
        Initiative.partners.through, "initiative_id", "organisation_id", **(scope or {})
    )
    by_person: dict[int, list[TrackRecordItem]] = defaultdict(list)
    by_organisation: dict[int, list[TrackRecordItem]] = defaultdict(list)
    rows = initiatives.values_list(
        "id",
        "ref",
        "title",
        "status",
        "results",
        "leader_id",
        "organisation_id",
        "municipality__name",
    )
    for pk, ref, title, status, results, leader_id, organisation_id, municipality in rows.iterator(
        chunk_size=20_000
    ):
        item = TrackRecordItem(
            initiative_id=pk,
            ref=ref,
            title=title,
            status=status,
            has_results=bool(results and results.strip()),
            themes=frozenset(themes.get(pk, ())),
            target_groups=frozenset(groups.get(pk, ())),
            municipality=municipality,
        )
        if leader_id:
            by_person[leader_id].append(item)
        if organisation_id:
            by_organisation[organisation_id].append(item)
        for partner_id in partners.get(pk, ()):
            by_organisation[partner_id].append(item)
        for person_id in linked_people.get(pk, ()):
            if person_id != leader_id:
                by_person[person_id].append(item)
        for linked_id in linked_organisations.get(pk, ()):
            if linked_id != organisation_id and linked_id not in partners.get(pk, ()):
                by_organisation[linked_id].append(item)
    return by_person, by_organisation


def _mentor_load(person_ids: Iterable[int] | None = None) -> dict[int, int]:
    queryset = Proposal.objects.filter(status=Proposal.Status.MATCHED, need__kind=Need.Kind.MENTOR)
    if person_ids is not None:
        queryset = queryset.filter(person_id__in=list(person_ids))
    return dict(queryset.values_list("person_id").annotate(n=Count("pk")))


def _exposure(field: str, ids: Iterable[int] | None = None) -> dict[int, int]:
    queryset = Proposal.objects.filter(
        created_at__gte=timezone.now() - EXPOSURE_WINDOW, **{f"{field}__isnull": False}
    )
    if ids is not None:
        queryset = queryset.filter(**{f"{field}__in": list(ids)})
    return dict(queryset.values_list(field).annotate(n=Count("pk")))


def person_records(ids: Iterable[int] | None = None) -> list[CandidateRecord]:
    ids = list(ids) if ids is not None else None
    scope = {"person_id__in": ids} if ids is not None else {}
    roles = _pairs(Person.roles.through, "person_id", "role_id", **scope)
    languages = _pairs(Person.languages.through, "person_id", "language_id", **scope)
    themes = _pairs(Person.themes.through, "person_id", "theme_id", **scope)
    groups = _pairs(Person.target_groups.through, "person_id", "targetgroup_id", **scope)
    organisations = _pairs(Membership, "person_id", "organisation_id", **scope)
    track_by_person, _by_org = _track_records(person_ids=ids)
    load = _mentor_load(ids)
    exposure = _exposure("person_id", ids)
    queryset = Person.objects.all() if ids is None else Person.objects.filter(pk__in=ids)
    records = []
    for row in queryset.values(
        "id",
        "ref",
        "name",
        "municipality__name",
        "municipality__latitude",
        "municipality__longitude",
        "hours_per_week",
        "mentor_capacity",
        "open_to_matching",
        "visibility",
        "bio",
        "looking_for",
        "skills",
    ).iterator(chunk_size=20_000):
        pk = row["id"]
        track = tuple(track_by_person.get(pk, ()))
        skills = row["skills"] if isinstance(row["skills"], list) else []
        text = " ".join(
            [row["bio"] or "", " ".join(str(s) for s in skills)] + [item.title for item in track]
        )
        records.append(
            CandidateRecord(
                id=pk,
                kind="person",
                ref=row["ref"],
                name=row["name"],
                roles=frozenset(roles.get(pk, ())),
                themes=frozenset(themes.get(pk, ())),
                target_groups=frozenset(groups.get(pk, ())),
                languages=frozenset(languages.get(pk, ())),
                latitude=row["municipality__latitude"],
                longitude=row["municipality__longitude"],
                municipality=row["municipality__name"],
                hours_per_week=row["hours_per_week"],
                mentor_capacity=row["mentor_capacity"] or 0,
                mentor_load=load.get(pk, 0),
                open_to_matching=row["open_to_matching"],
                hidden=row["visibility"] == Person.Visibility.HIDDEN,
                organisation_ids=frozenset(organisations.get(pk, ())),
                text=text,
                looking_for=row["looking_for"] or "",
                track_record=track,
                exposure=exposure.get(pk, 0),
            )
        )
    return records


def organisation_records(ids: Iterable[int] | None = None) -> list[CandidateRecord]:
    ids = list(ids) if ids is not None else None
    scope = {"organisation_id__in": ids} if ids is not None else {}
    languages = _pairs(Organisation.languages.through, "organisation_id", "language_id", **scope)
    themes = _pairs(Organisation.themes.through, "organisation_id", "theme_id", **scope)
    groups = _pairs(
        Organisation.target_groups.through, "organisation_id", "targetgroup_id", **scope
    )
    _by_person, track_by_org = _track_records(organisation_ids=ids)
    exposure = _exposure("organisation_id", ids)
    queryset = (
        Organisation.objects.all() if ids is None else Organisation.objects.filter(pk__in=ids)
    )
    records = []
    for row in queryset.values(
        "id",
        "ref",
        "name",
        "municipality__name",
        "municipality__latitude",
        "municipality__longitude",
        "open_to_matching",
        "description",
        "offers",
    ).iterator(chunk_size=20_000):
        pk = row["id"]
        track = tuple(track_by_org.get(pk, ()))
        records.append(
            CandidateRecord(
                id=pk,
                kind="organisation",
                ref=row["ref"],
                name=row["name"],
                roles=frozenset(),
                themes=frozenset(themes.get(pk, ())),
                target_groups=frozenset(groups.get(pk, ())),
                languages=frozenset(languages.get(pk, ())),
                latitude=row["municipality__latitude"],
                longitude=row["municipality__longitude"],
                municipality=row["municipality__name"],
                hours_per_week=None,
                mentor_capacity=0,
                mentor_load=0,
                open_to_matching=row["open_to_matching"],
                hidden=False,
                organisation_ids=frozenset({pk}),
                text=" ".join(
                    [row["description"] or "", row["offers"] or ""] + [i.title for i in track]
                ),
                looking_for="",
                track_record=track,
                exposure=exposure.get(pk, 0),
            )
        )
    return records


def index_build() -> CandidateIndex:
    return CandidateIndex.build([*person_records(), *organisation_records()], vocabulary())


def _version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None) or 1


def index_get() -> CandidateIndex:
    """This process's index, rebuilt when another process has changed a candidate."""
    version = _version()
    with _lock:
        if _state["index"] is None or _state["version"] != version:
            _state["index"] = index_build()
            _state["version"] = version
        return _state["index"]  # type: ignore[return-value]


def index_warm(*, before_fork: bool = False) -> bool:
    """Build this process's index now, before it takes traffic (server hooks call this;
    see docs/matching-engine.md, Where the index is built). A no-op when the index is
    already current, e.g. inherited from a Gunicorn master that built it before forking.

    Never raises: a server whose database or cache is not ready yet must still start, and
    then builds on first use as before. With `before_fork` (a parent about to fork its
    workers), it also closes the database connections, which children must not share, and
    moves everything allocated so far out of the garbage collector's reach: full collections
    in the children then do not write to (and so copy) the pages they share with the parent.
    """
    started = time.monotonic()
    try:
        index = index_get()
    except Exception:  # whatever went wrong (database, cache), the first use builds instead
        logger.exception("matching index warm-up failed; it is built on first use instead")
        return False
    finally:
        if before_fork:
            connections.close_all()
    if before_fork:
        gc.collect()
        gc.freeze()
    logger.info(
        "matching index ready: %d candidates in %.1f s", len(index), time.monotonic() - started
    )
    return True


def index_rank(need: NeedQuery) -> RankResult:
    """Rank under the index's lock, so a refresh never changes arrays mid-ranking."""
    index = index_get()
    with _lock:
        return rank(index, need)


def index_explain(need: NeedQuery, kind: str, pk: int) -> Explanation:
    index = index_get()
    with _lock:
        return explain(index, need, kind, pk)


def index_rounds(needs: list[NeedQuery]) -> tuple[RoundResult, RoundResult]:
    """The best whole-group assignment and, for comparison, greedy one-by-one."""
    index = index_get()
    with _lock:
        return assign_round(index, needs), greedy_round(index, needs)


def _version_bump() -> int:
    try:
        return cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)
        return 2


def index_invalidate() -> None:
    """Many candidates changed: every process (this one included) rebuilds on next use."""
    _version_bump()
    index_reset()


def index_reset() -> None:
    with _lock:
        _state["index"] = None
        _state["version"] = None


def index_refresh(kind: str, pk: int) -> None:
    """One candidate changed: upsert (or remove) it here, and tell other processes."""
    records = person_records([pk]) if kind == "person" else organisation_records([pk])
    with _lock:
        index = _state["index"]
        if index is not None:
            if records:
                index.upsert(records[0])
            else:
                index.remove(kind, pk)
            if index.needs_compaction:
                index.compact()
    new_version = _version_bump()
    with _lock:
        if _state["index"] is not None:
            _state["version"] = new_version


def need_query(need: Need, *, limit: int = 10) -> NeedQuery:
    """The engine's view of a need: its wishes, the asker, and who is excluded."""
    organisation = need.organisation
    excluded: set[tuple[str, int]] = set()
    for person_id, organisation_id in need.proposals.filter(
        status__in=[Proposal.Status.DISMISSED, Proposal.Status.DECLINED, Proposal.Status.EXPIRED]
    ).values_list("person_id", "organisation_id"):
        excluded.add(("person", person_id) if person_id else ("organisation", organisation_id))
    for blocked in blocked_candidates(need):
        excluded.add(blocked)
    municipality = need.municipality
    return NeedQuery(
        kind=need.kind,
        themes=frozenset(need.themes.values_list("slug", flat=True)),
        target_groups=frozenset(need.target_groups.values_list("slug", flat=True)),
        languages=frozenset(need.languages.values_list("slug", flat=True)),
        languages_required=need.languages_required,
        latitude=municipality.latitude if municipality else None,
        longitude=municipality.longitude if municipality else None,
        municipality=municipality.name if municipality else None,
        radius_km=float(need.radius_km) if need.radius_km is not None else None,
        hours_per_week=float(need.hours_per_week) if need.hours_per_week else None,
        text=f"{need.title} {need.description}",
        title=need.title,  # a skill named in the title is asked for (engine/skills.py)
        asker_organisation_id=organisation.pk,
        asker_themes=frozenset(organisation.themes.values_list("slug", flat=True)),
        asker_text=f"{organisation.description} {organisation.offers}",
        excluded=frozenset(excluded),
        limit=limit,
    )


def blocked_candidates(need: Need) -> set[tuple[str, int]]:
    """People who blocked a member of the asking organisation, or whom one blocked: no
    proposals between them. Blocking arrives with messaging; until then nobody is blocked."""
    from network import blocks

    return {("person", pk) for pk in blocks.blocked_between_people_of(need.organisation_id)}
