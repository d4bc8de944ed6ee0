"""The adapter between the ORM and the matching engine (matching/engine/, no Django).

Builds `CandidateRecord`s in bulk (a fixed number of queries, whatever the size of the
network) and keeps one `CandidateIndex` per process. A changed candidate is appended to a
shared log after the commit (matching/deltas.py); each process applies the entries it has
not seen (upsert or remove) when it next ranks, and rebuilds, in the background, only when
it missed entries or is asked to (an import, the nightly refresh). See
docs/matching-engine.md, Changes as deltas.
"""

from __future__ import annotations

import gc
import logging
import os
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.db.models import Count
from django.utils import timezone

from matching import deltas
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
    scope = None
    if person_ids is not None or organisation_ids is not None:
        # The initiatives' ids first, as a list: each query below then looks a few ids up
        # in an index, where a subquery with an OR over the partners join (and DISTINCT)
        # scanned the partner links four times (about 80 ms each at 100,000 candidates).
        # Plus the initiatives a registered source (stories) puts on their record.
        pks: set[int] = set(linked)
        if person_ids is not None:
            pks.update(
                Initiative.objects.filter(leader_id__in=person_ids).values_list("pk", flat=True)
            )
        if organisation_ids is not None:
            pks.update(
                Initiative.objects.filter(organisation_id__in=organisation_ids).values_list(
                    "pk", flat=True
                )
            )
            pks.update(
                Initiative.partners.through.objects.filter(
                    organisation_id__in=organisation_ids
                ).values_list("initiative_id", flat=True)
            )
        initiatives = initiatives.filter(pk__in=sorted(pks))
        scope = {"initiative_id__in": sorted(pks)}
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


# Pending changes applied in one catch-up, at most; more (a process that did not rank for
# hours), and it rebuilds in the background instead. At 100,000 candidates 1,000 deltas
# cost about 0.15 s of CPU, 0.9 s wall on a busy machine (docs/matching-engine.md).
DELTAS_APPLIED_AT_ONCE = 2_000
# A nightly rebuild starts in each process after a random delay of up to this many seconds,
# so that the processes of one machine do not all build at once.
NIGHTLY_SPREAD = 600.0

_lock = threading.RLock()  # the index's arrays: ranking, upserts, the swap after a rebuild
_catch_up_lock = threading.Lock()  # one thread at a time reads and applies the log
_state: dict[str, object] = {"index": None, "seq": None, "rebuilding": None, "builds": 0}


def _after_fork_in_child() -> None:
    # A thread does not survive a fork: a rebuild running in the parent is not ours.
    global _lock, _catch_up_lock
    _lock = threading.RLock()
    _catch_up_lock = threading.Lock()
    _state["rebuilding"] = None


os.register_at_fork(after_in_child=_after_fork_in_child)


def index_build() -> CandidateIndex:
    return CandidateIndex.build([*person_records(), *organisation_records()], vocabulary())


def _build_and_install() -> None:
    """A full build from the database; installs it with the log position read *before* the
    build, so changes that commit while it runs are applied again on top (idempotent)."""
    try:
        seq = deltas.read(None, limit=0).seq
    except deltas.LogUnreachable:
        seq = None  # catch up from wherever the log is once it answers
    started = time.monotonic()
    index = index_build()
    with _lock:
        _state["index"] = index
        _state["seq"] = seq
        _state["builds"] = int(_state["builds"]) + 1  # type: ignore[call-overload]
    logger.info(
        "matching index built: %d candidates in %.1f s", len(index), time.monotonic() - started
    )


def _background_rebuild(delay: float) -> None:
    try:
        if delay:
            time.sleep(delay)
        _build_and_install()
    except Exception:  # the old index keeps serving; the next missed change tries again
        logger.exception("matching index: background rebuild failed; the old index serves on")
    finally:
        connections.close_all()  # this thread's own connections
        with _lock:
            _state["rebuilding"] = None


def _rebuild_start(*, reason: str, background: bool, delay: float = 0.0) -> None:
    """Rebuild this process's index: in a thread while the current one keeps serving (web
    processes), or now (no index yet; a worker starting, before traffic)."""
    if not background or _state["index"] is None:
        _build_and_install()
        return
    with _lock:
        if _state["rebuilding"] is not None:
            return
        if not getattr(settings, "MATCHING_INDEX_REBUILD_IN_BACKGROUND", True):
            background = False
        else:
            thread = threading.Thread(
                target=_background_rebuild, args=(delay,), name="matching-index-rebuild"
            )
            thread.daemon = True
            _state["rebuilding"] = thread
    logger.info("matching index: rebuilding (%s)", reason)
    if background:
        thread.start()
    else:
        _build_and_install()


def _apply(index: CandidateIndex, entries: list[tuple[str, str]]) -> tuple[int, str | None]:
    """Upsert or remove the changed candidates: their records in one batch per kind (a fixed
    number of queries); returns how many, and the reason of a rebuild asked for, if any."""
    wanted: dict[str, set[int]] = {"person": set(), "organisation": set()}
    rebuild: str | None = None
    for kind, value in entries:
        if kind == deltas.REBUILD:
            rebuild = value
        elif kind in wanted:
            wanted[kind].add(int(value))
    records = {
        "person": person_records(sorted(wanted["person"])) if wanted["person"] else [],
        "organisation": (
            organisation_records(sorted(wanted["organisation"])) if wanted["organisation"] else []
        ),
    }
    with _lock:
        for kind, ids in wanted.items():
            found = {record.id: record for record in records[kind]}
            for pk in sorted(ids):
                if pk in found:
                    index.upsert(found[pk])
                else:
                    index.remove(kind, pk)
    return len(wanted["person"]) + len(wanted["organisation"]), rebuild


