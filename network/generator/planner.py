"""The planner: decides what the generator makes, without touching the database.

Everything is drawn from seeded random streams, one per phase ("organisations", "people",
"memberships", "initiatives"), in row order, so a seed gives the same network whatever the
batch size, and a phase draws the same whatever came before it. The inputs are the seed, the
text data (vocabulary.json) and what the database knows (`Known`: the taxonomies,
municipalities and funds, read by the writer). Rows refer to each other by index into the
planner's own lists; the writer turns indexes into primary keys.

Names are drawn by "name origin" only to make names, languages and the communities a person
has experience with plausible together; the origin itself is never stored (the platform
records no person's ethnicity or religion).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.text import slugify

from network.generator.vocabulary import Origin, Vocabulary, vocabulary_load
from network.models import Initiative, Membership, Organisation

# Dates are drawn up to a fixed day, not today, so that a seed gives the same network forever.
LATEST_DATE = date(2025, 6, 30)
EARLIEST_START = date(2005, 1, 1)

Kind = Organisation.Kind


# --------------------------------------------------------------------------- helpers


class Weighted:
    """Draws from weighted items in O(log n), with the generator's own random source."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, weights: dict[Any, float] | Iterable[tuple[Any, float]]) -> None:
        pairs = [(item, weight) for item, weight in dict(weights).items() if weight > 0]
        self.items = [item for item, _weight in pairs]
        self.cumulative = list(itertools.accumulate(weight for _item, weight in pairs))
        self.total = self.cumulative[-1] if self.cumulative else 0.0

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]

    def pick_distinct(self, rng: random.Random, count: int) -> list[Any]:
        chosen: list[Any] = []
        count = min(count, len(self.items))
        for _attempt in range(count * 5):
            if len(chosen) >= count:
                break
            item = self.pick(rng)
            if item not in chosen:
                chosen.append(item)
        return chosen


def _merge_weights(
    *sources: dict[str, float], base: Iterable[str] = (), base_weight: float = 0.0
) -> dict[str, float]:
    merged = dict.fromkeys(base, base_weight)
    for source in sources:
        for key, weight in source.items():
            merged[key] = merged.get(key, 0.0) + weight
    return merged


def _dutch_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} en {items[-1]}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count_choice(rng: random.Random, weights: Sequence[float]) -> int:
    """How many of something: index i drawn with weights[i]."""
    return rng.choices(range(len(weights)), weights=weights)[0]


def _phase_rng(seed: int, phase: str) -> random.Random:
    # One independent stream per phase, so that a phase draws the same whatever came before.
    return random.Random(f"bruggen-generate-network:{seed}:{phase}")


# --------------------------------------------------------------------------- drafts


@dataclass(slots=True)
class OrganisationDraft:
    name: str
    kind: str
    municipality: str
    place: str
    neighbourhood: str
    themes: list[str]
    target_groups: list[str]
    languages: list[str]
    description: str
    offers: str
    website: str
    open_to_matching: bool
    verified: bool


@dataclass(slots=True)
class PersonDraft:
    name: str
    municipality: str
    roles: list[str]
    languages: list[str]
    themes: list[str]
    target_groups: list[str]
    skills: list[str]
    bio: str
    looking_for: str
    hours_per_week: int | None
    mentor_capacity: int
    visibility: str
    open_to_matching: bool


@dataclass(slots=True)
class InitiativeDraft:
    title: str
    organisation: int | None  # index into the organisations
    partners: list[int]
    leader: int | None  # index into the people
    municipality: str
    neighbourhood: str
    themes: list[str]
    target_groups: list[str]
    status: str
    started: date | None
    ended: date | None
    summary: str
    results: str
    success_factors: list[str]
    obstacles: str
    lessons: str
    funders: list[int]  # Fund primary keys


@dataclass(frozen=True)
class Known:
    """What the database knows: generated data uses only these slugs, municipalities and funds.
    The writer reads it (writer.known_read); the planner only looks at it."""

    themes: frozenset[str]
    target_groups: frozenset[str]
    success_factors: frozenset[str]
    roles: frozenset[str]
    languages: frozenset[str]
    municipalities: dict[str, str]  # slug -> name
    funds: tuple[int, ...]  # primary keys, in ref order


