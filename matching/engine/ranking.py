"""Rank the candidates in an index for one need: hard rules, soft signals, top k.

The hot path works on arrays only: hard rules are boolean masks, taxonomies are popcounts
of bitmask intersections, distances a vectorised haversine, text a sparse product that
touches only the postings of the need's stems. Evidence (the raw material of the reasons)
is built for the returned top k only. Every expression mirrors `formulae.py`; see
docs/matching-engine.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matching.engine.formulae import (
    DEGREE,
    EARTH_RADIUS_KM,
    KIND_CODE,
    SAME_MUNICIPALITY_WITHOUT_COORDINATES,
    SCORE_QUANTUM,
    SUBSTANTIVE,
    TEXT_SATURATION,
    TRACK_RECORD_RATE,
    PreparedNeed,
    first_failing_rule,
    haversine_km,
    item_relevance,
    language_fit,
    prepare_need,
    reciprocity_share,
    set_fit,
    skill_fit,
    status_weight,
)
from matching.engine.index import CandidateIndex
from matching.engine.types import (
    CANDIDATE_KINDS,
    DEFAULT_WEIGHTS,
    HARD_RULES,
    NO_RELEVANCE,
    SIGNALS,
    Explanation,
    NeedQuery,
    Proposal,
    RankResult,
    Weights,
)

MAX_TRACK_RECORD_EVIDENCE = 3
MAX_TEXT_EVIDENCE = 5


@dataclass
class Scored:
    """Every eligible, relevant candidate for a need, with its score and signal values."""

    prepared: PreparedNeed
    slots: np.ndarray  # int64
    scores: np.ndarray  # float64, quantised, in [0, 1]
    values: dict[str, np.ndarray]  # per applicable signal, its value in [0, 1]
    considered: int
    excluded_by_rule: dict[str, int]
    empty_reason: str | None


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys((*HARD_RULES, NO_RELEVANCE), 0)


def _popcount(bits: np.ndarray, slots: np.ndarray, query: np.ndarray) -> np.ndarray:
    """|candidate slugs & need slugs| for each slot."""
    total = np.zeros(len(slots), dtype=np.int64)
    for word, query_word in enumerate(query.tolist()):
        if query_word:
            total += np.bitwise_count(bits[word][slots] & np.uint64(query_word))
    return total


def _overlaps(bits: np.ndarray, size: int, query: np.ndarray) -> np.ndarray:
    """Whether each of the first `size` rows shares a bit with the query."""
    hit = np.zeros(size, dtype=bool)
    for word, query_word in enumerate(query.tolist()):
        if query_word:
            hit |= (bits[word, :size] & np.uint64(query_word)) != 0
    return hit


def _table(function, *sizes: int) -> np.ndarray:
    """function(i, j, ...) for every small integer argument: the scalar formula itself, so
    that looking values up gives exactly what the reference loop computes."""
    table = np.empty(sizes, dtype=np.float64)
    for position in np.ndindex(*sizes):
        table[position] = function(*position)
    return table


def _haversine(index: CandidateIndex, slots: np.ndarray, point: tuple[float, float]):
    """(km, known): distances to the candidates that have coordinates."""
    latitude = index.latitude[slots].astype(np.float64)
    known = ~np.isnan(latitude)
    if not known.all():
        slots = slots[known]
        latitude = latitude[known]
    longitude = index.longitude[slots].astype(np.float64)
    lat1, lon1 = point
    phi1 = lat1 * DEGREE
    phi2 = latitude * DEGREE
    half_dphi = np.sin((phi2 - phi1) * 0.5)
    half_dlambda = np.sin((longitude - lon1) * DEGREE * 0.5)
    cos_phi2 = index.cos_latitude[slots]  # math.cos(phi2), computed when the row was written
    a = half_dphi * half_dphi + (math.cos(phi1) * cos_phi2) * (half_dlambda * half_dlambda)
    km = (2.0 * EARTH_RADIUS_KM) * np.arcsin(np.sqrt(np.minimum(1.0, a)))
    return km, known


def signal_values(
    index: CandidateIndex,
    prepared: PreparedNeed,
    slots: np.ndarray,
    km: np.ndarray | None = None,
    km_known: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """(values per applicable signal, raw score, relevant) for the given slots."""
    co = prepared.coefficients
    n = len(slots)
    values: dict[str, np.ndarray] = {}
    vocabulary = index.vocabulary
    if "target_groups" in co:
        common = _popcount(index.target_groups, slots, prepared.target_group_bits)
        n_need = len(prepared.target_groups)
        table = _table(
            lambda c, m: set_fit(c, n_need, m), n_need + 1, len(vocabulary.target_groups) + 1
        )
        values["target_groups"] = table[common, index.group_count[slots]]
    if "themes" in co:
        common = _popcount(index.themes, slots, prepared.theme_bits)
        n_need = len(prepared.themes)
        table = _table(lambda c, m: set_fit(c, n_need, m), n_need + 1, len(vocabulary.themes) + 1)
        values["themes"] = table[common, index.theme_count[slots]]
    if "languages" in co:
        common = _popcount(index.languages, slots, prepared.language_bits)
        n_need = len(prepared.languages)
        values["languages"] = _table(lambda c: language_fit(c, n_need), n_need + 1)[common]
    if "distance" in co:
        distance = np.zeros(n, dtype=np.float64)
        if prepared.point is not None:
            if km is None:
                km, km_known = _haversine(index, slots, prepared.point)
            distance[km_known] = np.exp(-km / prepared.distance_scale_km)
            unknown = ~km_known
        else:
            unknown = np.ones(n, dtype=bool)
        code = index.municipality_codes.get(prepared.municipality or "", -2)
        if unknown.any() and code >= 0:
            same = unknown & (index.municipality[slots] == code)
            distance[same] = SAME_MUNICIPALITY_WITHOUT_COORDINATES
        values["distance"] = distance
    if "track_record" in co:
        theme_half, group_half = prepared.track_record_halves
        strength = np.zeros(n, dtype=np.float64)
        if theme_half:
            total = np.zeros(n, dtype=np.float64)
            for position in _positions(prepared.themes, index.vocabulary.themes):
                total += index.track_themes[position, slots]
            strength += theme_half * (total / len(prepared.themes))
        if group_half:
            total = np.zeros(n, dtype=np.float64)
            for position in _positions(prepared.target_groups, index.vocabulary.target_groups):
                total += index.track_groups[position, slots]
            strength += group_half * (total / len(prepared.target_groups))
        values["track_record"] = 1.0 - np.exp(-TRACK_RECORD_RATE * strength)
    if "text" in co:
        cosine = index.text.scores(prepared.text_columns, prepared.text_weights, index.size, slots)
        values["text"] = np.minimum(1.0, cosine[slots] / TEXT_SATURATION)
    if "reciprocity" in co:
        theme_half, text_half = prepared.reciprocity_halves
        reciprocity = np.zeros(n, dtype=np.float64)
        if theme_half:
            common = _popcount(index.profile_themes, slots, prepared.asker_theme_bits)
            table = _table(
                reciprocity_share, len(prepared.asker_themes) + 1, len(vocabulary.themes) + 1
            )
            reciprocity += theme_half * table[common, index.profile_theme_count[slots]]
        if text_half:
            cosine = index.looking_for.scores(
                prepared.asker_columns, prepared.asker_weights, index.size, slots
            )
            reciprocity += text_half * np.minimum(1.0, cosine[slots] / TEXT_SATURATION)
        values["reciprocity"] = reciprocity
    if "hours" in co:
        hours = index.hours[slots].astype(np.float64)
        values["hours"] = np.where(np.isnan(hours), 0.5, np.minimum(1.0, hours / prepared.hours))
    if "skills" in co:
        # A candidate has a skill when its text row has a posting in one of the skill's
        # columns: the same sparse product as the text signal, with weights 1 (TF-IDF
        # weights are > 0, so the sum is > 0 exactly when one is there).
        held = np.zeros(n, dtype=np.int64)
        for columns in prepared.skill_columns:
            if len(columns):
                ones = np.ones(len(columns), dtype=np.float64)
                held += index.text.scores(columns, ones, index.size, slots)[slots] > 0
        asked = len(prepared.skills)
        values["skills"] = _table(lambda h: skill_fit(h, asked), asked + 1)[held]
    raw = np.zeros(n, dtype=np.float64)
    for signal in SIGNALS:
        if signal in co:
            raw += co[signal] * values[signal]
    relevant = np.zeros(n, dtype=bool)
    for signal in SUBSTANTIVE:
        if signal in values:
            relevant |= values[signal] > 0
    return values, raw, relevant


def _positions(slugs: frozenset[str], order: tuple[str, ...]) -> list[int]:
    return [i for i, slug in enumerate(order) if slug in slugs]


def final_scores(index: CandidateIndex, prepared: PreparedNeed, slots, raw) -> np.ndarray:
    """Fair exposure, then clip to [0, 1] and round to the score quantum."""
    score = raw / (1.0 + prepared.exposure_strength * index.exposure_log[slots])
    score = np.minimum(1.0, np.maximum(0.0, score))
    return np.floor(score * SCORE_QUANTUM + 0.5) / SCORE_QUANTUM


def score_need(index: CandidateIndex, prepared: PreparedNeed) -> Scored:
    """Apply the hard rules and score every remaining candidate."""
    counts = _empty_counts()
    none = np.empty(0, dtype=np.int64)

    def empty(reason: str, considered: int = 0) -> Scored:
        return Scored(prepared, none, np.empty(0), {}, considered, counts, reason)

    if len(index) == 0:
        return empty("empty_index")
    if prepared.error in ("unknown_kind", "need_has_no_criteria"):
        return empty(prepared.error)
    need = prepared.need
    n = index.size
    alive = index.alive[:n]
    mask = alive & (index.kind[:n] == KIND_CODE[prepared.candidate_kind])
    if prepared.role is not None:
        mask &= _overlaps(index.roles, n, prepared.role_bits)
    in_kind = int(mask.sum())
    counts["wrong_kind"] = int(alive.sum()) - in_kind
    if in_kind == 0:
        return empty("no_candidates_of_kind")

    def drop_slots(slots, rule: str) -> None:
        slots = np.fromiter(slots, dtype=np.int64)
        if len(slots):
            counts[rule] = int(mask[slots].sum())
            mask[slots] = False

    def drop_unless(ok: np.ndarray, rule: str) -> None:
        nonlocal mask
        counts[rule] = int(np.count_nonzero(mask & ~ok))
        mask &= ok

    drop_slots(index.members.get(need.asker_organisation_id, ()), "own_organisation")
    drop_unless(index.open[:n], "not_open")
    drop_unless(~index.hidden[:n], "hidden")
    excluded = {index.slot_of.get(key) for key in prepared.excluded}
    excluded.discard(None)
    drop_slots(excluded, "excluded")
    if need.kind == "mentor":
        drop_unless(index.mentor_load[:n] < index.mentor_capacity[:n], "mentor_full")
    if need.languages_required and prepared.languages:
        drop_unless(_overlaps(index.languages, n, prepared.language_bits), "language_required")
    slots = np.flatnonzero(mask)
    km = km_known = None
    if prepared.radius_km is not None:
        if prepared.point is None:
            counts["location_unknown"] = len(slots)
            return empty("need_location_unknown")
        km, km_known = _haversine(index, slots, prepared.point)
        counts["location_unknown"] = int(np.count_nonzero(~km_known))
        slots = slots[km_known]
        inside = km <= prepared.radius_km
        counts["outside_radius"] = int(np.count_nonzero(~inside))
        slots, km = slots[inside], km[inside]
        km_known = np.ones(len(slots), dtype=bool)
    if len(slots) == 0:
        return empty("all_excluded")
    considered = len(slots)
    values, raw, relevant = signal_values(index, prepared, slots, km, km_known)
    counts[NO_RELEVANCE] = int(np.count_nonzero(~relevant))
    if not relevant.all():
        slots = slots[relevant]
        raw = raw[relevant]
        values = {s: v[relevant] for s, v in values.items()}
    if len(slots) == 0:
        return empty("no_relevant_candidates", considered)
    scores = final_scores(index, prepared, slots, raw)
    return Scored(prepared, slots, scores, values, considered, counts, None)


def top_positions(index: CandidateIndex, scored: Scored, k: int) -> np.ndarray:
    """Positions (into scored.slots) of the best k: score desc, then (kind, id) asc."""
    scores = scored.scores
    if k <= 0 or len(scores) == 0:
        return np.empty(0, dtype=np.int64)
    if len(scores) > k:
        partition = np.argpartition(-scores, k - 1)[:k]
        threshold = scores[partition].min()
        candidates = np.flatnonzero(scores >= threshold)  # all ties at the boundary
    else:
        candidates = np.arange(len(scores))
    slots = scored.slots[candidates]
    order = np.lexsort((index.ids[slots], index.kind[slots], -scores[candidates]))
    return candidates[order[:k]]


# -- evidence, for the few that are shown ----------------------------------------------------


def _ordered(slugs: frozenset[str], order: tuple[str, ...]) -> list[str]:
    return [slug for slug in order if slug in slugs]


def build_evidence(
    index: CandidateIndex, prepared: PreparedNeed, slots: list[int]
) -> list[dict[str, object]]:
    """What the reasons are built from, per applicable signal (see docs/matching-engine.md)."""
    co = prepared.coefficients
    text = looking_for = skills = [{} for _ in slots]
    if "text" in co:
        text = index.text.weights_for(slots, prepared.text_columns)
    if "skills" in co and prepared.skill_columns:
        skills = index.text.weights_for(slots, np.concatenate(prepared.skill_columns))
    if "reciprocity" in co:
        looking_for = index.looking_for.weights_for(slots, prepared.asker_columns)
    return [
        _evidence(index, prepared, slot, text[i], looking_for[i], skills[i])
        for i, slot in enumerate(slots)
    ]


def _matched(bits: np.ndarray, slot: int, query: np.ndarray, order: tuple[str, ...]) -> list[str]:
    """The slugs a candidate shares with the need, in vocabulary order."""
    matched = []
    for word, (have, want) in enumerate(zip(bits[:, slot].tolist(), query.tolist(), strict=True)):
        common = int(have) & int(want)
        while common:
            lowest = common & -common
            matched.append(order[64 * word + lowest.bit_length() - 1])
            common ^= lowest
    return matched


def _evidence(
    index, prepared: PreparedNeed, slot: int, text, looking_for, skills
) -> dict[str, object]:
    """Built from the index's arrays (no record is rebuilt): this runs for every proposal."""
    vocabulary = index.vocabulary
    co = prepared.coefficients
    _, _, municipality, _, track_record = index.kept[slot]
    evidence: dict[str, object] = {}
    if "target_groups" in co:
        evidence["target_groups"] = _matched(
            index.target_groups, slot, prepared.target_group_bits, vocabulary.target_groups
        )
    if "themes" in co:
        evidence["themes"] = _matched(index.themes, slot, prepared.theme_bits, vocabulary.themes)
    if "languages" in co:
        evidence["languages"] = _matched(
            index.languages, slot, prepared.language_bits, vocabulary.languages
        )
    if "distance" in co:
        latitude, longitude = float(index.latitude[slot]), float(index.longitude[slot])
        km = None
        if prepared.point is not None and not math.isnan(latitude):
            km = haversine_km(prepared.point[0], prepared.point[1], latitude, longitude)
        evidence["distance"] = None if km is None else round(km, 2)
        evidence["municipality"] = municipality
    if "track_record" in co:
        relevant = [(item_relevance(item, prepared), item) for item in track_record]
        relevant = [pair for pair in relevant if pair[0] > 0]
        relevant.sort(key=lambda p: (-p[0], -status_weight(p[1]), p[1].initiative_id))
        evidence["track_record"] = [item for _, item in relevant[:MAX_TRACK_RECORD_EVIDENCE]]
    if "text" in co:
        evidence["text"] = _shared_words(index, text, prepared.text_columns, prepared.text_weights)
    if "reciprocity" in co:
        evidence["reciprocity"] = _matched(
            index.profile_themes, slot, prepared.asker_theme_bits, vocabulary.themes
        )
        evidence["reciprocity_text"] = _shared_words(
            index, looking_for, prepared.asker_columns, prepared.asker_weights
        )
    if "hours" in co:
        hours = float(index.hours[slot])
        evidence["hours"] = None if math.isnan(hours) else hours
    if "skills" in co:  # the asked skills the candidate has, as codes (skills.LEXICON order)
        evidence["skills"] = [
            code
            for code, columns in zip(prepared.skills, prepared.skill_columns, strict=True)
            if any(c in skills for c in columns.tolist())
        ]
    evidence["exposure"] = int(index.exposure[slot])
    return evidence


