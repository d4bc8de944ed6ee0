"""Changes as deltas: what a process pays to apply 1, 100 and 1,000 changed candidates
from the shared log, against a full build of its index, in the same run.

    DATABASE_URL=postgres://.../bench REDIS_URL=redis://.../n \\
        .venv/bin/python benchmarks/matching_delta.py [--rounds 5] [--sizes 1,100,1000]

Needs a database with a network in it, e.g. `manage.py generate_network --people 100000
--organisations 5000 --initiatives 20000 --seed 1`. With REDIS_URL the log is Redis (as in
production); without it, the in-process log.

1. A full build (`index_build()`), wall and CPU time, split into the adapter (queries and
   records) and the engine; resident size before and after (VmRSS, VmHWM) and `nbytes()`.
2. For each size N, `--rounds` times: N candidates drawn at random (5% organisations, as in
   the network) are appended to the log, then `index_get()` applies them: the log read, the
   records of the N in one batch of queries per kind, and N upserts. Wall and CPU time,
   queries, the share spent loading records.
3. `compact()` after the upserts (the overlay folded into the main matrices), wall and CPU.
4. The rankings after the deltas against an index built from the database with the same
   words and idf (`CandidateIndex.build(..., text_model=...)`): identical top 10 for 40 needs.
5. Loading the records of 100 changed candidates with the previous scoping of their
   initiatives against the current one, alternating (the win this benchmark found).

The machine is shared: every figure comes with the load average (`uptime`) before and after,
and CPU time next to wall time. See docs/matching-engine.md (Changes as deltas).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


class Timer:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def _previous_track_records(*, person_ids=None, organisation_ids=None):
    """matching.index._track_records as it was before the deltas (the same-run baseline)."""
    from collections import defaultdict

    from django.db.models import Q

    from matching.engine import TrackRecordItem
    from matching.index import _pairs
    from network.models import Initiative

    initiatives = Initiative.objects.all()
    if person_ids is not None:
        initiatives = initiatives.filter(leader_id__in=person_ids)
    if organisation_ids is not None:
        initiatives = initiatives.filter(
            Q(organisation_id__in=organisation_ids) | Q(partners__in=organisation_ids)
        ).distinct()
    scope = {"initiative_id__in": initiatives.values("pk")}
    themes = _pairs(Initiative.themes.through, "initiative_id", "theme_id", **scope)
    groups = _pairs(Initiative.target_groups.through, "initiative_id", "targetgroup_id", **scope)
    partners = _pairs(Initiative.partners.through, "initiative_id", "organisation_id", **scope)
    by_person, by_organisation = defaultdict(list), defaultdict(list)
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
    for pk, ref, title, status, results, leader_id, organisation_id, municipality in rows:
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
    return by_person, by_organisation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="1,100,1000")
    parser.add_argument("--needs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from matching import deltas
    from matching import index as matching_index
    from matching.engine import CandidateIndex, rank
    from matching.models import Need
    from network.models import Organisation, Person

    print(f"uptime before: {_uptime()}")
    print(f"log: {type(deltas.log()).__name__}")
    rss_start = _status_mib("VmRSS")

    # 1. the full build, adapter and engine apart
    with Timer() as adapter:
        records = [*matching_index.person_records(), *matching_index.organisation_records()]
        vocabulary = matching_index.vocabulary()
    with Timer() as engine:
        built = CandidateIndex.build(records, vocabulary)
    del records
    full_wall, full_cpu = adapter.wall + engine.wall, adapter.cpu + engine.cpu
    print(
        f"full build: {len(built):,} candidates, wall {full_wall:.2f} s "
        f"(adapter {adapter.wall:.2f}, engine {engine.wall:.2f}), "
        f"CPU {full_cpu:.2f} s (adapter {adapter.cpu:.2f}, engine {engine.cpu:.2f})"
    )
    print(
        f"memory: nbytes {built.nbytes() / 2**20:.0f} MiB; VmRSS {rss_start:.0f} -> "
        f"{_status_mib('VmRSS'):.0f} MiB, peak VmHWM {_status_mib('VmHWM'):.0f} MiB"
    )

    # Install it as this process's index, at the log's current position.
    matching_index._state["index"] = built
    matching_index._state["seq"] = deltas.read(None, limit=0).seq
    index = matching_index.index_get()
    assert index is built

    rng = random.Random(args.seed)
    people = list(Person.objects.values_list("pk", flat=True))
    organisations = list(Organisation.objects.values_list("pk", flat=True))
    builds_before = matching_index.index_builds()

    # 2. deltas
    print(
        "\nN deltas | wall p50 / max (ms) | CPU p50 (ms) | per delta wall (ms) | queries | "
        "share of a full build (wall, CPU)"
    )
    for size in sizes:
        walls, cpus, queries = [], [], []
        for _ in range(args.rounds):
            chosen = [
                ("organisation", rng.choice(organisations))
                if rng.random() < 0.05
                else ("person", rng.choice(people))
                for _ in range(size)
            ]
            for kind, pk in chosen:
                deltas.append(kind, pk)
            reset_queries()
            with CaptureQueriesContext(connection) as captured, Timer() as timer:
                matching_index.index_get()
            walls.append(timer.wall)
            cpus.append(timer.cpu)
            queries.append(len(captured.captured_queries))
            if index.needs_compaction:  # keep the overlay from growing across sizes
                with Timer() as compaction:
                    index.compact()
                print(f"  (compacted: wall {compaction.wall:.2f} s, CPU {compaction.cpu:.2f} s)")
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(
            f"{size:>8} | {wall * 1000:9.1f} / {max(walls) * 1000:7.1f} | {cpu * 1000:10.1f} | "
            f"{wall * 1000 / size:8.3f} | {max(queries):>3} | "
            f"{wall / full_wall:.2%}, {cpu / full_cpu:.2%}"
        )
    assert matching_index.index_builds() == builds_before, "a delta caused a full build"

    # 3. compaction
    overlay = len(index.text.overlay)
    with Timer() as compaction:
        index.compact()
    print(
        f"\ncompact() with {overlay:,} rows in the overlay: wall {compaction.wall:.2f} s, "
        f"CPU {compaction.cpu:.2f} s"
    )

    # 4. the same rankings as an index built from the database with the same words
    with Timer() as rebuild:
        same_words = CandidateIndex.build(
            [*matching_index.person_records(), *matching_index.organisation_records()],
            matching_index.vocabulary(),
            text_model=index.text_model,
        )
    queries = [
        matching_index.need_query(need, limit=10)
        for need in Need.objects.filter(status=Need.Status.OPEN).order_by("?")[: args.needs]
    ]
    if len(queries) < args.needs:  # a generated network has few needs: synthetic ones too
        from matching.engine.synthetic import NetworkGenerator

        askers = [index.record("organisation", pk) for pk in organisations[:200]]
        generator = NetworkGenerator(args.seed, index.vocabulary)
        queries += generator.needs([a for a in askers if a], args.needs - len(queries))
    identical = 0
    for query in queries:
        a = [(p.kind, p.id, round(p.score, 9)) for p in rank(index, query).proposals]
        b = [(p.kind, p.id, round(p.score, 9)) for p in rank(same_words, query).proposals]
        identical += a == b
    print(
        f"identical top 10 after the deltas: {identical}/{len(queries)} "
        f"(reference build {rebuild.wall:.1f} s)"
    )
    print(f"VmRSS at the end {_status_mib('VmRSS'):.0f} MiB (two indexes held)")

    # 5. loading the records of changed candidates: the previous scoping of their
    # initiatives (a subquery with an OR over the partners join) against the current one
    current_track_records = matching_index._track_records
    variants = {"current": current_track_records, "previous": _previous_track_records}
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.rounds):
        chosen_people = rng.sample(people, 95)
        chosen_organisations = rng.sample(organisations, 5)
        for name, function in variants.items():
            matching_index._track_records = function
            with Timer() as timer:
                matching_index.person_records(chosen_people)
                matching_index.organisation_records(chosen_organisations)
            times[name].append(timer.wall)
    matching_index._track_records = current_track_records
    print(
        "records of 95 people and 5 organisations, wall p50: "
        + ", ".join(f"{n} {statistics.median(t) * 1000:.0f} ms" for n, t in times.items())
    )
    print(f"uptime after: {_uptime()}")


if __name__ == "__main__":
    main()
