"""Speed of the matching engine: ranking, index refresh, memory, matching rounds.

    .venv/bin/python benchmarks/matching_speed.py [--people 100000] [--needs 240]
        [--reference-needs 16] [--round-needs 2000] [--round-candidates 10000] [--seed 7]

Single core: the thread counts of the BLAS libraries are pinned to 1 before NumPy loads.
On a synthetic network (`matching.engine.synthetic`) it measures

- building the index, and the memory it takes (`nbytes()`, and the process's resident size);
- ranking: wall-clock and CPU time per need, p50/p95/p99, over needs of every kind;
- the baseline, in the same run: the reference implementation (`matching.engine.reference`,
  the same scoring as a per-candidate Python loop) on a subset of the needs (it takes seconds
  per need), its time per need, the speedup, and whether both give the same top 10;
- refreshing the index after one profile changes (`upsert`), p50/p95/max;
- a matching round (2,000 needs x 10,000 candidates): `assign_round` against the greedy
  baseline `greedy_round`, seconds and total score.

See docs/matching-engine.md for the figures and how they were measured.
"""

from __future__ import annotations

for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    __import__("os").environ[_variable] = "1"

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.engine import CandidateIndex, assign_round, greedy_round, rank  # noqa: E402
from matching.engine.reference import ReferenceIndex  # noqa: E402
from matching.engine.reference import rank as reference_rank  # noqa: E402
from matching.engine.synthetic import NetworkGenerator  # noqa: E402

PEOPLE_KINDS = ("volunteer", "key_figure", "mentor")


def resident_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def percentiles(values_ms: list[float]) -> str:
    p50, p95, p99 = np.percentile(values_ms, [50, 95, 99])
    return f"p50 {p50:6.2f}  p95 {p95:6.2f}  p99 {p99:6.2f}  max {max(values_ms):6.2f} ms"


