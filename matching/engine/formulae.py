"""The scoring formulae, written once for one candidate.

The reference loop (`reference.py`) and `explain()` use these scalar functions directly;
`ranking.py` computes the same expressions over arrays, operation for operation, so that
both produce the same float64 values (up to the last bit of a sin or exp, which
`quantise()` absorbs). Change a formula here and in `ranking.py` together; the test
`test_vectorised_equals_reference` fails otherwise. See docs/matching-engine.md.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from matching.engine.skills import SKILL_CODES, skill_columns, skills_asked, skills_in
from matching.engine.types import (
    NEED_KINDS,
    SIGNALS,
    CandidateRecord,
    NeedQuery,
    TrackRecordItem,
    Vocabulary,
    Weights,
)

EARTH_RADIUS_KM = 6371.0088
DEGREE = math.pi / 180.0

# Track record: how much one initiative counts, by status. Multiples of 1/4 so that sums
# are exact in float32 and float64 alike.
STATUS_WEIGHT = {"finished_results": 1.0, "finished": 0.75, "running": 0.5, "idea": 0.25}
EXPERIENCE_STATUSES = ("running", "finished")  # initiatives that count as experience
TRACK_RECORD_RATE = 1.5  # value 1 - exp(-rate * S): one perfect initiative 0.78, two 0.95
TEXT_SATURATION = 0.5  # a TF-IDF cosine of 0.5 or more counts as a full text match
SAME_MUNICIPALITY_WITHOUT_COORDINATES = 0.5
LANGUAGE_ANY = 0.7  # speaking one of the need's languages; the rest for speaking all of them
COVERAGE_SHARE = 0.75  # set fit: share for covering the need; the rest for being specific
QUERY_TERMS = 32  # a need's text is matched on its 32 weightiest stems
ASKER_QUERY_TERMS = 16  # the asker's description, for reciprocity, on its 16 weightiest
SCORE_QUANTUM = 1e9  # scores are rounded to 1e-9 so that last-bit differences cannot reorder

# A need kind asks for candidates of this kind with this person role.
KIND_OF_NEED = {
    "partner": ("organisation", None),
    "volunteer": ("person", "volunteer"),
    "mentor": ("person", "mentor"),
    "key_figure": ("person", "key_figure"),
}
KIND_CODE = {"organisation": 0, "person": 1}  # also the tie-break order
SUBSTANTIVE = ("target_groups", "themes", "languages", "text", "track_record", "skills")


def bit_words(size: int) -> int:
    return max(1, (size + 63) // 64)


def slug_bits(slugs, positions: dict[str, int]) -> int:
    """The slugs as one Python int, bit i for the slug at position i (unknown slugs drop)."""
    value = 0
    for slug in slugs or ():
        position = positions.get(slug)
        if position is not None:
            value |= 1 << position
    return value


def bit_words_of(value: int, words: int) -> list[int]:
    """An int bitmask as `words` uint64 words, least significant first."""
    return [(value >> (64 * w)) & 0xFFFFFFFFFFFFFFFF for w in range(words)]


def bitmask(slugs, positions: dict[str, int], words: int) -> np.ndarray:
    return np.asarray(bit_words_of(slug_bits(slugs, positions), words), dtype=np.uint64)


@functools.lru_cache(maxsize=64)
def positions_of(slugs: tuple[str, ...]) -> dict[str, int]:
    """Slug -> bit position (cached: a vocabulary is a tuple and never changes)."""
    return {slug: i for i, slug in enumerate(slugs)}


def normalise_municipality(name: str | None) -> str | None:
    if not name:
        return None
    name = " ".join(str(name).split()).casefold()
    return name or None


def finite_or_none(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def coordinates(latitude: float | None, longitude: float | None) -> tuple[float, float] | None:
    latitude, longitude = finite_or_none(latitude), finite_or_none(longitude)
    if latitude is None or longitude is None:
        return None
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return None
    return latitude, longitude


def as_float32(value: float) -> float:
    """What a float becomes once stored in the index's float32 arrays."""
    return float(np.float32(value))


# -- the signals, for one candidate ---------------------------------------------------------