def _shared_words(index: CandidateIndex, document: dict[int, float], columns, weights):
    shared = [
        (w * document[c], c)
        for c, w in zip(columns.tolist(), weights.tolist(), strict=True)
        if c in document
    ]
    shared.sort(key=lambda pair: (-pair[0], pair[1]))
    return [index.text_model.display[c] for _, c in shared[:MAX_TEXT_EVIDENCE]]


def contributions_of(
    prepared: PreparedNeed, values: dict[str, float], score: float
) -> dict[str, float]:
    """Each applicable signal's share of the score; 'exposure' is the (negative) penalty."""
    contributions = {
        s: prepared.coefficients[s] * values[s] for s in SIGNALS if s in prepared.coefficients
    }
    penalty = score - sum(contributions.values())
    if penalty < -1e-9:
        contributions["exposure"] = penalty
    return contributions


def _proposals(index, scored: Scored, positions: np.ndarray) -> list[Proposal]:
    slots = [int(scored.slots[p]) for p in positions]
    evidence = build_evidence(index, scored.prepared, slots)
    proposals = []
    for i, position in enumerate(positions.tolist()):
        slot = slots[i]
        ref, name = index.kept[slot][0], index.kept[slot][1]
        score = float(scored.scores[position])
        values = {s: float(v[position]) for s, v in scored.values.items()}
        proposals.append(
            Proposal(
                kind=CANDIDATE_KINDS[int(index.kind[slot])],
                id=int(index.ids[slot]),
                ref=ref,
                name=name,
                score=score,
                contributions=contributions_of(scored.prepared, values, score),
                evidence=evidence[i],
            )
        )
    return proposals


