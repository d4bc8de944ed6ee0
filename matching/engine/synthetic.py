"""Synthetic networks for the engine's tests and benchmarks (seeded, no database).

The vocabulary is the one of docs/contracts.md §2, read from `network.taxonomies` (a plain
module with no Django imports at import time). Texts are Dutch-looking word salads whose
words follow the record's themes and target groups, so TF-IDF has something to find.
"""

from __future__ import annotations

import random

from matching.engine.types import CandidateRecord, NeedQuery, TrackRecordItem, Vocabulary

THEME_WORDS = {
    "dialogue": "dialoog gesprek debat gesprekstafel luisteren verbinding discussie",
    "food": "koken eten maaltijd recepten keuken tafel kookworkshop buurtmaaltijd",
    "sport": "sport voetbal bewegen fitness dansen zwemmen sportclub training",
    "art_culture": "kunst cultuur theater muziek tentoonstelling schilderen film verhalen",
    "language": "taal taalles taalcafé lezen schrijven conversatie spreekvaardigheid taalmaatje",
    "education": "onderwijs school huiswerk leerlingen bijles studie klas docenten",
    "parents": "ouders opvoeding ouderbetrokkenheid moeders vaders gezin ouderavond",
    "work": "werk sollicitatie baan inkomen stage ondernemen arbeidsmarkt loopbaan",
    "emancipation": "emancipatie zelfstandigheid empowerment gelijkwaardigheid rechten keuzevrijheid",
    "youth_work": "jongerenwerk tieners hangplek rolmodel talent straatcoach jongerencentrum",
    "health_care": "zorg welzijn gezondheid mantelzorg eenzaamheid huisarts beweegaanbod",
    "neighbourhood": "wijk buurt buurthuis bewoners ontmoeten straat buurtfeest",
    "festival": "festival evenement feest markt optreden programma podium",
    "volunteering": "vrijwilligerswerk inzet helpen werving begeleiding vrijwilligersvacature",
    "mentoring": "mentor maatje coaching begeleiden advies coachen meedenken",
    "faith": "geloof moskee kerk levensbeschouwing religie ramadan iftar",
}
GROUP_WORDS = {
    "moroccan": "marokkaanse marokkaans riffijns",
    "turkish": "turkse turks anatolisch",
    "somali": "somalische somalië",
    "antillean": "antilliaanse curaçao",
    "surinamese": "surinaamse suriname",
    "refugees": "vluchtelingen statushouders asielzoekers",
    "newcomers": "nieuwkomers inburgering inburgeraars",
    "native_dutch": "autochtone oudbewoners",
    "youth": "jongeren jongens",
    "children": "kinderen basisschool",
    "girls_women": "meiden vrouwen meidenclub",
    "parents": "ouders moeders",
    "elderly": "ouderen senioren",
    "residents": "wijkbewoners buurtbewoners",
    "isolated": "eenzamen isolement",
}
GROUP_LANGUAGES = {
    "moroccan": ["ar", "zgh"],
    "turkish": ["tr"],
    "somali": ["so"],
    "antillean": ["pap"],
    "surinamese": ["srn"],
    "refugees": ["ar", "ti", "fa", "ps"],
    "newcomers": ["uk", "pl", "ar", "ti"],
}
# Everyday words of Dutch profiles and project texts, most common first; `NetworkGenerator`
# draws them with Zipf-like weights (and makes compounds of them), so that a few stems are
# in a large share of all texts and most are rare, as in real text.
_COMMON_TEXT = """
project activiteiten mensen organisatie samenwerking netwerk ervaring wijk initiatief
groep wekelijks regio lokaal bijeenkomst contacten opzetten ondersteunen bereiken
doelgroep laagdrempelig samenwerken partners aanpak ideeën enthousiast plannen
vrijwilliger gemeente bewoners samenleving betrokken energie tijd middag avond weekend
locatie ruimte subsidie fonds aanvraag begroting verslag resultaten evaluatie deelnemers
bezoekers leden bestuur stichting vereniging centrum bibliotheek buurthuis huiskamer
wijkteam welzijnswerk sociaal ontmoetingsplek koffie thee gastvrij welkom open divers
verschillende culturen achtergrond generaties buren vriendschap vertrouwen respect
gelijkheid kansen talenten ontwikkeling groei leren ontdekken creatief muzikaal sportief
praktisch handig geduldig flexibel betrouwbaar zelfstandig communicatief
structuur planning overzicht afspraken verantwoordelijkheid leiding coördineren
verbinden motiveren inspireren stimuleren activeren informeren adviseren doorverwijzen
bezoeken ophalen rijden vervoer boodschappen klussen tuin groen natuur wandelen fietsen
spelletjes knutselen voorlezen zingen toneel fotograferen filmen ontwerpen
website nieuwsbrief facebook instagram flyers posters promotie interviews
onderzoek gesprekken huisbezoeken spreekuur inloop loket formulieren belasting toeslagen
schulden geldzaken budget voedselbank kleding meubels fietsenmaker
repaircafé kringloop duurzaamheid energiebesparing wooncorporatie huurders
bewonerscommissie wijkraad politiek democratie participatie inspraak burgerschap
identiteit discriminatie racisme polarisatie radicalisering veiligheid overlast
jongerenraad kinderraad speeltuin schoolplein peuters baby consultatiebureau
verloskundige gezondheidscentrum apotheek fysiotherapie dementie rolstoel
toegankelijkheid beperking psychisch trauma rouw verlies lotgenoten herstel
zelfvertrouwen weerbaarheid zelfredzaamheid eigenwaarde dromen toekomst
"""
COMMON_WORDS = tuple(_COMMON_TEXT.split())
_TAILS_TEXT = "project groep avond middag team plan dag week school club huis netwerk"
COMPOUND_TAILS = tuple(_TAILS_TEXT.split())
SKILLS = [
    "fondsenwerving",
    "communicatie",
    "organiseren",
    "coördinatie",
    "administratie",
    "fotografie",
    "subsidieaanvragen",
    "presenteren",
    "tolken",
    "vertalen",
    "financiën",
    "projectmanagement",
    "websites",
]
FIRST_NAMES = [
    "Annelies",
    "Mohamed",
    "Fatima",
    "Özlem",
    "Ahmed",
    "Sanne",
    "Youssef",
    "N'Diaye",
    "Ayaan",
    "Jeroen",
    "Samira",
    "Kees",
    "Hatice",
    "عائشة",
    "Tamara",
    "Ridouan",
    "Lotte",
]


