#!/usr/bin/env python
"""Benchmark: the knowledge bank's two search statements (the count and the sorted window of
ids) planned as PostgreSQL chooses, against the same statements with sequential scans
discouraged (`network.search.index_preferred`, docs/network.md, "The planner and full text").

Usage (a PostgreSQL database holding a generated network, as for network_search.py):

    .venv/bin/python benchmarks/search_plans.py \
        [--database-url postgres://postgres@127.0.0.1:5432/bruggen_bench] [--queries 200] [--rounds 5]

The queries are the text queries of network_search.py's mix (words and names from the
network's own text, alone and with filters) plus its typical queries. Each statement runs
`--rounds` times per query, the two plans alternating, so that both see the same machine;
the result rows of both are compared (they must be identical). Prints per-statement
p50/p95/p99 in ms for each plan and the worst queries. Nothing is written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import network_search as bench  # the mix and the helpers of the search benchmark


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=bench.DEFAULT_DATABASE_URL)
    parser.add_argument("--queries", type=int, default=200, help="text queries from the mix")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    mix = bench.build_query_mix(args.database_url, seed=args.seed, stream=10, never_seen=0)
    from urllib.parse import parse_qs

    from django.db import connection

    from network import search
    from network.selectors import InitiativeFilters, initiative_search

    texts = [q for q in bench.TYPICAL_QUERIES if "q=" in q]
    texts += [q for q in mix.zipf_queries if q.startswith("q=")][: args.queries]

    def filters(query: str) -> InitiativeFilters:
        params = parse_qs(query)
        return InitiativeFilters(
            q=params.get("q", [""])[0],
            themes=tuple(params.get("theme", ())),
            target_groups=tuple(params.get("target_group", ())),
            municipalities=tuple(params.get("municipality", ())),
            statuses=tuple(params.get("status", ())),
            success_factors=tuple(params.get("success_factor", ())),
            sort=params.get("sort", ["relevance"])[0],
        )

    timings: dict[tuple[str, str], list[float]] = {}
    per_query: list[tuple[float, float, str]] = []
    differences = 0
    print(f"load before: {bench.load_average()}")
    for query in texts:
        queryset = initiative_search(filters(query))
        page = int(parse_qs(query).get("page", ["1"])[0])
        window = queryset.values_list("pk", flat=True)[(page - 1) * 20 : page * 20]
        statements = {
            "count": (queryset, "count", queryset.count),
            "window": (window, "ids", lambda w=window: list(w.all())),
        }
        totals = {"planner": 0.0, "index": 0.0}
        for name, (target, kind, compute) in statements.items():
            results = {}
            for round_ in range(args.rounds):
                order = ("planner", "index") if round_ % 2 == 0 else ("index", "planner")
                for plan in order:
                    start = time.perf_counter()
                    if plan == "index":
                        value = search.index_preferred(target, kind, compute)
                    else:
                        value = compute()
                    elapsed = (time.perf_counter() - start) * 1000
                    results[plan] = value
                    timings.setdefault((name, plan), []).append(elapsed)
                    totals[plan] += elapsed / args.rounds
            if results["planner"] != results["index"]:
                differences += 1
                print(f"DIFFERENT {name} for {query}")
        per_query.append((totals["planner"], totals["index"], query))
    print(f"load after: {bench.load_average()}")
    print(
        f"Database: {connection.settings_dict['NAME']}; {len(texts)} queries, {args.rounds} rounds"
    )
    rows = []
    for (name, plan), values in sorted(timings.items()):
        rows.append(
            [
                f"{name}, {plan}",
                str(len(values)),
                *(f"{bench.percentile(values, p):.1f}" for p in (50, 95, 99)),
                f"{sum(values) / len(values):.1f}",
            ]
        )
    print(bench.table(["statement, plan", "runs", "p50", "p95", "p99", "mean"], rows))
    print("\nSlowest queries as planned (count + window, mean ms): planner -> index preferred")
    for planner, index, query in sorted(per_query, reverse=True)[:8]:
        print(f"  {planner:6.1f} -> {index:6.1f}  {query}")
    worse = [(index - planner, query) for planner, index, query in per_query if index > planner + 2]
    print(f"\nQueries more than 2 ms slower with the index preferred: {len(worse)}")
    for delta, query in sorted(worse, reverse=True)[:5]:
        print(f"  +{delta:.1f} ms  {query}")
    print(f"Results different between the plans: {differences}")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
