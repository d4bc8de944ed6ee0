"""The generator's text data: names, words, sentences, places and weights.

They live in vocabulary.json next to this file, a plain data file, so that adding a name or a
sentence is a data change (docs/generate_network.md, "Adding vocabulary"). This module reads it
once per process and checks it, so a mistake in the file fails loudly at the start of a run,
naming the key, instead of as a KeyError halfway through 100,000 people.
"""

from __future__ import annotations

import functools
import json
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from network.models import Initiative, Organisation, Person
from network.taxonomies import LANGUAGES, THEMES

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.json")


@dataclass(frozen=True)
class Origin:
    """Where a name comes from, and what tends to go with it. Drawn only to make names,
    languages and communities plausible together; never stored."""

    key: str
    weight: float
    community: str  # the target group people of this origin most often have experience with
    adjective: str  # before a de-word: "Marokkaanse Gemeenschap"
    adjective_neuter: str  # before a het-word: "Marokkaans Cultureel Centrum"
    given_female: tuple[str, ...]
    given_male: tuple[str, ...]
    surnames: tuple[str, ...]  # "Kowalski/Kowalska": male/female forms
    languages: tuple[tuple[str, float], ...]  # (language, probability of speaking it)
    speaks_dutch: float
    organisation_words: tuple[str, ...] = ()
    # Some names are written in their own script (Arabic, Cyrillic): (female, male, surnames).
    script_names: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None = None
    script_share: float = 0.0


@dataclass(frozen=True)
class ThemeTexts:
    titles: tuple[str, ...]
    activities: tuple[str, ...]  # for summaries and descriptions
    results: tuple[str, ...]
    bio: tuple[str, ...]
    skills: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """vocabulary.json as Python: lists become tuples, origins and theme texts dataclasses.
    The field names are the file's keys."""

    origins: tuple[Origin, ...]
    community_languages: dict[str, tuple[str, ...]]
    community_target_groups: tuple[str, ...]
    municipality_population: dict[str, float]
    neighbourhoods: dict[str, tuple[str, ...]]
    target_group_phrases: dict[str, str]
    days: tuple[str, ...]
    venues: tuple[str, ...]
    theme_texts: dict[str, ThemeTexts]
    general_skills: tuple[str, ...]
    success_factor_lessons: dict[str, str]
    success_factor_weights: dict[str, float]
    obstacles: tuple[str, ...]
    target_group_themes: dict[str, dict[str, float]]
    role_themes: dict[str, dict[str, float]]
    extra_target_group_weights: dict[str, float]
    kind_weights: dict[str, float]
    kind_lead_weights: dict[str, float]
    kind_phrases: dict[str, str]
    kind_themes: dict[str, dict[str, float]]
    kind_target_groups: dict[str, dict[str, float]]
    organisation_names: dict[str, tuple[str, ...]]
    name_words: tuple[str, ...]
    school_names: tuple[str, ...]
    islamic_school_names: tuple[str, ...]
    community_centre_names: tuple[str, ...]
    mosque_names: dict[str, tuple[str, ...]]
    saints: tuple[str, ...]
    kind_offers: dict[str, tuple[str, ...]]
    general_offers: tuple[str, ...]
    role_weights_dutch: dict[str, float]
    role_weights_migrant: dict[str, float]
    hours_by_role: dict[str, tuple[int, int]]
    status_weights: dict[str, float]
    visibility_weights: dict[str, float]
    # Derived here, not kept in the file: they follow from the data above or the taxonomies.
    origin_by_key: dict[str, Origin]
    migrant_origins: tuple[Origin, ...]
    theme_target_groups: dict[str, dict[str, float]]
    language_names: dict[str, str]  # slug -> Dutch name without "(...)"
    theme_names: dict[str, str]  # slug -> Dutch name, lower case, "&" as "en"


