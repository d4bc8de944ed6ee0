"""Matching rounds: many needs at once, each candidate used at most its capacity.

`assign_round` maximises the total score over all needs: each need keeps its top-K
candidates (the same ranking as `rank()`), each candidate is expanded into as many slots as
its capacity, every need gets a "nobody" slot of score 0, and the minimum-cost full
matching of needs to slots (cost 1 - score) is found with SciPy's LAPJVsp
(`scipy.sparse.csgraph.min_weight_full_bipartite_matching`). `greedy_round` serves the
needs one by one, each taking its best candidate that is still free: the baseline the
round is compared with in benchmarks/matching_speed.py. See docs/matching-engine.md.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from matching.engine.formulae import prepare_need
from matching.engine.index import CandidateIndex
from matching.engine.ranking import score_need, top_positions
from matching.engine.types import CANDIDATE_KINDS, DEFAULT_WEIGHTS, NeedQuery, RoundResult, Weights

CANDIDATES_PER_NEED = 25
_COST_OFFSET = 1e-3  # keeps every cost > 0: SciPy treats a stored 0 as "no edge"

Key = tuple[str, int]


def _shortlists(index, needs, weights, k) -> list[list[tuple[int, float]]]:
    """Per need, its top-k (slot, score), best first."""
    shortlists = []
    for need in needs:
        prepared = prepare_need(need, index.vocabulary, index.text_model, weights)
        scored = score_need(index, prepared)
        if scored.empty_reason:
            shortlists.append([])
            continue
        positions = top_positions(index, scored, k)
        shortlists.append([(int(scored.slots[p]), float(scored.scores[p])) for p in positions])
    return shortlists


def _pool(index: CandidateIndex, slot: int, need: NeedQuery, capacities) -> tuple[int, str]:
    """Which capacity an assignment of this candidate to this need uses up.

    A given capacity covers every need; otherwise a mentor need uses the candidate's
    remaining mentorships and any other need its one general slot (so a mentor with room
    for two mentees may also be proposed once as, say, a volunteer).
    """
    if _key(index, slot) in capacities:
        return slot, "given"
    return slot, "mentor" if need.kind == "mentor" else "general"


def _capacity(index: CandidateIndex, pool: tuple[int, str], capacities) -> int:
    slot, name = pool
    if name == "given":
        return max(0, int(capacities[_key(index, slot)]))
    if name == "mentor":
        return max(0, int(index.mentor_capacity[slot]) - int(index.mentor_load[slot]))
    return 1


def _key(index: CandidateIndex, slot: int) -> Key:
    return CANDIDATE_KINDS[int(index.kind[slot])], int(index.ids[slot])


def _result(index, assignments, n_needs, started, k, extra) -> RoundResult:
    assigned = {position for position, _, _ in assignments}
    return RoundResult(
        assignments=[(p, _key(index, slot), score) for p, slot, score in assignments],
        total_score=float(sum(score for _, _, score in assignments)),
        unassigned=[p for p in range(n_needs) if p not in assigned],
        seconds=time.perf_counter() - started,
        candidates_per_need=k,
        extra=extra,
    )


def assign_round(
    index: CandidateIndex,
    needs: list[NeedQuery],
    capacities: dict[Key, int] | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    candidates_per_need: int = CANDIDATES_PER_NEED,
) -> RoundResult:
    """One candidate per need, maximising the total score within every capacity.

    Capacity: `capacities[(kind, id)]` when given (for all the round's needs together);
    else a mentor's remaining mentorships for mentor needs and 1 for any other need.
    """
    started = time.perf_counter()
    needs = list(needs)
    capacities = capacities or {}
    k = max(1, int(candidates_per_need))
    shortlists = _shortlists(index, needs, weights, k)
    shortlisted = time.perf_counter()
    # Each pool becomes as many columns as it has capacity, but never more than the
    # number of needs that could use it.
    demand: dict[tuple[int, str], int] = {}
    for need, shortlist in zip(needs, shortlists, strict=True):
        for slot, _ in shortlist:
            pool = _pool(index, slot, need, capacities)
            demand[pool] = demand.get(pool, 0) + 1
    columns_of: dict[tuple[int, str], range] = {}
    owner: list[int] = []
    for pool, wanted in demand.items():
        copies = min(_capacity(index, pool, capacities), wanted)
        columns_of[pool] = range(len(owner), len(owner) + copies)
        owner.extend([pool[0]] * copies)
    n_columns = len(owner)
    rows_with_edges = [p for p, shortlist in enumerate(shortlists) if shortlist]
    if not rows_with_edges:
        return _result(
            index,
            [],
            len(needs),
            started,
            k,
            {"edges": 0, "shortlist_seconds": shortlisted - started},
        )
    row_index, column_index, costs = [], [], []
    for row, position in enumerate(rows_with_edges):
        need = needs[position]
        for slot, score in shortlists[position]:
            for column in columns_of[_pool(index, slot, need, capacities)]:
                row_index.append(row)
                column_index.append(column)
                costs.append(1.0 + _COST_OFFSET - score)
        row_index.append(row)  # "nobody", score 0: every need can be matched
        column_index.append(n_columns + row)
        costs.append(1.0 + _COST_OFFSET)
    graph = sparse.csr_matrix(
        (np.asarray(costs), (np.asarray(row_index), np.asarray(column_index))),
        shape=(len(rows_with_edges), n_columns + len(rows_with_edges)),
    )
    matched_rows, matched_columns = min_weight_full_bipartite_matching(graph)
    assignments = []
    for row, column in zip(matched_rows.tolist(), matched_columns.tolist(), strict=True):
        if column >= n_columns:
            continue  # nobody
        position = rows_with_edges[row]
        slot = owner[column]
        score = next(s for candidate, s in shortlists[position] if candidate == slot)
        assignments.append((position, slot, score))
    assignments.sort()
    extra = {"edges": len(costs), "shortlist_seconds": shortlisted - started}
    return _result(index, assignments, len(needs), started, k, extra)


def greedy_round(
    index: CandidateIndex,
    needs: list[NeedQuery],
    capacities: dict[Key, int] | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    candidates_per_need: int = CANDIDATES_PER_NEED,
) -> RoundResult:
    """Needs in the given order, each takes its best candidate that still has capacity."""
    started = time.perf_counter()
    needs = list(needs)
    k = max(1, int(candidates_per_need))
    capacities = capacities or {}
    shortlists = _shortlists(index, needs, weights, k)
    shortlisted = time.perf_counter()
    remaining: dict[tuple[int, str], int] = {}
    assignments = []
    for position, shortlist in enumerate(shortlists):
        for slot, score in shortlist:
            pool = _pool(index, slot, needs[position], capacities)
            if pool not in remaining:
                remaining[pool] = _capacity(index, pool, capacities)
            if remaining[pool] > 0:
                remaining[pool] -= 1
                assignments.append((position, slot, score))
                break
    return _result(
        index, assignments, len(needs), started, k, {"shortlist_seconds": shortlisted - started}
    )