def set_fit(common: int, n_need: int, n_candidate: int) -> float:
    """Covering the need's slugs counts most; being specific (few other slugs) a little."""
    return (common / n_need) * (
        COVERAGE_SHARE + (1.0 - COVERAGE_SHARE) * (common / max(n_candidate, 1))
    )


def language_fit(common: int, n_need: int) -> float:
    if common == 0:
        return 0.0
    return LANGUAGE_ANY + (1.0 - LANGUAGE_ANY) * (common / n_need)


def reciprocity_share(common: int, n_candidate: int) -> float:
    """The share of the candidate's own themes that the asker works on."""
    return common / max(n_candidate, 1)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1 = lat1 * DEGREE
    phi2 = lat2 * DEGREE
    half_dphi = math.sin((phi2 - phi1) * 0.5)
    half_dlambda = math.sin((lon2 - lon1) * DEGREE * 0.5)
    a = half_dphi * half_dphi + (math.cos(phi1) * math.cos(phi2)) * (half_dlambda * half_dlambda)
    return (2.0 * EARTH_RADIUS_KM) * math.asin(math.sqrt(min(1.0, a)))


def distance_fit(km: float | None, same_municipality: bool, scale_km: float) -> float:
    if km is not None:
        return math.exp(-km / scale_km)
    return SAME_MUNICIPALITY_WITHOUT_COORDINATES if same_municipality else 0.0


def status_weight(item: TrackRecordItem) -> float:
    if item.status == "finished":
        return STATUS_WEIGHT["finished_results" if item.has_results else "finished"]
    return STATUS_WEIGHT.get(item.status, 0.0)


def experience(declared, items, field: str) -> set[str]:
    """Declared slugs plus those of running and finished initiatives: leading an initiative
    with Somali Dutch parents is experience with them, whatever the profile says."""
    slugs = set(declared or ())
    for item in items or ():
        if item.status in EXPERIENCE_STATUSES:
            slugs.update(getattr(item, field))
    return slugs


def track_record_fit(strength: float) -> float:
    return 1.0 - math.exp(-TRACK_RECORD_RATE * strength)


def text_fit(cosine: float) -> float:
    return min(1.0, cosine / TEXT_SATURATION)


def hours_fit(candidate_hours: float | None, need_hours: float) -> float:
    if candidate_hours is None:
        return 0.5
    return min(1.0, candidate_hours / need_hours)


def skill_fit(has: int, asked: int) -> float:
    """The share of the skills the need asks for by name that the candidate has."""
    return has / asked


def exposure_log(exposure: int) -> float:
    return math.log1p(max(0, int(exposure)))


def quantise(score: float) -> float:
    score = min(1.0, max(0.0, score))
    return math.floor(score * SCORE_QUANTUM + 0.5) / SCORE_QUANTUM


# -- a need, prepared once ------------------------------------------------------------------


@dataclass
class PreparedNeed:
    """A need with its slugs restricted to the vocabulary, its bitmasks, text vectors and
    the signal coefficients (weight / sum of the weights of applicable signals)."""

    need: NeedQuery
    error: str | None  # an empty_reason known before looking at any candidate
    candidate_kind: str
    role: str | None
    themes: frozenset[str]
    target_groups: frozenset[str]
    languages: frozenset[str]
    asker_themes: frozenset[str]
    theme_bits: np.ndarray
    target_group_bits: np.ndarray
    language_bits: np.ndarray
    asker_theme_bits: np.ndarray
    role_bits: np.ndarray
    point: tuple[float, float] | None
    municipality: str | None
    radius_km: float | None
    hours: float | None
    text_columns: np.ndarray
    text_weights: np.ndarray
    asker_columns: np.ndarray
    asker_weights: np.ndarray
    skills: tuple[str, ...]  # skill codes the need asks for by name (skills.LEXICON order)
    skill_columns: tuple[np.ndarray, ...]  # per asked skill, the text columns that show it
    coefficients: dict[str, float]  # applicable signals only, in SIGNALS order
    track_record_halves: tuple[float, float]  # (themes, target groups)
    reciprocity_halves: tuple[float, float]  # (themes, text)
    exposure_strength: float
    distance_scale_km: float
    limit: int
    excluded: frozenset[tuple[str, int]]  # the well-formed (kind, id) pairs of need.excluded

    def applies(self, signal: str) -> bool:
        return signal in self.coefficients


