"""The matching engine: plain Python, NumPy and SciPy, no Django.

`CandidateIndex.build(records, vocabulary)` turns candidate records into arrays;
`rank(index, need)` proposes candidates with per-signal contributions and evidence;
`explain()` says why a named candidate was or was not proposed; `assign_round()` and
`greedy_round()` match many needs at once. The design, the rules, the signals and their
weights, and the measured figures are in docs/matching-engine.md.
"""

from __future__ import annotations

from matching.engine.index import CandidateIndex
from matching.engine.ranking import explain, rank
from matching.engine.rounds import assign_round, greedy_round
from matching.engine.types import (
    CANDIDATE_KINDS,
    DEFAULT_WEIGHTS,
    EMPTY_REASONS,
    HARD_RULES,
    NEED_KINDS,
    NO_RELEVANCE,
    SIGNALS,
    CandidateRecord,
    Explanation,
    NeedQuery,
    Proposal,
    RankResult,
    RoundResult,
    TrackRecordItem,
    Vocabulary,
    Weights,
)

__all__ = [
    "CANDIDATE_KINDS",
    "DEFAULT_WEIGHTS",
    "EMPTY_REASONS",
    "HARD_RULES",
    "NEED_KINDS",
    "NO_RELEVANCE",
    "SIGNALS",
    "CandidateIndex",
    "CandidateRecord",
    "Explanation",
    "NeedQuery",
    "Proposal",
    "RankResult",
    "RoundResult",
    "TrackRecordItem",
    "Vocabulary",
    "Weights",
    "assign_round",
    "explain",
    "greedy_round",
    "rank",
]