# -- the public functions --------------------------------------------------------------------


def rank(index: CandidateIndex, need: NeedQuery, weights: Weights = DEFAULT_WEIGHTS) -> RankResult:
    """Propose the best `need.limit` candidates for a need, with what the reasons need.

    Hard rules are never broken; the score is the weighted sum of the soft signals times
    the fair-exposure factor. Bad input never raises: an empty result names its reason.
    The rules, signals and weights are described in docs/matching-engine.md.
    """
    prepared = prepare_need(need, index.vocabulary, index.text_model, weights)
    if prepared.error == "limit_zero" and len(index):
        return RankResult([], 0, _empty_counts(), "limit_zero")
    scored = score_need(index, prepared)
    if scored.empty_reason:
        return RankResult([], scored.considered, scored.excluded_by_rule, scored.empty_reason)
    positions = top_positions(index, scored, prepared.limit)
    proposals = _proposals(index, scored, positions)
    return RankResult(proposals, scored.considered, scored.excluded_by_rule, None)


def explain(
    index: CandidateIndex,
    need: NeedQuery,
    kind: str,
    id: int,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Explanation:
    """Why a named candidate was, or was not, proposed for a need.

    `hard_rule` names the first rule that keeps it out (types.HARD_RULES order); otherwise
    `rank` is its position among all eligible candidates and `proposed` says whether that
    is within the need's limit. The score and contributions are given in both cases: what
    the candidate scores, or would have scored without the rule.
    """
    try:
        slot = index.slot_of.get((kind, int(id)))
    except (TypeError, ValueError):
        slot = None
    if slot is None:
        return Explanation(None, None, None, {}, {}, unknown=True)
    record = index.record_at(slot)
    prepared = prepare_need(need, index.vocabulary, index.text_model, weights)
    if prepared.error == "unknown_kind":
        return Explanation("wrong_kind", None, None, {}, {}, unknown=False)
    slots = np.asarray([slot], dtype=np.int64)
    values, raw, relevant = signal_values(index, prepared, slots)
    score = float(final_scores(index, prepared, slots, raw)[0])
    single = {s: float(v[0]) for s, v in values.items()}
    contributions = contributions_of(prepared, single, score)
    evidence = build_evidence(index, prepared, [slot])[0]
    rule = first_failing_rule(record, prepared, index.vocabulary)
    if rule is not None:
        return Explanation(rule, None, score, contributions, evidence, unknown=False)
    if not bool(relevant[0]) or prepared.error == "need_has_no_criteria":
        return Explanation(
            None, None, score, contributions, evidence, unknown=False, no_relevance=True
        )
    scored = score_need(index, prepared)
    where = np.flatnonzero(scored.slots == slot)
    if len(where) == 0:  # cannot happen when the rules agree; answer rather than raise
        return Explanation(None, None, score, contributions, evidence, unknown=False)
    own = scored.scores[where[0]]
    kinds = index.kind[scored.slots]
    ids = index.ids[scored.slots]
    key = (KIND_CODE[record.kind], int(record.id))
    ahead = np.count_nonzero(scored.scores > own) + np.count_nonzero(
        (scored.scores == own) & ((kinds < key[0]) | ((kinds == key[0]) & (ids < key[1])))
    )
    position = int(ahead) + 1
    return Explanation(
        None,
        position,
        float(own),
        contributions,
        evidence,
        unknown=False,
        proposed=position <= prepared.limit,
    )