def timed(function, *args):
    wall, cpu = time.perf_counter(), time.thread_time()
    result = function(*args)
    return result, (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def top10(result) -> list[tuple[str, int, float]]:
    return [(p.kind, p.id, p.score) for p in result.proposals]


def section(title: str) -> None:
    print(f"\n== {title}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--needs", type=int, default=240)
    parser.add_argument("--reference-needs", type=int, default=16)
    parser.add_argument("--upserts", type=int, default=300)
    parser.add_argument("--round-needs", type=int, default=2_000)
    parser.add_argument("--round-candidates", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Matching engine speed, one core (BLAS threads 1), numpy {np.__version__}, "
        f"load average {load:.2f} on {os.cpu_count()} CPUs at the start"
    )

    section(f"Index: {args.people:,} people + {args.organisations:,} organisations")
    generator = NetworkGenerator(args.seed)
    started = time.perf_counter()
    records = generator.network(args.people, args.organisations)
    print(f"generated the synthetic network in {time.perf_counter() - started:.1f} s")
    before = resident_mb()
    index, build_ms, _ = timed(CandidateIndex.build, records, generator.vocabulary)
    after = resident_mb()
    detail = index.nbytes_detail()
    print(
        f"build: {build_ms / 1000:.1f} s ({len(index):,} candidates, "
        f"{len(index.text_model):,} stems, "
        f"{index.text.dense.shape[0]} frequent stems stored dense)"
    )
    print(
        f"nbytes(): {index.nbytes() / 2**20:.1f} MiB = "
        + ", ".join(f"{name} {size / 2**20:.1f}" for name, size in detail.items())
    )
    print(
        f"process resident size grew {after - before:.0f} MiB during the build "
        "(includes the build's temporary data)"
    )

    section(f"Ranking: {args.needs} needs, mixed kinds, limit 10")
    need_generator = NetworkGenerator(args.seed + 1)
    kinds = (*PEOPLE_KINDS, "partner")
    needs = need_generator.needs(records, args.needs, kinds=kinds)
    for need in needs[:10]:  # warm the caches (stems, allocator) once
        rank(index, need)
    wall: dict[str, list[float]] = {kind: [] for kind in kinds}
    cpu: dict[str, list[float]] = {kind: [] for kind in kinds}
    results = []
    for need in needs:
        result, wall_ms, cpu_ms = timed(rank, index, need)
        wall[need.kind].append(wall_ms)
        cpu[need.kind].append(cpu_ms)
        results.append(result)
    people_wall = [t for kind in PEOPLE_KINDS for t in wall[kind]]
    people_cpu = [t for kind in PEOPLE_KINDS for t in cpu[kind]]
    considered = np.mean(
        [
            r.candidates_considered
            for r, n in zip(results, needs, strict=True)
            if n.kind != "partner"
        ]
    )
    print(
        f"people needs ({len(people_wall)}, against {args.people:,} people; "
        f"on average {considered:,.0f} pass the hard rules)"
    )
    print(f"  wall  {percentiles(people_wall)}")
    print(f"  CPU   {percentiles(people_cpu)}")
    for kind in kinds:
        print(f"  {kind:<11} wall {percentiles(wall[kind])}")
    postings = [
        int(np.diff(index.text.main.indptr)[c].sum())
        for c in (index.text_model.vector(n.text, 32)[0] for n in needs)
    ]
    print(
        f"text: a need touches on average {np.mean(postings):,.0f} sparse postings "
        "(plus its frequent stems' dense columns)"
    )

    section(f"Baseline: the reference implementation on {args.reference_needs} of those needs")
    reference, reference_build_ms, _ = timed(ReferenceIndex, index, records)
    print(
        f"reference index (known slugs, text vectors per candidate): "
        f"{reference_build_ms / 1000:.1f} s"
    )
    picked = random.Random(args.seed).sample(range(len(needs)), args.reference_needs)
    same = 0
    wall_ms: dict[str, list[float]] = {"reference": [], "engine": []}
    cpu_ms: dict[str, list[float]] = {"reference": [], "engine": []}
    for position in picked:
        slow, slow_wall, slow_cpu = timed(reference_rank, reference, needs[position])
        fast, fast_wall, fast_cpu = timed(rank, index, needs[position])
        wall_ms["reference"].append(slow_wall)
        wall_ms["engine"].append(fast_wall)
        cpu_ms["reference"].append(slow_cpu)
        cpu_ms["engine"].append(fast_cpu)
        same += top10(slow) == top10(fast) and slow.excluded_by_rule == fast.excluded_by_rule
    mean_wall = {name: float(np.mean(values)) for name, values in wall_ms.items()}
    mean_cpu = {name: float(np.mean(values)) for name, values in cpu_ms.items()}
    print(
        f"reference: {mean_wall['reference']:,.0f} ms wall, {mean_cpu['reference']:,.0f} ms CPU "
        f"per need on average (measured on a random {len(picked)} of the {len(needs)} needs; "
        f"all of them would take about {mean_wall['reference'] * len(needs) / 1000:,.0f} s, "
        "extrapolated)"
    )
    print(
        f"engine on the same needs: {mean_wall['engine']:.2f} ms wall, "
        f"{mean_cpu['engine']:.2f} ms CPU -> speedup "
        f"{mean_wall['reference'] / mean_wall['engine']:,.0f}x wall, "
        f"{mean_cpu['reference'] / mean_cpu['engine']:,.0f}x CPU"
    )
    print(f"identical top 10 (ids, order, scores) and rule counts: {same}/{len(picked)}")

    section(f"Refresh: {args.upserts} upserts of changed profiles (and new ones)")
    upsert_ms, upsert_cpu = [], []
    rng = random.Random(args.seed)
    people_records = [r for r in records if r.kind == "person"]
    for i in range(args.upserts):
        if i % 10 == 9:
            changed = generator.person(10_000_000 + i, args.organisations)
        else:
            old = rng.choice(people_records)
            changed = replace(
                generator.person(old.id, args.organisations), ref=old.ref, name=old.name
            )
        _, ms, cpu_ms = timed(index.upsert, changed)
        upsert_ms.append(ms)
        upsert_cpu.append(cpu_ms)
    print(f"upsert wall {percentiles(upsert_ms)}")
    print(f"upsert CPU  {percentiles(upsert_cpu)}")
    print(f"(rows waiting in the overlay: {len(index.text.overlay)})")
    _, compact_ms, _ = timed(index.compact)
    print(f"compact() (folds the overlay in; due after 2,048 rewritten rows): {compact_ms:.0f} ms")
    after = [timed(rank, index, n) for n in needs if n.kind in PEOPLE_KINDS][:60]
    print(f"ranking after the upserts and compaction: wall {percentiles([a[1] for a in after])}")
    print(f"                                          CPU  {percentiles([a[2] for a in after])}")

    section(f"Matching round: {args.round_needs:,} needs x {args.round_candidates:,} candidates")
    round_generator = NetworkGenerator(args.seed + 2)
    round_records = round_generator.network(args.round_candidates, args.round_candidates // 40)
    round_index = CandidateIndex.build(round_records, round_generator.vocabulary)
    round_needs = round_generator.needs(round_records, args.round_needs, kinds=PEOPLE_KINDS)
    best = assign_round(round_index, round_needs)
    greedy = greedy_round(round_index, round_needs)
    for name, result in (("assign_round", best), ("greedy_round (baseline)", greedy)):
        shortlist = result.extra.get("shortlist_seconds", 0.0)
        print(
            f"{name:<24} {result.seconds:6.1f} s (of which ranking the top "
            f"{result.candidates_per_need} per need {shortlist:.1f} s), total score "
            f"{result.total_score:8.2f}, {len(result.assignments)} assigned, "
            f"{len(result.unassigned)} unassigned"
        )
    gain = best.total_score - greedy.total_score
    print(
        f"assign_round - greedy: {gain:+.2f} total score ({100 * gain / greedy.total_score:+.2f}%)"
    )


if __name__ == "__main__":
    main()
