"""The reference implementation: the same scores, one candidate at a time, in plain Python.

It exists to check the vectorised engine (the tests and benchmarks/matching_speed.py
compare their top 10) and to show how much the vectorisation buys. It reads the records
themselves (sets, not bitmasks) and shares only the preprocessing with the engine: the
prepared need, the text model and the scalar formulae of `formulae.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from matching.engine.formulae import (
    KIND_CODE,
    SUBSTANTIVE,
    PreparedNeed,
    candidate_hours,
    candidate_point,
    distance_fit,
    experience,
    exposure_log,
    first_failing_rule,
    haversine_km,
    hours_fit,
    language_fit,
    normalise_municipality,
    prepare_need,
    quantise,
    reciprocity_share,
    set_fit,
    skill_fit,
    skills_held,
    sparse_dot,
    text_fit,
    track_record_fit,
    track_record_strength,
)
from matching.engine.index import CandidateIndex
from matching.engine.ranking import build_evidence, contributions_of
from matching.engine.types import (
    DEFAULT_WEIGHTS,
    HARD_RULES,
    NO_RELEVANCE,
    SIGNALS,
    CandidateRecord,
    NeedQuery,
    Proposal,
    RankResult,
    Weights,
)


@dataclass
class _Candidate:
    record: CandidateRecord
    themes: frozenset[str]  # experience: declared plus running and finished initiatives
    profile_themes: frozenset[str]  # declared only, for reciprocity
    target_groups: frozenset[str]
    languages: frozenset[str]
    text: dict[int, float]
    looking_for: dict[int, float]


class ReferenceIndex:
    """The records plus what a plain implementation would cache: known slugs, text vectors.

    `records` are the full records the index was built from (the index keeps no texts);
    the index lends its text model (vocabulary and idf) and its slots, for the evidence.
    """

    def __init__(self, index: CandidateIndex, records: Iterable[CandidateRecord]):
        self.index = index
        latest = {(r.kind, int(r.id)): r for r in records}
        vocabulary = index.vocabulary
        themes, groups = set(vocabulary.themes), set(vocabulary.target_groups)
        languages = set(vocabulary.languages)
        model = index.text_model
        self.candidates: list[_Candidate] = []
        for key, record in latest.items():
            if key not in index.slot_of:
                continue
            items = record.track_record or ()
            text_columns, text_weights = model.document_vector(record.text or "")
            look_columns, look_weights = model.document_vector(record.looking_for or "")
            self.candidates.append(
                _Candidate(
                    record=record,
                    themes=frozenset(experience(record.themes, items, "themes")) & themes,
                    profile_themes=frozenset(record.themes) & themes,
                    target_groups=frozenset(
                        experience(record.target_groups, items, "target_groups")
                    )
                    & groups,
                    languages=frozenset(record.languages) & languages,
                    text=dict(zip(text_columns.tolist(), text_weights.tolist(), strict=True)),
                    looking_for=dict(
                        zip(look_columns.tolist(), look_weights.tolist(), strict=True)
                    ),
                )
            )


def candidate_values(candidate: _Candidate, prepared: PreparedNeed) -> dict[str, float]:
    """The value in [0, 1] of every applicable signal for one candidate."""
    record = candidate.record
    co = prepared.coefficients
    values: dict[str, float] = {}
    if "target_groups" in co:
        values["target_groups"] = set_fit(
            len(candidate.target_groups & prepared.target_groups),
            len(prepared.target_groups),
            len(candidate.target_groups),
        )
    if "themes" in co:
        values["themes"] = set_fit(
            len(candidate.themes & prepared.themes), len(prepared.themes), len(candidate.themes)
        )
    if "languages" in co:
        values["languages"] = language_fit(
            len(candidate.languages & prepared.languages), len(prepared.languages)
        )
    if "distance" in co:
        point = candidate_point(record)
        km = None
        if point is not None and prepared.point is not None:
            km = haversine_km(prepared.point[0], prepared.point[1], point[0], point[1])
        same = (
            prepared.municipality is not None
            and normalise_municipality(record.municipality) == prepared.municipality
        )
        values["distance"] = distance_fit(km, same, prepared.distance_scale_km)
    if "track_record" in co:
        values["track_record"] = track_record_fit(
            track_record_strength(record.track_record or (), prepared)
        )
    if "text" in co:
        values["text"] = text_fit(
            sparse_dot(prepared.text_columns, prepared.text_weights, candidate.text)
        )
    if "reciprocity" in co:
        theme_half, text_half = prepared.reciprocity_halves
        reciprocity = 0.0
        if theme_half:
            share = reciprocity_share(
                len(candidate.profile_themes & prepared.asker_themes),
                len(candidate.profile_themes),
            )
            reciprocity += theme_half * share
        if text_half:
            cosine = sparse_dot(
                prepared.asker_columns, prepared.asker_weights, candidate.looking_for
            )
            reciprocity += text_half * text_fit(cosine)
        values["reciprocity"] = reciprocity
    if "hours" in co:
        values["hours"] = hours_fit(candidate_hours(record), prepared.hours)
    if "skills" in co:
        values["skills"] = skill_fit(
            skills_held(prepared.skill_columns, candidate.text), len(prepared.skills)
        )
    return values


def candidate_score(candidate: _Candidate, prepared: PreparedNeed, values: dict[str, float]):
    raw = 0.0
    for signal in SIGNALS:
        if signal in prepared.coefficients:
            raw += prepared.coefficients[signal] * values[signal]
    return quantise(
        raw / (1.0 + prepared.exposure_strength * exposure_log(candidate.record.exposure or 0))
    )


def rank(
    reference: ReferenceIndex, need: NeedQuery, weights: Weights = DEFAULT_WEIGHTS
) -> RankResult:
    """The same contract as `matching.engine.rank`, computed candidate by candidate."""
    index = reference.index
    prepared = prepare_need(need, index.vocabulary, index.text_model, weights)
    counts = dict.fromkeys((*HARD_RULES, NO_RELEVANCE), 0)
    if not reference.candidates:
        return RankResult([], 0, counts, "empty_index")
    if prepared.error == "limit_zero":
        return RankResult([], 0, counts, "limit_zero")
    if prepared.error:
        return RankResult([], 0, counts, prepared.error)
    scored: list[tuple[float, int, int, _Candidate, dict[str, float]]] = []
    considered = 0
    in_kind = 0
    for candidate in reference.candidates:
        record = candidate.record
        rule = first_failing_rule(record, prepared, index.vocabulary)
        if rule is not None:
            counts[rule] += 1
            if rule == "wrong_kind":
                continue
        in_kind += 1
        if rule is not None:
            continue
        considered += 1
        values = candidate_values(candidate, prepared)
        if not any(values.get(s, 0.0) > 0 for s in SUBSTANTIVE):
            counts[NO_RELEVANCE] += 1
            continue
        score = candidate_score(candidate, prepared, values)
        scored.append((score, KIND_CODE[record.kind], int(record.id), candidate, values))
    if in_kind == 0:
        return RankResult([], 0, counts, "no_candidates_of_kind")
    if considered == 0:
        reason = "all_excluded"
        if prepared.radius_km is not None and prepared.point is None:
            reason = "need_location_unknown"
        return RankResult([], 0, counts, reason)
    if not scored:
        return RankResult([], considered, counts, "no_relevant_candidates")
    scored.sort(key=lambda row: (-row[0], row[1], row[2]))
    proposals = []
    for score, _, _, candidate, values in scored[: prepared.limit]:
        record = candidate.record
        key = (record.kind, int(record.id))
        proposals.append(
            Proposal(
                kind=record.kind,
                id=int(record.id),
                ref=record.ref,
                name=record.name,
                score=score,
                contributions=contributions_of(prepared, values, score),
                evidence=build_evidence(index, prepared, [index.slot_of[key]])[0],
            )
        )
    return RankResult(proposals, considered, counts, None)