def _clean_weight(value: float) -> float:
    value = finite_or_none(value)
    return value if value is not None and value > 0 else 0.0


def _halves(first: bool, second: bool) -> tuple[float, float]:
    if first and second:
        return 0.5, 0.5
    return (1.0 if first else 0.0), (1.0 if second else 0.0)


def prepare_need(
    need: NeedQuery, vocabulary: Vocabulary, text_model, weights: Weights
) -> PreparedNeed:
    """Sanitise a need (bad input never raises) and precompute what every candidate needs."""
    theme_positions = positions_of(vocabulary.themes)
    group_positions = positions_of(vocabulary.target_groups)
    language_positions = positions_of(vocabulary.languages)
    role_positions = positions_of(vocabulary.roles)

    def known(values, positions) -> frozenset[str]:
        return frozenset(v for v in (values or ()) if v in positions)

    kind = need.kind if need.kind in NEED_KINDS else None
    candidate_kind, role = KIND_OF_NEED.get(kind, ("person", None))
    themes = known(need.themes, theme_positions)
    target_groups = known(need.target_groups, group_positions)
    languages = known(need.languages, language_positions)
    asker_themes = known(need.asker_themes, theme_positions)
    point = coordinates(need.latitude, need.longitude)
    if point is not None:  # float32 like the candidates', so that radius 0 is "the same spot"
        point = (as_float32(point[0]), as_float32(point[1]))
    radius = finite_or_none(need.radius_km)
    if radius is not None:
        radius = max(0.0, radius)
    hours = finite_or_none(need.hours_per_week)
    if hours is not None and hours <= 0:
        hours = None
    try:
        limit = int(need.limit)
    except (TypeError, ValueError):
        limit = 10

    text_columns, text_weights = text_model.vector(need.text or "", QUERY_TERMS)
    asker_columns, asker_weights = text_model.vector(need.asker_text or "", ASKER_QUERY_TERMS)
    named = set(skills_asked(need.text or "")) | set(skills_in(need.title or ""))
    skills = tuple(code for code in SKILL_CODES if code in named)
    columns_of_skill = skill_columns(text_model)

    applicable = {
        "target_groups": bool(target_groups),
        "themes": bool(themes),
        "languages": bool(languages),
        "distance": point is not None or normalise_municipality(need.municipality) is not None,
        "track_record": kind in ("mentor", "partner") and bool(themes or target_groups),
        "text": len(text_columns) > 0,
        "reciprocity": bool(asker_themes) or len(asker_columns) > 0,
        "hours": kind != "partner" and hours is not None,
        "skills": bool(skills),
    }
    raw = {s: _clean_weight(weights.of(s, kind)) for s in SIGNALS if applicable[s]}
    total = sum(raw.values())
    coefficients = {s: (w / total if total > 0 else 0.0) for s, w in raw.items()}

    error = None
    if kind is None:
        error = "unknown_kind"
    elif limit <= 0:
        error = "limit_zero"
    elif not any(applicable[s] for s in SUBSTANTIVE):
        error = "need_has_no_criteria"

    scale = finite_or_none(weights.distance_scale_km)
    words_themes = bit_words(len(vocabulary.themes))
    return PreparedNeed(
        need=need,
        error=error,
        candidate_kind=candidate_kind,
        role=role,
        themes=themes,
        target_groups=target_groups,
        languages=languages,
        asker_themes=asker_themes,
        theme_bits=bitmask(themes, theme_positions, words_themes),
        target_group_bits=bitmask(
            target_groups, group_positions, bit_words(len(vocabulary.target_groups))
        ),
        language_bits=bitmask(languages, language_positions, bit_words(len(vocabulary.languages))),
        asker_theme_bits=bitmask(asker_themes, theme_positions, words_themes),
        role_bits=bitmask(
            frozenset([role]) if role else frozenset(),
            role_positions,
            bit_words(len(vocabulary.roles)),
        ),
        point=point,
        municipality=normalise_municipality(need.municipality),
        radius_km=radius,
        hours=hours,
        text_columns=text_columns,
        text_weights=text_weights,
        asker_columns=asker_columns,
        asker_weights=asker_weights,
        skills=skills,
        skill_columns=tuple(columns_of_skill[code] for code in skills),
        coefficients=coefficients,
        track_record_halves=_halves(bool(themes), bool(target_groups)),
        reciprocity_halves=_halves(bool(asker_themes), len(asker_columns) > 0),
        exposure_strength=_clean_weight(weights.exposure),
        distance_scale_km=scale if scale is not None and scale > 0 else 10.0,
        limit=limit,
        excluded=frozenset(_pairs(need.excluded)),
    )