def _catch_up(*, background: bool) -> None:
    """Apply the changes this process has not seen; rebuild when it missed some."""
    with _catch_up_lock:
        index = _state["index"]
        if index is None:
            return
        try:
            read = deltas.read(_state["seq"], limit=DELTAS_APPLIED_AT_ONCE)  # type: ignore[arg-type]
        except deltas.LogUnreachable:
            return  # fail open: rank on the index as it is
        if _state["seq"] is None:  # built while the log was unreachable: changes may be lost
            _state["seq"] = read.seq
            _rebuild_start(reason="built while the log was unreachable", background=background)
            return
        _count, rebuild = _apply(index, read.entries)  # type: ignore[arg-type]
        with _lock:
            if _state["index"] is index:
                _state["seq"] = read.seq
        if read.missed:
            _rebuild_start(reason="missed changes", background=background)
        elif rebuild is not None:
            nightly = rebuild == "nightly"
            _rebuild_start(
                reason=rebuild,
                background=background,
                delay=random.uniform(0, NIGHTLY_SPREAD) if nightly and background else 0.0,
            )
        elif index.needs_compaction:
            _compact_start(index, background=background)


def _compact(index: CandidateIndex) -> None:
    try:
        with _lock:
            index.compact()
    finally:
        with _lock:
            if _state["rebuilding"] is threading.current_thread():
                _state["rebuilding"] = None


def _compact_start(index: CandidateIndex, *, background: bool) -> None:
    """Fold the rewritten rows into the main matrices (about 1 s at 100,000) in a thread;
    rankings in this process wait for it meanwhile (it holds the index's lock)."""
    with _lock:
        if _state["rebuilding"] is not None:
            return
        if not background or not getattr(settings, "MATCHING_INDEX_REBUILD_IN_BACKGROUND", True):
            index.compact()
            return
        thread = threading.Thread(target=_compact, args=(index,), name="matching-index-compact")
        thread.daemon = True
        _state["rebuilding"] = thread
    thread.start()


def index_get(*, background: bool = True) -> CandidateIndex:
    """This process's index, with every change published since it last looked applied.

    Builds only when the process has none (the warm-up at start failed, or a test reset
    it); a process that missed changes (the log was trimmed past it, or lost) or was asked
    to rebuild keeps serving this index while a thread builds the next one."""
    if _state["index"] is None:
        with _catch_up_lock:
            if _state["index"] is None:
                _build_and_install()
    _catch_up(background=background)
    return _state["index"]  # type: ignore[return-value]


def index_settle() -> CandidateIndex:
    """`index_get()`, then wait for a rebuild running in this process: for tasks (never a
    request), e.g. proposals refreshed after an import must see the imported candidates."""
    index = index_get()
    thread = _state["rebuilding"]
    if isinstance(thread, threading.Thread):
        thread.join()
        index = index_get()
    return index


def index_builds() -> int:
    """How many full builds this process has done (the benchmarks and tests count them)."""
    return int(_state["builds"])  # type: ignore[call-overload]


def index_warm(*, before_fork: bool = False) -> bool:
    """Build this process's index now, before it takes traffic (server hooks call this;
    see docs/matching-engine.md, Where the index is built). A process that already has one
    (inherited from a Gunicorn master that built it before forking) only catches up with
    the changes since, and rebuilds now, not in the background, if it missed some: it
    takes no traffic yet.

    Never raises: a server whose database or cache is not ready yet must still start, and
    then builds on first use as before. With `before_fork` (a parent about to fork its
    workers), it also closes the database connections, which children must not share, and
    moves everything allocated so far out of the garbage collector's reach: full collections
    in the children then do not write to (and so copy) the pages they share with the parent.
    """
    started = time.monotonic()
    try:
        index = index_get(background=False)
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
    """Rank under the index's lock, so a change never rewrites arrays mid-ranking."""
    index = index_get()
    with _lock:
        return rank(_state["index"] or index, need)  # type: ignore[arg-type]


def index_explain(need: NeedQuery, kind: str, pk: int) -> Explanation:
    index = index_get()
    with _lock:
        return explain(_state["index"] or index, need, kind, pk)  # type: ignore[arg-type]


def index_rounds(needs: list[NeedQuery]) -> tuple[RoundResult, RoundResult]:
    """The best whole-group assignment and, for comparison, greedy one-by-one."""
    index_get()
    with _lock:
        index = _state["index"]
        return assign_round(index, needs), greedy_round(index, needs)  # type: ignore[arg-type]


def index_changed(kind: str, pk: int) -> None:
    """One candidate changed (called after the commit): every process, this one included,
    applies it on its next `index_get()`."""
    deltas.append(kind, pk)


def index_invalidate(reason: str = "bulk") -> None:
    """Many candidates changed (an import), or the nightly refresh of the vocabulary and
    idf: every process rebuilds in the background and swaps when done."""
    deltas.append(deltas.REBUILD, reason)


def index_reset() -> None:
    """Forget this process's index (tests): the next `index_get()` builds."""
    with _lock:
        _state["index"] = None
        _state["seq"] = None
        _state["rebuilding"] = None
    deltas.reset()


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