class NetworkPlanner:
    """Draws the network in Python, without touching the database. Each phase has its own
    random stream and draws its rows in order, so the result does not depend on batch size."""

    def __init__(self, *, seed: int, known: Known, words: Vocabulary | None = None) -> None:
        self.seed = seed
        self.known = known
        self.words = words or vocabulary_load()
        self.municipalities = Weighted(
            (slug, self.words.municipality_population.get(name, 10.0))
            for slug, name in known.municipalities.items()
        )
        self.origins = Weighted((origin, origin.weight) for origin in self.words.origins)
        self.migrant_origins = Weighted(
            (origin, origin.weight) for origin in self.words.migrant_origins
        )
        self.kinds = Weighted(self.words.kind_weights)
        self.visibility = Weighted(self.words.visibility_weights)
        self.statuses = Weighted(self.words.status_weights)
        self.extra_target_groups = Weighted(
            self._known(self.words.extra_target_group_weights, known.target_groups)
        )
        self.success_factors = known.success_factors
        self.themes = sorted(known.themes)
        self.target_groups = sorted(known.target_groups)
        self.role_weights = {
            "dutch": Weighted(self._known(self.words.role_weights_dutch, known.roles)),
            "migrant": Weighted(self._known(self.words.role_weights_migrant, known.roles)),
        }
        self.organisations: list[OrganisationDraft] = []
        self.people: list[PersonDraft] = []
        self.members_by_organisation: list[list[int]] = []
        self._pools: dict[tuple, Weighted] = {}
        self._leaders: dict[int, tuple[list[int], list[int]]] = {}

    @staticmethod
    def _known(weights: dict[str, float], known: frozenset[str]) -> dict[str, float]:
        return {key: weight for key, weight in weights.items() if key in known}

    def _cached(self, key: tuple, build: Callable[[], Weighted]) -> Weighted:
        # A few thousand distinct pools serve 100,000 draws; building one each time is slow.
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = build()
        return pool

    def _theme_pool(
        self, *, target_groups: Sequence[str] = (), roles: Sequence[str] = (), kind: str = ""
    ) -> Weighted:
        """Themes weighted by what goes with these target groups, roles and kind, plus a
        little of every theme."""

        def build() -> Weighted:
            sources = [self.words.target_group_themes.get(group, {}) for group in target_groups]
            sources += [self.words.role_themes.get(role, {}) for role in roles]
            if kind:
                sources.append(
                    {theme: weight * 3 for theme, weight in self.words.kind_themes[kind].items()}
                )
            merged = _merge_weights(*sources, base=self.themes, base_weight=0.6)
            return Weighted(self._known(merged, self.known.themes))

        return self._cached(("themes", kind, tuple(target_groups), tuple(roles)), build)

    def _place(self, rng: random.Random, municipality: str) -> tuple[str, str]:
        """The municipality's name and, where we know them, one of its neighbourhoods."""
        place = self.known.municipalities[municipality]
        neighbourhoods = self.words.neighbourhoods.get(place)
        neighbourhood = rng.choice(neighbourhoods) if neighbourhoods and rng.random() < 0.8 else ""
        return place, neighbourhood

    # -- organisations

    def organisations_draw(self, count: int) -> Iterator[OrganisationDraft]:
        rng = _phase_rng(self.seed, "organisations")
        for _index in range(count):
            draft = self._organisation(rng)
            self.organisations.append(draft)
            yield draft

    def _organisation(self, rng: random.Random) -> OrganisationDraft:
        kind = self.kinds.pick(rng)
        municipality = self.municipalities.pick(rng)
        place, neighbourhood = self._place(rng, municipality)
        patterns = self.words.organisation_names[kind]
        if not neighbourhood:
            # "Wijkcentrum Eemnes" reads fine; "Gemeente Eemnes, wijkbureau Eemnes" does not.
            patterns = tuple(p for p in patterns if "wijkbureau" not in p)
        pattern = rng.choice(patterns)
        origin: Origin | None = None
        if "{moskee}" in pattern:
            origin = self.words.origin_by_key[rng.choice(("moroccan", "moroccan", "turkish"))]
        elif "{adjectief" in pattern or "{herkomstwoord}" in pattern:
            origin = self.migrant_origins.pick(rng)
        community = {"Eritrees-Orthodoxe": "refugees", "Hindoe Mandir": "surinamese"}
        name = pattern.format(
            plaats=place,
            wijk=neighbourhood or place,
            woord=rng.choice(self.words.name_words),
            school=rng.choice(self.words.school_names),
            islamitische_school=rng.choice(self.words.islamic_school_names),
            buurthuis=rng.choice(self.words.community_centre_names),
            moskee=rng.choice(self.words.mosque_names[origin.key])
            if origin and origin.key in self.words.mosque_names
            else "",
            heilige=rng.choice(self.words.saints),
            achternaam=self._surname(rng, self.origins.pick(rng), female=rng.random() < 0.5),
            adjectief=origin.adjective if origin else "",
            adjectief_het=origin.adjective_neuter if origin else "",
            herkomstwoord=rng.choice(origin.organisation_words) if origin else "",
        )
        groups = self._cached(
            ("kind target groups", kind),
            lambda: Weighted(
                self._known(self.words.kind_target_groups[kind], self.known.target_groups)
            ),
        )
        target_groups = groups.pick_distinct(rng, 1 + _count_choice(rng, (40, 40, 20)))
        if origin is not None:
            target_groups.insert(0, origin.community)
        for marker, group in community.items():
            if marker in name:
                target_groups.insert(0, group)
        if kind in (Kind.WELFARE, Kind.MUNICIPALITY, Kind.VOLUNTEER_CENTRE) and rng.random() < 0.4:
            target_groups.append(rng.choice(self.words.community_target_groups))
        target_groups = [
            group for group in dict.fromkeys(target_groups) if group in self.known.target_groups
        ]
        themes = self._theme_pool(target_groups=target_groups, kind=kind).pick_distinct(
            rng, 1 + _count_choice(rng, (25, 40, 25, 10))
        )
        languages = ["nl"] if rng.random() < 0.98 else []
        if origin is not None:
            languages += [
                language
                for language, share in origin.languages
                if language != "en" and rng.random() < share
            ]
        for group in target_groups:
            if group in self.words.community_languages and rng.random() < 0.3:
                languages.append(rng.choice(self.words.community_languages[group]))
        if rng.random() < 0.3:
            languages.append("en")
        languages = [
            language for language in dict.fromkeys(languages) if language in self.known.languages
        ]
        group_phrase = _dutch_list(
            [
                self.words.target_group_phrases[group]
                for group in target_groups[:3]
                if group in self.words.target_group_phrases
            ]
        )
        where = (
            f"{place}, in de wijk {neighbourhood}"
            if neighbourhood and neighbourhood != place
            else place
        )
        sentences = [f"{name} is {self.words.kind_phrases[kind]} in {where}."]
        if group_phrase:
            sentences.append(f"We zetten ons in voor {group_phrase}.")
        if themes:
            sentences.append(self._activity(rng, themes[0], target_groups, place, neighbourhood))
        if rng.random() < 0.5:
            sentences.append(
                "We werken samen met scholen, buurtteams en vrijwilligers in de buurt."
            )
        offers = [*self.words.kind_offers[kind], *self.words.general_offers]
        if origin is not None:
            offers.append(f"een netwerk in de {origin.adjective} gemeenschap")
            spoken = [
                self.words.language_names[language]
                for language in languages
                if language not in ("nl", "en")
            ]
            if spoken:
                offers.append(f"vertaling in het {_dutch_list(spoken)}")
        offer_text = (
            f"Wij bieden {_dutch_list(rng.sample(offers, k=min(len(offers), rng.randint(2, 3))))}."
        )
        return OrganisationDraft(
            name=name[:200],
            kind=kind,
            municipality=municipality,
            place=place,
            neighbourhood=neighbourhood,
            themes=themes,
            target_groups=target_groups,
            languages=languages,
            description=" ".join(sentences),
            offers=offer_text,
            website=self._website(name) if rng.random() < 0.6 else "",
            open_to_matching=rng.random() < 0.9,
            verified=rng.random() < 0.3,
        )

    @staticmethod
    def _website(name: str) -> str:
        host = slugify(name)[:60].strip("-_").replace("_", "-") or "organisatie"
        return f"https://{host}.example.org"

    def _activity(
        self,
        rng: random.Random,
        theme: str,
        target_groups: Sequence[str],
        place: str,
        neighbourhood: str,
    ) -> str:
        group = (
            self.words.target_group_phrases.get(target_groups[0], "buurtbewoners")
            if target_groups
            else "buurtbewoners"
        )
        return rng.choice(self.words.theme_texts[theme].activities).format(
            groep=group,
            groep_hoofdletter=_capitalise(group),
            dag=rng.choice(self.words.days),
            locatie=rng.choice(self.words.venues),
            plaats=place,
            wijk=neighbourhood or place,
        )

    # -- people

    @staticmethod
    def _surname(rng: random.Random, origin: Origin, *, female: bool) -> str:
        surname = rng.choice(origin.surnames)
        if "/" in surname:
            male_form, female_form = surname.split("/")
            surname = female_form if female else male_form
        return surname

    def _person_name(self, rng: random.Random, origin: Origin) -> str:
        female = rng.random() < 0.55  # women are a majority among volunteers in this field
        if origin.script_names and rng.random() < origin.script_share:
            given_female, given_male, surnames = origin.script_names
            return f"{rng.choice(given_female if female else given_male)} {rng.choice(surnames)}"
        given = rng.choice(origin.given_female if female else origin.given_male)
        surname = self._surname(rng, origin, female=female)
        if rng.random() < 0.1:
            # Some people show only an initial, as in the demo network ("Annelies K.").
            initial = surname.split()[-1].lstrip("'")[:1].upper()
            return f"{given} {initial}."
        return f"{given} {surname}"

    def people_draw(self, count: int) -> Iterator[PersonDraft]:
        rng = _phase_rng(self.seed, "people")
        for _index in range(count):
            draft = self._person(rng)
            self.people.append(draft)
            yield draft

    def _person(self, rng: random.Random) -> PersonDraft:
        known = self.known
        origin: Origin = self.origins.pick(rng)
        municipality = self.municipalities.pick(rng)
        place, neighbourhood = self._place(rng, municipality)

        roles = [self.role_weights["dutch" if origin.key == "dutch" else "migrant"].pick(rng)]
        if rng.random() < 0.18:
            second = self.role_weights["dutch"].pick(rng)
            if second not in roles:
                roles.append(second)

        target_groups: list[str] = []
        if rng.random() < (0.25 if origin.key == "dutch" else 0.7):
            target_groups.append(origin.community)
        target_groups += self.extra_target_groups.pick_distinct(
            rng, _count_choice(rng, (15, 40, 30, 15))
        )
        if not target_groups:
            target_groups.append(self.extra_target_groups.pick(rng))
        target_groups = [
            group for group in dict.fromkeys(target_groups) if group in known.target_groups
        ]

        languages = ["nl"] if rng.random() < origin.speaks_dutch else []
        languages += [language for language, share in origin.languages if rng.random() < share]
        for group in target_groups:
            if (
                group != origin.community
                and group in self.words.community_languages
                and rng.random() < 0.4
            ):
                languages.append(rng.choice(self.words.community_languages[group]))
        if not languages:
            languages.append(origin.languages[0][0])
        languages = [
            language for language in dict.fromkeys(languages) if language in known.languages
        ]

        themes = self._theme_pool(target_groups=target_groups, roles=roles).pick_distinct(
            rng, 1 + _count_choice(rng, (20, 40, 28, 12))
        )

        skill_pool = [skill for theme in themes for skill in self.words.theme_texts[theme].skills]
        skill_pool += self.words.general_skills
        skills = list(
            dict.fromkeys(
                rng.sample(
                    skill_pool, k=min(len(skill_pool), _count_choice(rng, (10, 30, 30, 20, 10)))
                )
            )
        )
        if "ar" in languages and rng.random() < 0.2:
            skills.append("tolken Arabisch")

        primary = roles[0]
        low, high = self.words.hours_by_role.get(primary, (1, 8))
        hours = rng.randint(low, high) if rng.random() < 0.9 else None
        mentor_capacity = rng.randint(1, 3) if "mentor" in roles else 0

        return PersonDraft(
            name=self._person_name(rng, origin)[:150],
            municipality=municipality,
            roles=roles,
            languages=languages,
            themes=themes,
            target_groups=target_groups,
            skills=skills,
            bio=self._bio(rng, primary, themes, target_groups, languages, place, neighbourhood),
            looking_for=self._looking_for(rng, primary, themes, target_groups, hours),
            hours_per_week=hours,
            mentor_capacity=mentor_capacity,
            visibility=self.visibility.pick(rng),
            open_to_matching=rng.random() < 0.9,
        )

    def _bio(
        self,
        rng: random.Random,
        role: str,
        themes: list[str],
        target_groups: list[str],
        languages: list[str],
        place: str,
        neighbourhood: str,
    ) -> str:
        phrases = [
            self.words.target_group_phrases[group]
            for group in target_groups
            if group in self.words.target_group_phrases
        ]
        first_group = phrases[0] if phrases else "bewoners"
        theme_name = self.words.theme_names.get(themes[0], "de buurt") if themes else "de buurt"
        where = f"{neighbourhood} in {place}" if neighbourhood and neighbourhood != place else place
        opening = {
            "volunteer": f"Ik ben vrijwilliger in {where}.",
            "key_figure": f"Als sleutelfiguur ben ik een brug tussen {first_group} en organisaties in {place}.",
            "mentor": "Ik heb jarenlang projecten geleid en coach nu graag nieuwe projectleiders.",
            "project_leader": f"Ik leid projecten in {where}, onder meer rond {theme_name}.",
        }.get(role, f"Ik woon in {where}.")
        sentences = [opening]
        # A key figure's opening names the first group already.
        others = phrases[1:] if role == "key_figure" else phrases
        if others:
            also = " ook" if role == "key_figure" else ""
            sentences.append(f"Ik heb{also} ervaring met {_dutch_list(others)}.")
        sentences += [rng.choice(self.words.theme_texts[theme].bio) for theme in themes[:2]]
        if languages:
            sentences.append(
                f"Ik spreek {_dutch_list([self.words.language_names.get(language, language) for language in languages])}."
            )
        return " ".join(dict.fromkeys(sentences))

    def _looking_for(
        self,
        rng: random.Random,
        role: str,
        themes: list[str],
        target_groups: list[str],
        hours: int | None,
    ) -> str:
        if rng.random() < 0.15:
            return ""
        group = (
            self.words.target_group_phrases.get(target_groups[0], "bewoners")
            if target_groups
            else "bewoners"
        )
        topic = self.words.theme_names.get(themes[0], "de buurt") if themes else "de buurt"
        if role == "volunteer":
            amount = f", ongeveer {hours} uur per week" if hours else ""
            return f"Ik zoek vrijwilligerswerk met {group}{amount}."
        if role == "key_figure":
            return f"Ik zoek organisaties die {group} beter willen bereiken."
        if role == "mentor":
            return f"Ik zoek een projectleider die ik kan begeleiden bij een project rond {topic}."
        wanted = rng.choice(
            (
                "een partnerorganisatie",
                "vrijwilligers",
                "een ruimte",
                "een mentor",
                "een sleutelfiguur",
            )
        )
        return f"Ik zoek {wanted} voor mijn project met {group}."

    # -- memberships

    def memberships_draw(self) -> list[tuple[int, int, str]]:
        """(organisation index, person index, role): every organisation gets one admin; each
        person is in 0 to 2 organisations, mostly near home and sharing a target group."""
        rng = _phase_rng(self.seed, "memberships")
        people, organisations = self.people, self.organisations
        counts = bytearray(len(people))
        members: list[set[int]] = [set() for _organisation in organisations]
        rows: list[tuple[int, int, str]] = []
        people_by_municipality: dict[str, list[int]] = defaultdict(list)
        for index, person in enumerate(people):
            people_by_municipality[person.municipality].append(index)
        organisations_by_municipality: dict[str, list[int]] = defaultdict(list)
        organisations_by_place_and_group: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, organisation in enumerate(organisations):
            organisations_by_municipality[organisation.municipality].append(index)
            for group in organisation.target_groups:
                organisations_by_place_and_group[organisation.municipality, group].append(index)
        leading_roles = {"project_leader", "key_figure", "mentor"}

        cursor = 0  # for the rare organisation no random draw finds an admin for
        for organisation_index, organisation in enumerate(organisations):
            pool = people_by_municipality.get(organisation.municipality) or range(len(people))
            admin = None
            for attempt in range(8):
                candidate = pool[rng.randrange(len(pool))]
                if counts[candidate] < 2 and (
                    attempt >= 4 or leading_roles.intersection(people[candidate].roles)
                ):
                    admin = candidate
                    break
            if admin is None:
                while counts[cursor] >= 2:
                    cursor += 1
                admin = cursor
            counts[admin] += 1
            members[organisation_index].add(admin)
            rows.append((organisation_index, admin, Membership.Role.ADMIN))

        if organisations:
            for person_index, person in enumerate(people):
                wanted = _count_choice(rng, (35, 45, 20))
                for _attempt in range(3 * wanted):
                    if counts[person_index] >= wanted:
                        break
                    choice = rng.random()
                    candidates: Sequence[int] = ()
                    if choice < 0.5 and person.target_groups:
                        candidates = organisations_by_place_and_group.get(
                            (person.municipality, rng.choice(person.target_groups)), ()
                        )
                    if not candidates and choice < 0.85:
                        candidates = organisations_by_municipality.get(person.municipality, ())
                    if not candidates:
                        candidates = range(len(organisations))
                    organisation_index = candidates[rng.randrange(len(candidates))]
                    if person_index in members[organisation_index]:
                        continue
                    counts[person_index] += 1
                    members[organisation_index].add(person_index)
                    rows.append((organisation_index, person_index, Membership.Role.MEMBER))
        self.members_by_organisation = [sorted(group) for group in members]
        return rows

    # -- initiatives

    def _success_factor_pool(self, *, in_community: bool, with_youth: bool) -> Weighted:
        weights = dict(self.words.success_factor_weights)
        if in_community:
            weights["own_language"] += 8
            weights["target_group_knowledge"] += 4
        if with_youth:
            weights["role_models"] += 8
        return Weighted(self._known(weights, self.success_factors))

    def _members_and_leaders(self, organisation: int) -> tuple[list[int], list[int]]:
        """An organisation's members, and those of them who lead or mentor projects."""
        found = self._leaders.get(organisation)
        if found is None:
            members = (
                self.members_by_organisation[organisation] if self.members_by_organisation else []
            )
            leaders = [
                member
                for member in members
                if {"project_leader", "mentor"}.intersection(self.people[member].roles)
            ]
            found = self._leaders[organisation] = (members, leaders)
        return found

    def initiatives_draw(self, count: int) -> Iterator[InitiativeDraft]:
        rng = _phase_rng(self.seed, "initiatives")
        organisations = self.organisations
        leads = Weighted(
            (index, self.words.kind_lead_weights.get(organisation.kind, 1.0))
            for index, organisation in enumerate(organisations)
        )
        by_municipality: dict[str, list[int]] = defaultdict(list)
        for index, organisation in enumerate(organisations):
            by_municipality[organisation.municipality].append(index)
        for _index in range(count):
            yield self._initiative(rng, leads, by_municipality)

    def _initiative(
        self, rng: random.Random, leads: Weighted, by_municipality: dict[str, list[int]]
    ) -> InitiativeDraft:
        known = self.known
        lead_index = leads.pick(rng) if leads else None
        lead = self.organisations[lead_index] if lead_index is not None else None
        if lead is not None and rng.random() < 0.85:
            municipality = lead.municipality
        else:
            municipality = self.municipalities.pick(rng)
        place, neighbourhood = self._place(rng, municipality)
        if (
            lead is not None
            and lead.municipality == municipality
            and lead.neighbourhood
            and rng.random() < 0.7
        ):
            neighbourhood = lead.neighbourhood

        lead_themes = lead.themes if lead else []
        primary = (
            rng.choice(lead_themes)
            if lead_themes and rng.random() < 0.7
            else rng.choice(self.themes)
        )
        target_groups: list[str] = []
        if lead is not None and lead.target_groups:
            target_groups += rng.sample(
                lead.target_groups, k=min(len(lead.target_groups), rng.randint(1, 2))
            )
        theme_groups = self._cached(
            ("theme target groups", primary),
            lambda: Weighted(
                self._known(self.words.theme_target_groups.get(primary, {}), known.target_groups)
            ),
        )
        if theme_groups and (not target_groups or rng.random() < 0.5):
            target_groups.append(theme_groups.pick(rng))
        if not target_groups:
            target_groups.append(self.extra_target_groups.pick(rng))
        target_groups = list(dict.fromkeys(target_groups))
        secondary = self._theme_pool(target_groups=target_groups).pick_distinct(
            rng, _count_choice(rng, (40, 40, 20))
        )
        themes = [primary, *secondary]
        themes = list(dict.fromkeys(themes))

        status = self.statuses.pick(rng)
        started = ended = None
        if status != Initiative.Status.IDEA:
            started = EARLIEST_START + timedelta(
                days=rng.randrange((LATEST_DATE - EARLIEST_START).days)
            )
        if status == Initiative.Status.FINISHED and started is not None:
            ended = min(LATEST_DATE, started + timedelta(days=rng.randint(90, 1500)))

        partners: list[int] = []
        if self.organisations:
            for _partner in range(_count_choice(rng, (30, 35, 25, 10))):
                nearby = by_municipality.get(municipality)
                pool: Sequence[int] = (
                    nearby if nearby and rng.random() < 0.7 else range(len(self.organisations))
                )
                candidate = pool[rng.randrange(len(pool))]
                if candidate != lead_index and candidate not in partners:
                    partners.append(candidate)

        in_community = any(group in self.words.community_languages for group in target_groups)
        with_youth = "youth" in target_groups
        factor_count = (
            _count_choice(rng, (60, 40))
            if status == Initiative.Status.IDEA
            else 1 + _count_choice(rng, (15, 35, 35, 15))
        )
        success_factors = self._cached(
            ("success factors", in_community, with_youth),
            lambda: self._success_factor_pool(in_community=in_community, with_youth=with_youth),
        ).pick_distinct(rng, factor_count)

        leader = None
        if lead_index is not None:
            members, leaders = self._members_and_leaders(lead_index)
            if leaders and rng.random() < 0.85:
                leader = rng.choice(leaders)
            elif members:
                leader = rng.choice(members)

        funders: list[int] = []
        if (
            known.funds
            and status != Initiative.Status.IDEA
            and rng.random() < (0.8 if "subsidy" in success_factors else 0.45)
        ):
            funders = rng.sample(known.funds, k=min(len(known.funds), rng.randint(1, 2)))

        group = self.words.target_group_phrases.get(target_groups[0], "buurtbewoners")
        texts = self.words.theme_texts[primary]
        title = rng.choice(texts.titles).format(
            plaats=place, wijk=neighbourhood or place, groep=group
        )
        summary = [self._activity(rng, primary, target_groups, place, neighbourhood)]
        groups = _dutch_list(
            [
                self.words.target_group_phrases[g]
                for g in target_groups
                if g in self.words.target_group_phrases
            ]
        )
        summary.append(f"Het initiatief is er voor {groups} in {neighbourhood or place}.")
        if lead is not None:
            with_partners = (
                f", samen met {_dutch_list([self.organisations[p].name for p in partners])}"
                if partners
                else ""
            )
            summary.append(f"{lead.name} organiseert het{with_partners}.")
        if len(themes) > 1 and rng.random() < 0.6:
            summary.append(self._activity(rng, themes[1], target_groups, place, neighbourhood))
        if status == Initiative.Status.IDEA:
            summary.append("We zoeken nog partners en vrijwilligers om te kunnen starten.")

        results = ""
        if (status == Initiative.Status.FINISHED and rng.random() < 0.95) or (
            status == Initiative.Status.RUNNING and rng.random() < 0.45
        ):
            sessions, reached, volunteers = (
                rng.randint(6, 120),
                rng.randint(15, 600),
                rng.randint(3, 40),
            )
            results = " ".join(
                (
                    f"In {sessions} bijeenkomsten bereikten we ongeveer {reached} {group}.",
                    f"{volunteers} vrijwilligers zetten zich in, van wie veel uit de eigen gemeenschap.",
                    rng.choice(texts.results),
                )
            )
        lessons = ""
        if (
            success_factors
            and status != Initiative.Status.IDEA
            and rng.random() < (0.9 if status == Initiative.Status.FINISHED else 0.5)
        ):
            lessons = " ".join(
                self.words.success_factor_lessons[factor]
                for factor in success_factors[:2]
                if factor in self.words.success_factor_lessons
            )
        obstacles = ""
        if status != Initiative.Status.IDEA and rng.random() < 0.7:
            obstacles = " ".join(rng.sample(self.words.obstacles, k=rng.randint(1, 2)))

        return InitiativeDraft(
            title=title[:200],
            organisation=lead_index,
            partners=partners,
            leader=leader,
            municipality=municipality,
            neighbourhood=neighbourhood[:100],
            themes=[theme for theme in themes if theme in known.themes],
            target_groups=[g for g in target_groups if g in known.target_groups],
            status=status,
            started=started,
            ended=ended,
            summary=" ".join(summary),
            results=results,
            success_factors=success_factors,
            obstacles=obstacles,
            lessons=lessons,
            funders=funders,
        )