# -- one candidate against a prepared need ----------------------------------------------------


def candidate_point(record: CandidateRecord) -> tuple[float, float] | None:
    """A candidate's coordinates as the index stores them (float32)."""
    point = coordinates(record.latitude, record.longitude)
    if point is None:
        return None
    return as_float32(point[0]), as_float32(point[1])


def candidate_hours(record: CandidateRecord) -> float | None:
    hours = finite_or_none(record.hours_per_week)
    if hours is None or hours < 0:
        return None
    return as_float32(hours)


def first_failing_rule(
    record: CandidateRecord, prepared: PreparedNeed, vocabulary: Vocabulary
) -> str | None:
    """The first hard rule (types.HARD_RULES order) that excludes this candidate, if any."""
    need = prepared.need
    if record.kind != prepared.candidate_kind or (
        prepared.role is not None
        and (prepared.role not in (record.roles or ()) or prepared.role not in vocabulary.roles)
    ):
        return "wrong_kind"
    asker = need.asker_organisation_id
    if asker in (record.organisation_ids or ()) or (
        record.kind == "organisation" and record.id == asker
    ):
        return "own_organisation"
    if not record.open_to_matching:
        return "not_open"
    if record.hidden:
        return "hidden"
    if (record.kind, record.id) in prepared.excluded:
        return "excluded"
    if need.kind == "mentor" and int(record.mentor_load) >= int(record.mentor_capacity):
        return "mentor_full"
    if (
        need.languages_required
        and prepared.languages
        and not (prepared.languages & frozenset(record.languages or ()))
    ):
        return "language_required"
    if prepared.radius_km is not None:
        point = candidate_point(record)
        if prepared.point is None or point is None:
            return "location_unknown"
        km = haversine_km(prepared.point[0], prepared.point[1], point[0], point[1])
        if not km <= prepared.radius_km:
            return "outside_radius"
    return None


def _pairs(excluded) -> set[tuple[str, int]]:
    pairs = set()
    for key in excluded or ():
        try:
            pairs.add((key[0], int(key[1])))
        except (TypeError, ValueError, IndexError):
            continue
    return pairs


def track_record_strength(items, prepared: PreparedNeed) -> float:
    theme_half, group_half = prepared.track_record_halves
    theme_sum = 0.0
    group_sum = 0.0
    for item in items:
        weight = status_weight(item)
        theme_sum += weight * len(item.themes & prepared.themes)
        group_sum += weight * len(item.target_groups & prepared.target_groups)
    strength = 0.0
    if theme_half:
        strength += theme_half * (theme_sum / len(prepared.themes))
    if group_half:
        strength += group_half * (group_sum / len(prepared.target_groups))
    return strength


def item_relevance(item: TrackRecordItem, prepared: PreparedNeed) -> float:
    theme_half, group_half = prepared.track_record_halves
    overlap = 0.0
    if theme_half:
        overlap += theme_half * (len(item.themes & prepared.themes) / len(prepared.themes))
    if group_half:
        overlap += group_half * (
            len(item.target_groups & prepared.target_groups) / len(prepared.target_groups)
        )
    return status_weight(item) * overlap


def skills_held(columns_per_skill, document) -> int:
    """How many of the asked skills a candidate's text shows (a posting in their columns)."""
    return sum(1 for columns in columns_per_skill if any(c in document for c in columns.tolist()))


def sparse_dot(columns: np.ndarray, weights: np.ndarray, document: dict[int, float]) -> float:
    """Query · document, summed in column order (the order the engine's bincount uses)."""
    total = 0.0
    for column, weight in zip(columns.tolist(), weights.tolist(), strict=True):
        value = document.get(column)
        if value is not None:
            total += value * weight
    return total