def _tuples(value: Any) -> Any:
    """Lists (at any depth) as tuples, so the loaded data can't be changed by accident."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


def _origin(data: dict[str, Any]) -> Origin:
    data = dict(data)
    script = data.pop("script_names", None)
    fields = {key: _tuples(value) for key, value in data.items()}
    if script is not None:
        fields["script_names"] = (
            tuple(script["given_female"]),
            tuple(script["given_male"]),
            tuple(script["surnames"]),
        )
    return Origin(**fields)


# The placeholders each kind of text may use; a misspelt one would raise KeyError mid-run.
NAME_PLACEHOLDERS = frozenset(
    {"plaats", "wijk", "woord", "school", "islamitische_school", "buurthuis", "moskee"}
    | {"heilige", "achternaam", "adjectief", "adjectief_het", "herkomstwoord"}
)
TITLE_PLACEHOLDERS = frozenset({"plaats", "wijk", "groep"})
ACTIVITY_PLACEHOLDERS = frozenset(
    {"groep", "groep_hoofdletter", "dag", "locatie", "plaats", "wijk"}
)


def _placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name}


def vocabulary_check(vocabulary: Vocabulary) -> list[str]:
    """Every problem that would make the planner fail or write nonsense, as sentences."""
    problems: list[str] = []
    kinds = set(Organisation.Kind.values)
    # The planner looks these up for every kind it draws.
    required = (
        "kind_phrases", "kind_themes", "kind_target_groups", "organisation_names", "kind_offers"
    )  # fmt: skip
    for table in required:
        for kind in sorted(kinds - set(getattr(vocabulary, table))):
            problems.append(f"{table} has no entry for the organisation kind {kind!r}.")
    for table in ("kind_weights", "kind_lead_weights", *required):
        for kind in sorted(set(getattr(vocabulary, table)) - kinds):
            problems.append(f"{table} names {kind!r}, which is not an organisation kind.")
    for theme in sorted({slug for slug, _nl, _en in THEMES} - set(vocabulary.theme_texts)):
        problems.append(f"theme_texts has no entry for the theme {theme!r}.")
    for theme, texts in vocabulary.theme_texts.items():
        for part in ("titles", "activities", "results", "bio"):
            if not getattr(texts, part):
                problems.append(f"theme_texts.{theme}.{part} is empty.")
        checks = (("titles", TITLE_PLACEHOLDERS), ("activities", ACTIVITY_PLACEHOLDERS))
        for part, allowed in checks:
            for text in getattr(texts, part):
                for name in sorted(_placeholders(text) - allowed):
                    problems.append(f"theme_texts.{theme}.{part}: unknown {{{name}}} in {text!r}.")
    for kind, patterns in vocabulary.organisation_names.items():
        for pattern in patterns:
            for name in sorted(_placeholders(pattern) - NAME_PLACEHOLDERS):
                problems.append(f"organisation_names.{kind}: unknown {{{name}}} in {pattern!r}.")
    for origin in vocabulary.origins:
        if not (origin.given_female and origin.given_male and origin.surnames):
            problems.append(f"origins.{origin.key} needs given names and surnames.")
        if not origin.languages:
            problems.append(f"origins.{origin.key}.languages is empty.")
    if "dutch" not in vocabulary.origin_by_key:
        problems.append("origins needs the 'dutch' origin.")
    for key in sorted(set(Initiative.Status.values) ^ set(vocabulary.status_weights)):
        problems.append(f"status_weights: {key!r} missing or not an initiative status.")
    for key in sorted(set(Person.Visibility.values) ^ set(vocabulary.visibility_weights)):
        problems.append(f"visibility_weights: {key!r} missing or not a visibility.")
    return problems


@functools.cache
def vocabulary_load(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """Read and check vocabulary.json once per process (the planner reads it for every row)."""
    with path.open(encoding="utf-8") as file:
        data = json.load(file)
    data.pop("notes", None)  # explanations for people editing the file
    origins = tuple(_origin(origin) for origin in data.pop("origins"))
    theme_texts = {
        theme: ThemeTexts(**_tuples(texts)) for theme, texts in data.pop("theme_texts").items()
    }
    theme_target_groups: dict[str, dict[str, float]] = {}
    for group, themes in data["target_group_themes"].items():
        for theme, weight in themes.items():
            theme_target_groups.setdefault(theme, {})[group] = weight
    try:
        vocabulary = Vocabulary(
            origins=origins,
            theme_texts=theme_texts,
            **{key: _tuples(value) for key, value in data.items()},
            origin_by_key={origin.key: origin for origin in origins},
            migrant_origins=tuple(origin for origin in origins if origin.key != "dutch"),
            theme_target_groups=theme_target_groups,
            language_names={
                slug: re.sub(r"\s*\(.*\)", "", name_nl) for slug, name_nl, _en in LANGUAGES
            },
            theme_names={
                slug: name_nl.lower().replace(" & ", " en ") for slug, name_nl, _en in THEMES
            },
        )
    except TypeError as error:  # a key missing or unknown
        raise ValueError(f"{path.name}: {error}") from error
    problems = vocabulary_check(vocabulary)
    if problems:
        raise ValueError(f"{path.name}: " + " ".join(problems))
    return vocabulary
