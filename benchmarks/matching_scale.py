"""The matching engine at national size: 1,000,000 candidates in one process, on one core.

    taskset -c 1 .venv/bin/python benchmarks/matching_scale.py [--sizes 100000 1000000]
        [--needs 120] [--seed 11]

For each size (people + organisations, organisations being 5 % of the candidates, as in a
network of 1 million people and 50,000 organisations) it measures, in one process:

- generating the synthetic network (`matching.engine.synthetic`; not part of the engine);
- building the index: wall-clock seconds, `nbytes()`, and the growth of the process's
  resident size (which includes the build's temporary data), and its peak;
- ranking (`rank`, limit 10) over needs of every kind: wall-clock and CPU p50/p95/p99.

The first size is the baseline for the others, measured in the same run on the same
machine: docs/scaling.md compares them. The thread counts of the BLAS libraries are pinned
to 1 before NumPy loads; pin the process to one core with `taskset -c N` as well, and note
the load average printed at the start and the end (other work on the machine shows there).
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
import gc  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.engine import CandidateIndex, rank  # noqa: E402
from matching.engine.synthetic import NetworkGenerator  # noqa: E402

PEOPLE_KINDS = ("volunteer", "key_figure", "mentor")
KINDS = (*PEOPLE_KINDS, "partner")


def status_mb(field: str) -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def load() -> str:
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def percentiles(values_ms: list[float]) -> str:
    p50, p95, p99 = np.percentile(values_ms, [50, 95, 99])
    return f"p50 {p50:7.2f}  p95 {p95:7.2f}  p99 {p99:7.2f}  max {max(values_ms):7.2f} ms"


def measure(size: int, needs_count: int, seed: int) -> dict[str, float]:
    organisations = size // 20
    people = size - organisations
    print(f"\n== {size:,} candidates: {people:,} people + {organisations:,} organisations")
    generator = NetworkGenerator(seed)
    started = time.perf_counter()
    records = generator.network(people, organisations)
    print(f"generated the synthetic network in {time.perf_counter() - started:.1f} s")
    gc.collect()
    before = status_mb("VmRSS")
    started = time.perf_counter()
    index = CandidateIndex.build(records, generator.vocabulary)
    build_s = time.perf_counter() - started
    after = status_mb("VmRSS")
    nbytes_mib = index.nbytes() / 2**20
    print(f"build: {build_s:.1f} s for {len(index):,} candidates")
    print(
        f"nbytes(): {nbytes_mib:,.0f} MiB = "
        + ", ".join(f"{name} {n / 2**20:,.0f}" for name, n in index.nbytes_detail().items())
    )
    print(
        f"resident size grew {after - before:,.0f} MiB during the build; "
        f"peak resident size so far {status_mb('VmHWM'):,.0f} MiB (records included)"
    )

    needs = NetworkGenerator(seed + 1).needs(records, needs_count, kinds=KINDS)
    for need in needs[:8]:  # warm the caches (stems, allocator) once
        rank(index, need)
    wall: dict[str, list[float]] = {kind: [] for kind in KINDS}
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    considered = []
    for need in needs:
        started_wall, started_cpu = time.perf_counter(), time.thread_time()
        result = rank(index, need)
        wall[need.kind].append((time.perf_counter() - started_wall) * 1000)
        cpu[need.kind].append((time.thread_time() - started_cpu) * 1000)
        if need.kind != "partner":
            considered.append(result.candidates_considered)
    people_wall = [t for kind in PEOPLE_KINDS for t in wall[kind]]
    people_cpu = [t for kind in PEOPLE_KINDS for t in cpu[kind]]
    every_wall = [t for kind in KINDS for t in wall[kind]]
    print(
        f"ranking {len(needs)} needs (people needs: on average "
        f"{np.mean(considered):,.0f} candidates pass the hard rules)"
    )
    print(f"  all needs   wall {percentiles(every_wall)}")
    print(f"  people      wall {percentiles(people_wall)}")
    print(f"  people      CPU  {percentiles(people_cpu)}")
    for kind in KINDS:
        print(f"  {kind:<11} wall {percentiles(wall[kind])}")
    p50, p95 = np.percentile(every_wall, [50, 95])
    figures = {
        "build_s": build_s,
        "nbytes_mib": nbytes_mib,
        "rss_growth_mib": after - before,
        "p50_ms": float(p50),
        "p95_ms": float(p95),
    }
    del index, records, needs
    gc.collect()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--needs", type=int, default=120)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    print(
        f"Matching engine at scale, numpy {np.__version__}, BLAS threads 1, "
        f"CPUs allowed {affinity} of {os.cpu_count()}, load average {load()} at the start"
    )
    results = {size: measure(size, args.needs, args.seed) for size in args.sizes}
    baseline_size = args.sizes[0]
    baseline = results[baseline_size]
    print(f"\n== Against the baseline ({baseline_size:,} candidates, same run)")
    for size, figures in results.items():
        print(
            f"{size:>10,}: x{size / baseline_size:4.0f} candidates -> build "
            f"x{figures['build_s'] / baseline['build_s']:5.1f}, nbytes "
            f"x{figures['nbytes_mib'] / baseline['nbytes_mib']:5.1f}, rank p50 "
            f"x{figures['p50_ms'] / baseline['p50_ms']:5.1f}, p95 "
            f"x{figures['p95_ms'] / baseline['p95_ms']:5.1f}"
        )
    print(f"\nload average {load()} at the end")


if __name__ == "__main__":
    main()
