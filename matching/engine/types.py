"""The engine's value types: what goes in (records, needs, weights) and what comes out.

Everything here is a frozen dataclass of plain Python values so that the Django adapter,
the tests and the benchmarks can build them without the ORM. See docs/matching-engine.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NEED_KINDS = ("partner", "volunteer", "mentor", "key_figure")
CANDIDATE_KINDS = ("organisation", "person")

# The hard rules, in the order in which they are checked; the first one that excludes a
# candidate is the one `explain()` names and `RankResult.excluded_by_rule` counts.
HARD_RULES = (
    "wrong_kind",
    "own_organisation",
    "not_open",
    "hidden",
    "excluded",
    "mentor_full",
    "language_required",
    "location_unknown",
    "outside_radius",
)
# Not a hard rule but a floor: a candidate that shares nothing substantive with the need
# (no target group, theme, language, text or track record) is not proposed.
NO_RELEVANCE = "no_relevance"

# The soft signals, in the fixed order in which their shares are summed (the order matters
# for bit-identical scores between the vectorised engine and the reference loop).
SIGNALS = (
    "target_groups",
    "themes",
    "languages",
    "distance",
    "track_record",
    "text",
    "reciprocity",
    "hours",
    "skills",  # last: a need that names no skill sums exactly what it did before
)


@dataclass(frozen=True)
class Vocabulary:
    """Slug lists in a fixed order: position i is bit i of the taxonomy bitmasks."""

    themes: tuple[str, ...]
    target_groups: tuple[str, ...]
    languages: tuple[str, ...]
    roles: tuple[str, ...]


@dataclass(frozen=True)
class TrackRecordItem:
    """An initiative the candidate led (person) or ran or partnered in (organisation)."""

    initiative_id: int
    ref: str
    title: str
    status: str  # 'idea' | 'running' | 'finished'
    has_results: bool
    themes: frozenset[str]
    target_groups: frozenset[str]
    municipality: str | None


@dataclass(frozen=True)
class CandidateRecord:
    id: int
    kind: str  # 'person' | 'organisation'; ids are unique only within a kind
    ref: str
    name: str
    roles: frozenset[str]  # person roles (docs/contracts.md §2); empty for organisations
    themes: frozenset[str]
    target_groups: frozenset[str]
    languages: frozenset[str]
    latitude: float | None
    longitude: float | None
    municipality: str | None
    hours_per_week: float | None
    mentor_capacity: int
    mentor_load: int  # accepted mentorships now
    open_to_matching: bool
    hidden: bool
    organisation_ids: frozenset[int]  # person: their organisations; organisation: {own id}
    text: str  # bio / description + offers + skills + track-record titles and summaries
    looking_for: str
    track_record: tuple[TrackRecordItem, ...]
    exposure: int = 0  # proposals made to this candidate recently (fair exposure)


@dataclass(frozen=True)
class NeedQuery:
    kind: str  # 'partner' | 'volunteer' | 'mentor' | 'key_figure'
    themes: frozenset[str]
    target_groups: frozenset[str]
    languages: frozenset[str]
    languages_required: bool
    latitude: float | None
    longitude: float | None
    municipality: str | None
    radius_km: float | None  # None = anywhere
    hours_per_week: float | None
    text: str  # title + description
    asker_organisation_id: int
    asker_themes: frozenset[str]  # for reciprocity
    asker_text: str  # the asking organisation's description and offers, for reciprocity
    excluded: frozenset[tuple[str, int]] = frozenset()  # blocked, declined or dismissed
    limit: int = 10
    # The title alone (it is in `text` too): a skill or resource named in it is asked for,
    # as in "Tolk Tigrinya voor oudergesprekken" (see skills.py).
    title: str = ""


@dataclass(frozen=True)
class Weights:
    """One weight per soft signal, the fair-exposure strength, two scales, and the
    signals that weigh differently for one kind of need.

    A signal's share of the score is its weight times its value (in [0, 1]) divided by the
    sum of the weights of the signals that apply to the need; see docs/matching-engine.md.
    """

    target_groups: float = 3.0
    themes: float = 2.0
    languages: float = 1.5
    distance: float = 1.5
    track_record: float = 2.0
    text: float = 1.5
    reciprocity: float = 0.75
    hours: float = 0.5
    # A skill or resource the need asks for by name (interpreting, a kitchen): applies only
    # then, and weighs as much as target groups, themes and track record together (3 + 2 +
    # 2; for mentors 3 + 2 + 4), so that having it outweighs a general record on the need's
    # themes (see docs/matching-engine.md).
    skills: float = 7.0
    # Fair exposure: the score is divided by 1 + exposure * log1p(recent proposals).
    exposure: float = 0.08
    # Distance value exp(-km / distance_scale_km): 1 at the same spot, 0.37 at this distance.
    distance_scale_km: float = 10.0
    # (need kind, signal, weight): partner matching is first of all what one organisation
    # offers against what the other needs (text); a mentor is chosen for the experience
    # behind them (track record), so a named skill must weigh more there too.
    by_kind: tuple[tuple[str, str, float], ...] = (
        ("partner", "text", 3.0),
        ("mentor", "track_record", 4.0),
        ("mentor", "skills", 9.0),
    )

    def of(self, signal: str, kind: str | None = None) -> float:
        for need_kind, name, weight in self.by_kind:
            if need_kind == kind and name == signal:
                return float(weight)
        return float(getattr(self, signal))


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Proposal:
    kind: str
    id: int
    ref: str
    name: str
    score: float  # in [0, 1]
    contributions: dict[str, float]  # per signal, its share of the score; they sum to score
    evidence: dict[str, object]  # what the reasons are built from, per signal


@dataclass(frozen=True)
class RankResult:
    proposals: list[Proposal]
    candidates_considered: int  # candidates that passed every hard rule
    excluded_by_rule: dict[str, int]
    empty_reason: str | None  # set when proposals is empty; see EMPTY_REASONS


EMPTY_REASONS = (
    "empty_index",
    "unknown_kind",
    "limit_zero",
    "no_candidates_of_kind",
    "need_location_unknown",
    "all_excluded",
    "need_has_no_criteria",
    "no_relevant_candidates",
)


@dataclass(frozen=True)
class Explanation:
    """Why a named candidate was, or was not, proposed for a need."""

    hard_rule: str | None  # the first hard rule that excludes, or None
    rank: int | None  # 1-based position among all eligible, relevant candidates
    score: float | None
    contributions: dict[str, float]
    evidence: dict[str, object]
    unknown: bool  # the candidate is not in the index
    proposed: bool = False  # rank is within need.limit
    no_relevance: bool = False  # passed the hard rules but shares nothing with the need


@dataclass(frozen=True)
class RoundResult:
    # (position of the need in the input list, (kind, id), score)
    assignments: list[tuple[int, tuple[str, int], float]]
    total_score: float
    unassigned: list[int]  # positions of needs that got no candidate
    seconds: float
    candidates_per_need: int = 0  # K: each need's top-K candidates were considered
    extra: dict[str, object] = field(default_factory=dict)
