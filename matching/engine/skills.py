"""Named skills and resources: what a need asks for by name, and who has it.

A need that asks for interpreting, bookkeeping, a kitchen or legal advice is not answered
by someone whose only strength is a long record on the need's themes. This module knows a
short list of such skills and resources (`LEXICON`), each as a few stem roots in Dutch and
English, with the synonyms people use (tolk, tolken, vertalen; boekhouding, administratie,
penningmeester). Matching is on Snowball stems (`text.stem`), and a root also matches
inside a compound (gebarentolk, bedrijfskeuken, boekhoudprogramma).

- A candidate has a skill when a stem of its text (bio, skills and offers, initiative
  titles: the adapter puts them in `CandidateRecord.text`) matches it. The engine looks this
  up in the TF-IDF postings of the text index, so nothing new is stored per candidate.
- A need asks for a skill that its title names (a title says what is asked: "Tolk
  Tigrinya voor oudergesprekken"), and one its text *asks* for: the skill's word stands within
  `AFTER_CUE` words after a request word ("gezocht", "zoeken", "nodig", "hulp", "wie",
  "iemand", "looking for", "need"...) or within `BEFORE_CUE` words before one that closes
  a request ("tolk gezocht", "een keuken nodig"). A description that merely mentions a
  kitchen ("we koken in de keuken van het buurthuis") names no skill.

The codes are stable identifiers; `matching/reasons.py` shows them in the reader's language.
See docs/matching-engine.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from matching.engine.text import STOPWORDS, stem


@dataclass(frozen=True)
class Skill:
    code: str
    roots: tuple[str, ...]  # match anywhere in a stem (compounds)
    words: tuple[str, ...] = ()  # match as a whole stem only (short or ambiguous words)


# Roots are written as they appear in Snowball Dutch stems: "keuken" stems to "keuk",
# "vertalen" to "vertaal", "administratie" to "administreer", "penningmeester" to
# "penningmee", and a leading "ge" can go ("geluidstechnicus" to "luidstechnicus").
LEXICON: tuple[Skill, ...] = (
    Skill("interpreting", ("tolk", "vertaal", "vertaler", "interpret", "translat")),
    Skill(
        "bookkeeping",
        ("boekhoud", "administr", "penningme", "jaarreken", "bookkeep", "accountan", "accounteer"),
        ("accounting",),
    ),
    Skill(
        "kitchen", ("keuk", "kitch", "kook", "cater"), ("kok", "koken", "chef", "cook", "cooking")
    ),
    Skill(
        "legal_advice",
        ("jurid", "jurist", "advocat", "advocaat", "rechtshulp", "rechtswinkel"),
        ("legal", "lawyer"),
    ),
    Skill("childcare", ("kinderopvang", "oppas", "childcar", "babysit")),
    Skill(
        "transport", ("chauffeur", "vervoer", "rijbewijs", "transport"), ("bus", "busje", "driver")
    ),
    Skill("venue", ("vergaderzaal", "vergaderruimt", "zaalruimt", "venue"), ("zaal", "zalen")),
    Skill("sports_facility", ("sportveld", "gymzaal", "sporthal", "sportzaal")),
    Skill(
        "sound_stage",
        ("geluidstechn", "luidstechn", "podium", "lichttechn"),
        ("luid", "geluid", "sound"),
    ),
    Skill("gardening", ("moestuin", "tuinder", "tuinier", "garden")),
    Skill("sewing", ("naai", "kleermaker", "sewing")),
    Skill("computers", ("computer", "laptop"), ("ict",)),
    Skill("fundraising", ("fondsenwer", "subsidieaanvra", "fundrais")),
    Skill("first_aid", ("ehbo", "reanim"), ("bhv",)),
)
SKILL_CODES = tuple(skill.code for skill in LEXICON)

# Request words. After one of these, the next AFTER_CUE words say what is asked
# ("we zoeken een tolk"); before one of CLOSING_CUES, the previous BEFORE_CUE words do
# ("een keuken nodig", "tolk gezocht").
OPENING_CUES = frozenset(
    [
        "gezocht",
        "zoeken",
        "zoek",
        "zoekt",
        "gevraagd",
        "nodig",
        "vragen",
        "vraag",
        "hulp",
        "wie",
        "iemand",
        "looking",
        "seeking",
        "need",
        "needs",
        "needed",
        "wanted",
        "require",
        "requires",
        "required",
    ]
)
CLOSING_CUES = frozenset(["gezocht", "gevraagd", "nodig", "wanted", "needed", "required"])
AFTER_CUE = 8
BEFORE_CUE = 4
_SENTENCE = re.compile(r"[.!?\n]+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_stem_skills: dict[str, int] = {}


def skill_bits_of_stem(term: str) -> int:
    """Bit i set when the stem matches LEXICON[i] (cached: few distinct stems)."""
    bits = _stem_skills.get(term)
    if bits is None:
        bits = 0
        for i, skill in enumerate(LEXICON):
            if term in _stemmed_words(skill) or any(root in term for root in skill.roots):
                bits |= 1 << i
        if len(_stem_skills) < 200_000:
            _stem_skills[term] = bits
    return bits


_stemmed: dict[str, frozenset[str]] = {}


def _stemmed_words(skill: Skill) -> frozenset[str]:
    words = _stemmed.get(skill.code)
    if words is None:
        words = frozenset(stem(w) for w in skill.words) | frozenset(skill.words)
        _stemmed[skill.code] = words
    return words


def skills_asked(text: str) -> tuple[str, ...]:
    """The skill codes a need's text asks for, in LEXICON order."""
    if not text:
        return ()
    bits = 0
    for sentence in _SENTENCE.split(text.lower()):
        tokens = _WORD.findall(sentence)
        asked = [False] * len(tokens)
        for i, token in enumerate(tokens):
            if token in OPENING_CUES:
                for j in range(i + 1, min(len(tokens), i + 1 + AFTER_CUE)):
                    asked[j] = True
            if token in CLOSING_CUES:
                for j in range(max(0, i - BEFORE_CUE), i):
                    asked[j] = True
        for token, is_asked in zip(tokens, asked, strict=True):
            if is_asked and len(token) > 1 and token not in STOPWORDS:
                bits |= skill_bits_of_stem(stem(token))
    return tuple(skill.code for i, skill in enumerate(LEXICON) if bits >> i & 1)


def skills_in(text: str) -> tuple[str, ...]:
    """The skill codes a text mentions anywhere (a candidate's own words, skills, offers)."""
    bits = 0
    for token in _WORD.findall((text or "").lower()):
        if len(token) > 1 and token not in STOPWORDS:
            bits |= skill_bits_of_stem(stem(token))
    return tuple(skill.code for i, skill in enumerate(LEXICON) if bits >> i & 1)


def skill_columns(text_model) -> dict[str, np.ndarray]:
    """Per skill code, the sorted text columns (stems) that show it, for one text model.

    Computed once per model (its vocabulary is fixed when the index is built) and kept on
    it: a candidate has the skill when its text row has a posting in one of these columns.
    """
    cached = getattr(text_model, "_skill_columns", None)
    if cached is not None:
        return cached
    columns: dict[str, list[int]] = {code: [] for code in SKILL_CODES}
    for term, column in text_model.term_ids.items():
        bits = skill_bits_of_stem(term)
        while bits:
            lowest = bits & -bits
            columns[SKILL_CODES[lowest.bit_length() - 1]].append(column)
            bits ^= lowest
    result = {code: np.asarray(sorted(cols), dtype=np.int32) for code, cols in columns.items()}
    text_model._skill_columns = result
    return result