def contract_vocabulary() -> Vocabulary:
    from network import taxonomies

    return Vocabulary(
        themes=tuple(s for s, *_ in taxonomies.THEMES),
        target_groups=tuple(s for s, *_ in taxonomies.TARGET_GROUPS),
        languages=tuple(s for s, *_ in taxonomies.LANGUAGES),
        roles=tuple(s for s, *_ in taxonomies.ROLES),
    )


def municipalities() -> list[tuple[str, float, float]]:
    from network import taxonomies

    return list(taxonomies.MUNICIPALITIES)


class NetworkGenerator:
    """Random people, organisations and needs; every draw comes from one seeded Random."""

    def __init__(self, seed: int, vocabulary: Vocabulary | None = None):
        self.rng = random.Random(seed)
        self.vocabulary = vocabulary or contract_vocabulary()
        self.places = municipalities()
        # Utrecht and Amersfoort are big: more people live there.
        self.place_weights = [
            8 if name == "Utrecht" else 4 if name == "Amersfoort" else 1
            for name, _, _ in self.places
        ]
        self._initiative_id = 0
        self._common = list(COMMON_WORDS)
        total = 0.0
        self._common_weights = []
        for rank in range(len(self._common)):
            total += 1.0 / (rank + 1)
            self._common_weights.append(total)

    # -- building blocks ---------------------------------------------------------------

    def place(self, jitter_km: float = 3.0):
        name, lat, lon = self.rng.choices(self.places, self.place_weights)[0]
        lat += self.rng.uniform(-jitter_km, jitter_km) / 111.0
        lon += self.rng.uniform(-jitter_km, jitter_km) / 68.0
        return name, lat, lon

    def some(self, pool, low: int, high: int) -> frozenset[str]:
        pool = sorted(pool)  # sets iterate in hash order, which changes between runs
        return frozenset(self.rng.sample(pool, min(len(pool), self.rng.randint(low, high))))

    def languages_for(self, groups) -> frozenset[str]:
        spoken = {"nl"} if self.rng.random() < 0.92 else set()
        for group in sorted(groups):
            if group in GROUP_LANGUAGES and self.rng.random() < 0.6:
                spoken.add(self.rng.choice(GROUP_LANGUAGES[group]))
        if self.rng.random() < 0.4:
            spoken.add("en")
        if self.rng.random() < 0.1:
            spoken.add(self.rng.choice(self.vocabulary.languages))
        return frozenset(spoken or {"en"})

    def words(self, themes, groups, n: int) -> str:
        bank = [w for t in sorted(themes) for w in THEME_WORDS.get(t, "").split()]
        bank += [w for g in sorted(groups) for w in GROUP_WORDS.get(g, "").split()]
        out = []
        for _ in range(n):
            roll = self.rng.random()
            if bank and roll < 0.45:
                out.append(self.rng.choice(bank))
            elif roll < 0.52:
                out.append(self.rng.choice(SKILLS))
            elif roll < 0.62:
                head = self.rng.choices(self._common, cum_weights=self._common_weights)[0]
                out.append(head + self.rng.choice(COMPOUND_TAILS))
            else:
                out.append(self.rng.choices(self._common, cum_weights=self._common_weights)[0])
        return " ".join(out)

    def initiative(self, themes, groups, status: str | None = None) -> TrackRecordItem:
        self._initiative_id += 1
        status = status or self.rng.choices(["idea", "running", "finished"], [1, 3, 3])[0]
        item_themes = self.some(themes, 1, 2) | self.some(self.vocabulary.themes, 0, 1)
        item_groups = self.some(groups, 1, 2) if groups else frozenset()
        name = self.place()[0]
        return TrackRecordItem(
            initiative_id=self._initiative_id,
            ref=f"ini-{self._initiative_id}",
            title=self.words(item_themes, item_groups, 4).capitalize(),
            status=status,
            has_results=status == "finished" and self.rng.random() < 0.6,
            themes=item_themes,
            target_groups=item_groups,
            municipality=name,
        )

    # -- records -------------------------------------------------------------------------

    def person(self, id: int, n_organisations: int = 0) -> CandidateRecord:
        rng = self.rng
        roles = set()
        for role, chance in (
            ("volunteer", 0.6),
            ("key_figure", 0.2),
            ("mentor", 0.15),
            ("project_leader", 0.15),
        ):
            if rng.random() < chance:
                roles.add(role)
        roles = roles or {"volunteer"}
        generalist = rng.random() < 0.03
        themes = (
            self.some(self.vocabulary.themes, 6, 12)
            if generalist
            else self.some(self.vocabulary.themes, 1, 4)
        )
        groups = (
            self.some(self.vocabulary.target_groups, 6, 12)
            if generalist
            else self.some(self.vocabulary.target_groups, 0, 3)
        )
        name, lat, lon = self.place()
        has_point = rng.random() > 0.05
        mentor = "mentor" in roles
        capacity = rng.randint(1, 3) if mentor else 0
        track = ()
        if mentor or "project_leader" in roles:
            track = tuple(self.initiative(themes, groups) for _ in range(rng.randint(0, 4)))
        elif rng.random() < 0.1:
            track = (self.initiative(themes, groups),)
        organisations = (
            frozenset(rng.randint(1, n_organisations) for _ in range(rng.randint(0, 2)))
            if n_organisations
            else frozenset()
        )
        return CandidateRecord(
            id=id,
            kind="person",
            ref=f"p-{id}",
            name=f"{rng.choice(FIRST_NAMES)} {id}",
            roles=frozenset(roles),
            themes=themes,
            target_groups=groups,
            languages=self.languages_for(groups),
            latitude=lat if has_point else None,
            longitude=lon if has_point else None,
            municipality=name,
            hours_per_week=None if rng.random() < 0.1 else float(rng.randint(1, 10)),
            mentor_capacity=capacity,
            mentor_load=rng.randint(0, capacity) if capacity else 0,
            open_to_matching=rng.random() < 0.92,
            hidden=rng.random() < 0.04,
            organisation_ids=organisations,
            text=self.words(themes, groups, rng.randint(20, 50))
            + " "
            + " ".join(t.title for t in track),
            looking_for=self.words(self.some(self.vocabulary.themes, 1, 2), (), rng.randint(3, 12)),
            track_record=track,
            exposure=int(rng.expovariate(0.4)) if rng.random() < 0.97 else rng.randint(30, 80),
        )

    def organisation(self, id: int) -> CandidateRecord:
        rng = self.rng
        themes = self.some(self.vocabulary.themes, 1, 5)
        groups = self.some(self.vocabulary.target_groups, 1, 4)
        name, lat, lon = self.place(jitter_km=2.0)
        track = tuple(self.initiative(themes, groups) for _ in range(rng.randint(0, 5)))
        return CandidateRecord(
            id=id,
            kind="organisation",
            ref=f"org-{id}",
            name=f"Stichting {self.words(themes, (), 1).capitalize()} {id}",
            roles=frozenset(),
            themes=themes,
            target_groups=groups,
            languages=self.languages_for(groups),
            latitude=lat,
            longitude=lon,
            municipality=name,
            hours_per_week=None,
            mentor_capacity=0,
            mentor_load=0,
            open_to_matching=rng.random() < 0.9,
            hidden=rng.random() < 0.03,
            organisation_ids=frozenset({id}),
            text=self.words(themes, groups, rng.randint(30, 70))
            + " "
            + " ".join(t.title for t in track),
            looking_for=self.words(self.some(self.vocabulary.themes, 1, 3), (), rng.randint(5, 15)),
            track_record=track,
            exposure=int(rng.expovariate(0.3)),
        )

    def network(self, n_people: int, n_organisations: int) -> list[CandidateRecord]:
        organisations = [self.organisation(i) for i in range(1, n_organisations + 1)]
        people = [self.person(i, n_organisations) for i in range(1, n_people + 1)]
        return organisations + people

    def need(self, kind: str, asker: CandidateRecord | None = None) -> NeedQuery:
        rng = self.rng
        themes = self.some(self.vocabulary.themes, 1, 3)
        groups = self.some(self.vocabulary.target_groups, 1, 3)
        languages = set()
        for group in sorted(groups):
            if group in GROUP_LANGUAGES and rng.random() < 0.5:
                languages.add(rng.choice(GROUP_LANGUAGES[group]))
        if rng.random() < 0.3:
            languages.add("nl")
        name, lat, lon = self.place(jitter_km=1.0)
        return NeedQuery(
            kind=kind,
            themes=themes,
            target_groups=groups,
            languages=frozenset(languages),
            languages_required=bool(languages) and rng.random() < 0.25,
            latitude=lat,
            longitude=lon,
            municipality=name,
            radius_km=rng.choice([None, None, 10.0, 15.0, 25.0, 40.0]),
            hours_per_week=rng.choice([None, 1.0, 2.0, 4.0, 6.0]),
            text=self.words(themes, groups, rng.randint(15, 40)),
            asker_organisation_id=asker.id if asker else 0,
            asker_themes=asker.themes if asker else frozenset(),
            asker_text=asker.text if asker else "",
            limit=10,
        )

    def needs(self, records: list[CandidateRecord], count: int, kinds=None) -> list[NeedQuery]:
        kinds = kinds or ("volunteer", "key_figure", "mentor", "partner")
        organisations = [r for r in records if r.kind == "organisation"]
        return [
            self.need(
                kinds[i % len(kinds)], self.rng.choice(organisations) if organisations else None
            )
            for i in range(count)
        ]
