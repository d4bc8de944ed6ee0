"""Generate a large, realistic, random network for benchmarks: organisations, people,
memberships and initiatives. See docs/generate_network.md.

`python manage.py generate_network --people 100000 --organisations 5000 --initiatives 20000 --seed 1`

The data is deterministic for a seed (and the taxonomies, municipalities and funds already
in the database), whatever the batch size. Refs are `<prefix>-o-000001`, `<prefix>-p-…`
and `<prefix>-i-…` (prefix `gen` by default). A run refuses to start when refs with its
prefix exist already; choose another `--prefix` to add a second network. The whole run is
one transaction: it writes everything or nothing.

Names are drawn by "name origin" only to make names, languages and the communities a
person has experience with plausible together; the origin itself is never stored (the
platform records no person's ethnicity or religion).
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import models, transaction
from django.db.models import Q
from django.utils.text import slugify

from network.models import (
    Fund,
    Initiative,
    Language,
    Membership,
    Municipality,
    Organisation,
    Person,
    RetiredRef,
    Role,
    SuccessFactor,
    TargetGroup,
    Theme,
)
from network.search import search_vectors_refresh
from network.services.refs import REF_MODELS
from network.taxonomies import LANGUAGES, THEMES

DEFAULT_PREFIX = "gen"
DEFAULT_BATCH_SIZE = 5000
PREFIX_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
# Dates are drawn up to a fixed day, not today, so that a seed gives the same network forever.
LATEST_DATE = date(2025, 6, 30)
EARLIEST_START = date(2005, 1, 1)


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Origin:
    """Where a name comes from, and what tends to go with it."""

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


# fmt: off
# The vocabulary stays compact: one name a line would make it 2,000 lines long.
ORIGINS: tuple[Origin, ...] = (
    Origin(
        key="dutch",
        weight=46,
        community="native_dutch",
        adjective="Nederlandse",
        adjective_neuter="Nederlands",
        given_female=(
            "Annelies", "Sanne", "Femke", "Marieke", "Lotte", "Anouk", "Ingrid", "Els", "Wilma",
            "Joke", "Hanneke", "Saskia", "Eva", "Julia", "Noor", "Anna", "Lieke", "Maaike", "Ria",
            "Marjolein", "Inge", "Petra", "Mirjam", "Fleur", "Iris", "Karin", "Monique", "Esther",
            "Linda", "Annemarie", "Yvonne", "Marloes", "Sophie", "Emma", "Tess", "Roos", "Jet",
            "Gerda", "Hennie", "Truus", "Willemijn", "Nienke", "Floor", "Margriet", "Carolien",
        ),
        given_male=(
            "Jan", "Pieter", "Henk", "Kees", "Bas", "Sjoerd", "Thijs", "Ruud", "Wouter", "Jeroen",
            "Maarten", "Daan", "Bram", "Sem", "Joost", "Gert-Jan", "Arjen", "Teun", "Hans", "Frank",
            "Willem", "Koen", "Rutger", "Erik", "Lucas", "Gerrit", "Dirk", "Martijn", "Niels",
            "Sander", "Tim", "Vincent", "Wim", "Cor", "Gijs", "Stijn", "Jasper", "Ruben", "Mark",
            "Peter", "Rob", "Edwin", "Marcel", "Hendrik", "Jelle", "Tijmen", "Huub",
        ),
        surnames=(
            "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
            "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
            "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden",
            "Kok", "Jacobs", "de Haan", "Vermeulen", "van Dijk", "Verhoeven", "Schouten",
            "van Beek", "Willems", "Hoekstra", "Koster", "Prins", "Kuipers", "van Vliet", "Post",
            "Timmermans", "Groen", "van 't Hof", "IJzerman", "van den Broek", "Janssen",
            "de Jong", "van der Heijden", "Verbeek", "Wouters", "Maas", "Boer", "Koning",
            "van Wijk", "Evers", "Claassen", "Hermans", "van der Wal", "Huisman", "Kramer",
            "Scholten", "van Dam", "Postma", "Blom", "Molenaar", "de Ruiter", "Veenstra",
            "Beekman", "Lammers", "van Rijn", "Hoogendoorn", "de Bruijn", "Overbeek", "Gerritsen",
            "van Doorn", "Sterk", "Driessen", "Wijnands", "van Essen", "Kuiper", "Zwart", "Roelofs",
        ),
        languages=(("en", 0.75), ("de", 0.2), ("fr", 0.15), ("es", 0.07)),
        speaks_dutch=1.0,
    ),
    Origin(
        key="moroccan",
        weight=12,
        community="moroccan",
        adjective="Marokkaanse",
        adjective_neuter="Marokkaans",
        given_female=(
            "Fatima", "Aïcha", "Khadija", "Naima", "Samira", "Malika", "Houda", "Soumaya", "Nadia",
            "Loubna", "Yasmina", "Hafsa", "Ikram", "Salma", "Meryem", "Latifa", "Zineb", "Hanane",
            "Ilham", "Siham",
        ),
        given_male=(
            "Mohamed", "Ahmed", "Youssef", "Mustafa", "Abdelkader", "Rachid", "Karim", "Saïd",
            "Hassan", "Brahim", "Anouar", "Bilal", "Hamza", "Mehdi", "Nordin", "Jamal", "Driss",
            "Ilias", "Soufiane", "Redouan",
        ),
        surnames=(
            "El Amrani", "Benali", "Bouzid", "El Idrissi", "Azzouzi", "El Khattabi", "Ouali",
            "Amrani", "Boukhari", "Chaouch", "El Hadioui", "Aït Taleb", "Boussaid", "Ziani",
            "Aarab", "El Ouahabi", "Haddouchi", "Tahiri", "Lamrani", "Bakkali", "Ben Yahia",
            "El Bouazzati", "Akrouh", "Mourabit", "El Allouchi", "Oulad Ali", "Bouchtaoui",
            "Ait Ouaziz", "El Morabet", "Hamdaoui", "Kaddouri", "Zaouri", "Abarkan", "Tounsi",
        ),
        languages=(("ar", 0.7), ("zgh", 0.6), ("fr", 0.25), ("en", 0.4)),
        speaks_dutch=0.97,
        organisation_words=("Al Amal", "Noor", "Tafsout", "Amazigh", "Assalam", "Ibn Battuta"),
        script_names=(
            ("عائشة", "فاطمة", "مريم", "خديجة", "سلمى"),
            ("محمد", "يوسف", "رشيد", "كريم", "حمزة"),
            ("العمراني", "بنعلي", "الإدريسي", "الخطابي", "الطاهري"),
        ),
        script_share=0.04,
    ),
    Origin(
        key="turkish",
        weight=10,
        community="turkish",
        adjective="Turkse",
        adjective_neuter="Turks",
        given_female=(
            "Ayşe", "Fatma", "Emine", "Zeynep", "Elif", "Hatice", "Büşra", "Gülşen", "Özlem",
            "Sevgi", "Derya", "Nur", "Esra", "Şeyma", "Yasemin", "Gül", "Merve",
        ),
        given_male=(
            "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "İbrahim", "Emre", "Murat", "Hakan",
            "Yusuf", "Serkan", "Kemal", "Osman", "Burak", "Oğuz", "Erdal", "Cem",
        ),
        surnames=(
            "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Özdemir", "Aydın", "Arslan",  # noqa: RUF001 (Turkish dotless i)
            "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Öztürk", "Güneş", "Erdoğan",  # noqa: RUF001
            "Akgül", "Polat", "Bulut", "Altun", "Aksoy", "Karaca", "Ünal", "Keskin", "Tekin",
            "Uçar", "Özkan", "Acar", "Baysal", "Erdem", "Sarı", "Turan", "Yavuz", "Coşkun",  # noqa: RUF001
        ),
        languages=(("tr", 0.92), ("ku", 0.1), ("en", 0.4), ("de", 0.08)),
        speaks_dutch=0.95,
        organisation_words=("Anadolu", "Birlik", "Kardeşlik", "Umut", "Dostluk", "Yeni Nesil"),
    ),
    Origin(
        key="surinamese",
        weight=6,
        community="surinamese",
        adjective="Surinaamse",
        adjective_neuter="Surinaams",
        given_female=(
            "Sharmila", "Anjali", "Priya", "Chandra", "Ingrid", "Marlène", "Sheila", "Rachelle",
            "Shanti", "Roshni", "Gracia", "Naomi", "Cynthia", "Ruth",
        ),
        given_male=(
            "Ravi", "Sunil", "Rajesh", "Winston", "Rudy", "Glenn", "Anand", "Ricardo", "Roy",
            "Orlando", "Stanley", "Dinesh", "Clyde", "Humphrey",
        ),
        surnames=(
            "Ramdin", "Jagessar", "Sewnath", "Kromodimedjo", "Pinas", "Brunings", "Biharie",
            "Ramsaroep", "Sedney", "Doelwijt", "Karijo", "Mahabier", "Tjon A Fong", "Wijngaarde",
            "Gobardhan", "Kanhai", "Soeratman", "Fränkel",
        ),
        languages=(("srn", 0.7), ("hi", 0.12), ("en", 0.55)),
        speaks_dutch=1.0,
        organisation_words=("Sranang", "Kwakoe", "Ons Suriname", "Wi Na Wan", "Kankantrie"),
    ),
    Origin(
        key="antillean",
        weight=4,
        community="antillean",
        adjective="Antilliaanse",
        adjective_neuter="Antilliaans",
        given_female=(
            "Giselle", "Jozaira", "Sharina", "Ruthsela", "Xiomara", "Jeanine", "Shaira", "Quisaira",
            "Mirella", "Rowena",
        ),
        given_male=(
            "Shurandy", "Jurickson", "Giovanni", "Ryangelo", "Eduardo", "Curtley", "Rignald",
            "Andruw", "Kenley", "Jairzinho",
        ),
        surnames=(
            "Martina", "Isenia", "Rosario", "Cijntje", "Maduro", "Felida", "Koeiman", "Winklaar",
            "Croes", "Semeleer", "Trinidad", "Wernet", "Statia", "Josephia", "Pieternella",
        ),
        languages=(("pap", 0.95), ("es", 0.35), ("en", 0.6)),
        speaks_dutch=0.97,
        organisation_words=("Kòrsou", "Dushi", "Kolor di Bida", "Union", "Tambú"),
    ),
    Origin(
        key="somali",
        weight=3,
        community="somali",
        adjective="Somalische",
        adjective_neuter="Somalisch",
        given_female=(
            "Hodan", "Amina", "Faduma", "Sahra", "Hawa", "Ifrah", "Ubah", "Nimo", "Asha", "Halimo",
            "Sagal", "Ayan",
        ),
        given_male=(
            "Abdi", "Mohamed", "Abdirahman", "Hassan", "Ahmed", "Farah", "Liban", "Mahad", "Omar",
            "Guled", "Yusuf", "Abdullahi",
        ),
        surnames=(
            "Warsame", "Farah", "Hussein", "Jama", "Abdi", "Osman", "Ali", "Mohamud", "Nur",
            "Ahmed", "Hirsi", "Aden", "Egal", "Dirie", "Yusuf",
        ),
        languages=(("so", 0.96), ("ar", 0.25), ("en", 0.5)),
        speaks_dutch=0.9,
        organisation_words=("Hiil", "Kulan", "Horseed", "Hooyo", "Iftiin"),
    ),
    Origin(
        key="syrian",
        weight=5,
        community="refugees",
        adjective="Syrische",
        adjective_neuter="Syrisch",
        given_female=(
            "Rasha", "Lina", "Hiba", "Rima", "Nour", "Ghada", "Dima", "Yara", "Rania", "Reem",
            "Maysa", "Bushra",
        ),
        given_male=(
            "Omar", "Khaled", "Ammar", "Bassel", "Firas", "Mahmoud", "Tarek", "Hussam", "Rami",
            "Anas", "Wael", "Majd",
        ),
        surnames=(
            "Al-Hassan", "Haddad", "Khatib", "Al-Ahmad", "Shami", "Darwish", "Hamwi", "Kassem",
            "Al-Masri", "Halabi", "Jaber", "Sabbagh", "Aljundi", "Zein",
        ),
        languages=(("ar", 0.97), ("ku", 0.15), ("en", 0.5)),
        speaks_dutch=0.8,
        organisation_words=("Sawa", "Jasmijn", "Bait", "Salam", "Damascus Rose"),
        script_names=(
            ("عائشة", "نور", "ريم", "ليلى", "سارة", "هبة"),
            ("عمر", "خالد", "أحمد", "علي", "طارق", "باسل"),
            ("الحسن", "حداد", "الخطيب", "درويش", "قاسم", "الشامي"),
        ),
        script_share=0.15,
    ),
    Origin(
        key="eritrean",
        weight=3,
        community="refugees",
        adjective="Eritrese",
        adjective_neuter="Eritrees",
        given_female=(
            "Senait", "Helen", "Almaz", "Selam", "Mebrat", "Saba", "Ruta", "Feven", "Yohana",
            "Tsega",
        ),
        given_male=(
            "Yonas", "Tesfay", "Dawit", "Filmon", "Samuel", "Mehari", "Haben", "Biniam", "Robel",
            "Teklu",
        ),
        surnames=(
            "Tesfamariam", "Gebremedhin", "Haile", "Tekle", "Berhane", "Ghebreyesus", "Woldu",
            "Kidane", "Mehari", "Asmerom", "Tsegay", "Habte",
        ),
        languages=(("ti", 0.96), ("am", 0.3), ("ar", 0.2), ("en", 0.5)),
        speaks_dutch=0.75,
        organisation_words=("Selam", "Hidmona", "Nhnan", "Asmara"),
    ),
    Origin(
        key="afghan",
        weight=2,
        community="refugees",
        adjective="Afghaanse",
        adjective_neuter="Afghaans",
        given_female=(
            "Zahra", "Fatema", "Mariam", "Shabnam", "Parwana", "Nilofar", "Farishta", "Mursal",
            "Hadia", "Sadaf",
        ),
        given_male=(
            "Ahmad", "Mohammad", "Farid", "Hamid", "Nasir", "Sayed", "Jawad", "Mustafa", "Rahim",
            "Wahid", "Zabihullah", "Ali Reza",
        ),
        surnames=(
            "Ahmadi", "Rahimi", "Hashimi", "Karimi", "Sultani", "Noori", "Haidari", "Popal",
            "Amiri", "Sadat", "Wardak", "Azizi", "Hakimi",
        ),
        languages=(("fa", 0.95), ("ps", 0.35), ("en", 0.4), ("ur", 0.05)),
        speaks_dutch=0.8,
        organisation_words=("Watan", "Parwaz", "Bamiyan", "Roshan"),
    ),
    Origin(
        key="ukrainian",
        weight=3,
        community="refugees",
        adjective="Oekraïense",
        adjective_neuter="Oekraïens",
        given_female=(
            "Olena", "Iryna", "Oksana", "Kateryna", "Nataliia", "Yuliia", "Tetiana", "Svitlana",
            "Anastasiia", "Mariia", "Halyna",
        ),
        given_male=(
            "Oleksandr", "Andrii", "Serhii", "Dmytro", "Mykola", "Volodymyr", "Ivan", "Taras",
            "Bohdan", "Yurii",
        ),
        surnames=(
            "Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boiko",
            "Koval", "Oliinyk", "Lysenko", "Moroz", "Savchenko", "Petrenko",
        ),
        languages=(("uk", 0.96), ("ru", 0.6), ("en", 0.55), ("pl", 0.08)),
        speaks_dutch=0.5,
        organisation_words=("Mriya", "Sonyashnyk", "Kalyna", "Razom"),
        script_names=(
            ("Олена", "Ірина", "Оксана", "Катерина"),
            ("Андрій", "Сергій", "Тарас", "Богдан"),  # noqa: RUF001 (Cyrillic)
            ("Коваленко", "Шевченко", "Мельник", "Бондаренко"),
        ),
        script_share=0.1,
    ),
    Origin(
        key="polish",
        weight=3,
        community="newcomers",
        adjective="Poolse",
        adjective_neuter="Pools",
        given_female=(
            "Agnieszka", "Katarzyna", "Małgorzata", "Anna", "Joanna", "Magdalena", "Monika", "Ewa",
            "Dorota", "Beata",
        ),
        given_male=(
            "Piotr", "Krzysztof", "Tomasz", "Paweł", "Marek", "Michał", "Łukasz", "Grzegorz",
            "Jakub", "Wojciech",
        ),
        surnames=(
            "Kowalski/Kowalska", "Wiśniewski/Wiśniewska", "Wójcik", "Kamiński/Kamińska",
            "Lewandowski/Lewandowska", "Zieliński/Zielińska", "Nowak", "Szymański/Szymańska",
            "Woźniak", "Dąbrowski/Dąbrowska", "Kozłowski/Kozłowska", "Mazur", "Krawczyk",
        ),
        languages=(("pl", 0.98), ("en", 0.6), ("de", 0.15)),
        speaks_dutch=0.7,
        organisation_words=("Razem", "Polonia", "Most", "Orzeł"),
    ),
    Origin(
        key="west_african",
        weight=3,
        community="newcomers",
        adjective="Afrikaanse",
        adjective_neuter="Afrikaans",
        given_female=("Aminata", "Fatou", "Awa", "Mariama", "Aïssatou", "Khady", "Ndeye", "Ama"),
        given_male=(
            "Mamadou", "Ousmane", "Ibrahima", "Moussa", "Cheikh", "Abdoulaye", "Kwame", "Kofi",
        ),
        surnames=(
            "N'Diaye", "Diallo", "Sow", "Ba", "Diop", "Fall", "Camara", "Traoré", "Mensah", "Owusu",
            "Mbaye", "Sy",
        ),
        languages=(("fr", 0.8), ("wo", 0.45), ("en", 0.6)),
        speaks_dutch=0.8,
        organisation_words=("Teranga", "Sankofa", "Ubuntu", "Jamm"),
    ),
)
ORIGIN_BY_KEY = {origin.key: origin for origin in ORIGINS}
MIGRANT_ORIGINS = tuple(origin for origin in ORIGINS if origin.key != "dutch")

# Which language someone who works with a community is likely to have picked up.
COMMUNITY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "moroccan": ("ar", "zgh"), "turkish": ("tr",), "somali": ("so",), "antillean": ("pap",),
    "surinamese": ("srn",), "refugees": ("ar", "fa", "ti", "uk"), "newcomers": ("en", "pl", "ar"),
}
COMMUNITY_TARGET_GROUPS = ("moroccan", "turkish", "somali", "antillean", "surinamese")

# Population in thousands (CBS, 2024, rounded): where people and organisations are.
MUNICIPALITY_POPULATION: dict[str, float] = {
    "Utrecht": 374, "Amersfoort": 161, "Veenendaal": 68, "Zeist": 67, "Nieuwegein": 66,
    "Stichtse Vecht": 66, "Vijfheerenlanden": 59, "Woerden": 54, "Houten": 51,
    "Utrechtse Heuvelrug": 50, "Soest": 47, "De Ronde Venen": 45, "De Bilt": 44, "IJsselstein": 34,
    "Leusden": 31, "Baarn": 25, "Wijk bij Duurstede": 24, "Bunschoten": 22, "Rhenen": 21,
    "Lopik": 15, "Bunnik": 15, "Montfoort": 14, "Woudenberg": 14, "Oudewater": 10, "Eemnes": 10,
    "Renswoude": 6,
}
NEIGHBOURHOODS: dict[str, tuple[str, ...]] = {
    "Utrecht": (
        "Kanaleneiland", "Overvecht", "Lombok", "Zuilen", "Ondiep", "Hoograven", "Leidsche Rijn",
        "Vleuten", "Tuindorp", "Wittevrouwen", "Oog in Al", "Transwijk", "Lunetten", "Rivierenwijk",
        "Dichterswijk", "Vogelenbuurt", "Pijlsweerd", "Terwijde",
    ),
    "Amersfoort": (
        "Kruiskamp", "Liendert", "Soesterkwartier", "Schothorst", "Vathorst", "Nieuwland",
        "Randenbroek", "Kattenbroek", "Koppel",
    ),
    "Nieuwegein": ("Batau", "Galecop", "Fokkesteeg", "Jutphaas", "Zuilenstein", "Doorslag"),
    "Zeist": ("Vollenhove", "Kerckebosch", "Crosestein", "Den Dolder", "Austerlitz"),
    "Veenendaal": ("Dragonder", "Petenbos", "Franse Gat", "Engelenburg"),
    "Houten": ("Houten-Zuid", "Het Oude Dorp", "Schalkwijk"),
    "IJsselstein": ("Zenderpark", "Achterveld", "Westpoort"),
    "Woerden": ("Molenvliet", "Schilderskwartier", "Harmelen"),
    "Stichtse Vecht": ("Maarssen", "Breukelen", "Maarssenbroek"),
    "Utrechtse Heuvelrug": ("Doorn", "Driebergen", "Amerongen", "Leersum"),
    "De Bilt": ("Bilthoven", "Maartensdijk", "Westbroek"),
    "Soest": ("Soesterberg", "Smitsveen", "Overhees"),
    "Vijfheerenlanden": ("Vianen", "Leerdam", "Meerkerk"),
    "De Ronde Venen": ("Mijdrecht", "Vinkeveen", "Abcoude"),
}

TARGET_GROUP_PHRASES: dict[str, str] = {
    "moroccan": "Marokkaanse Nederlanders", "turkish": "Turkse Nederlanders",
    "somali": "Somalische Nederlanders", "antillean": "Antilliaanse Nederlanders",
    "surinamese": "Surinaamse Nederlanders", "refugees": "vluchtelingen en statushouders",
    "newcomers": "nieuwkomers", "native_dutch": "autochtone Nederlanders", "youth": "jongeren",
    "children": "kinderen", "girls_women": "meisjes en vrouwen", "parents": "ouders",
    "elderly": "ouderen", "residents": "buurtbewoners",
    "isolated": "mensen in een sociaal isolement",
}
LANGUAGE_NAMES: dict[str, str] = {
    slug: re.sub(r"\s*\(.*\)", "", name_nl) for slug, name_nl, _name_en in LANGUAGES
}
THEME_NAMES: dict[str, str] = {
    slug: name_nl.lower().replace(" & ", " en ") for slug, name_nl, _name_en in THEMES
}

DAYS = (
    "maandagavond", "dinsdagochtend", "woensdagmiddag", "donderdagavond", "vrijdagmiddag",
    "zaterdagochtend", "zondagmiddag",
)
VENUES = (
    "het buurthuis", "het wijkcentrum", "de bibliotheek", "de moskee", "de school", "de sporthal",
    "het kerkgebouw", "een huiskamer in de wijk", "het jongerencentrum",
)


@dataclass(frozen=True)
class ThemeTexts:
    titles: tuple[str, ...]
    activities: tuple[str, ...]  # for summaries and descriptions
    results: tuple[str, ...]
    bio: tuple[str, ...]
    skills: tuple[str, ...]


THEME_TEXTS: dict[str, ThemeTexts] = {
    "dialogue": ThemeTexts(
        titles=(
            "Dialoogtafels {plaats}", "In gesprek in {wijk}", "Buurtgesprekken {wijk}",
            "Samenleven in {plaats}: de dialoog", "Open gesprekken over opvoeding en geloof",
        ),
        activities=(
            "Tijdens dialoogtafels gaan {groep} en buurtbewoners met elkaar in gesprek over wat hen bezighoudt.",
            "We organiseren avonden waarop bewoners met verschillende achtergronden elkaars verhalen horen.",
        ),
        results=(
            "Deelnemers zeggen dat ze hun buren beter kennen en elkaar vaker groeten.",
            "Na afloop zijn er vaste gespreksgroepen ontstaan die zelfstandig verdergaan.",
        ),
        bio=("Ik leid graag gesprekken tussen mensen die elkaar anders niet ontmoeten.",),
        skills=("gespreksleiding", "mediation", "dialoogtafels begeleiden"),
    ),
    "food": ThemeTexts(
        titles=(
            "Eet mee in {wijk}", "Samen koken in {wijk}", "Wereldkeuken {plaats}",
            "Buurtmaaltijd {wijk}", "Koken met {groep}",
        ),
        activities=(
            "Elke {dag} koken {groep} samen een maaltijd in {locatie} en eten ze met buurtbewoners aan één tafel.",
            "Vrijwilligers koken gerechten uit hun eigen keuken en vertellen erbij over hun land van herkomst.",
        ),
        results=(
            "De maaltijden trekken elke keer tussen de twintig en vijftig buurtbewoners.",
            "Een paar deelnemers zijn een eigen cateringbedrijf begonnen.",
        ),
        bio=("Ik kook graag voor grote groepen en organiseer buurtmaaltijden.",),
        skills=("koken", "catering", "hygiënecode"),
    ),
    "sport": ThemeTexts(
        titles=(
            "Meidenvoetbal {wijk}", "Sportief {wijk}", "Zwemles voor moeders in {plaats}",
            "Bewegen in de buurt", "Kickboksen voor jongeren in {wijk}",
            "Fietsles voor vrouwen in {plaats}",
        ),
        activities=(
            "Op {dag} sporten {groep} onder begeleiding van een trainer uit de wijk in {locatie}.",
            "We bieden laagdrempelige sportlessen aan, zonder lidmaatschap en zonder kosten.",
        ),
        results=(
            "Veel deelnemers zijn daarna lid geworden van een sportvereniging.",
            "De groep sport nu wekelijks en regelt zelf de zaal.",
        ),
        bio=("Ik geef sportles aan jongeren in de buurt.",),
        skills=("voetbaltraining", "fietsles geven", "zwemles", "EHBO"),
    ),
    "art_culture": ThemeTexts(
        titles=(
            "Theater van de buurt", "Verhalen uit {wijk}", "Muziek verbindt {plaats}",
            "Kunstatelier {wijk}", "Fotoproject met {groep}",
        ),
        activities=(
            "{groep_hoofdletter} maken samen met kunstenaars een voorstelling over hun leven in {plaats}.",
            "In het atelier werken bewoners aan schilderijen, foto's en verhalen die in de bibliotheek te zien zijn.",
        ),
        results=(
            "De voorstelling is vier keer gespeeld voor een volle zaal.",
            "Er is een boek verschenen met verhalen van bewoners.",
        ),
        bio=("Ik maak theater en muziek met mensen uit de wijk.",),
        skills=("theater", "muziek", "fotografie", "schrijven"),
    ),
    "language": ThemeTexts(
        titles=(
            "Taalcafé {wijk}", "Taalmaatjes {plaats}", "Nederlands oefenen bij de koffie",
            "Voorlezen in {wijk}", "Taal op de werkvloer",
        ),
        activities=(
            "Elke {dag} oefenen {groep} de Nederlandse taal met vrijwilligers in {locatie}.",
            "Taalmaatjes spreken wekelijks af om Nederlands te oefenen in gewone situaties, zoals boodschappen doen of de huisarts bellen.",
        ),
        results=(
            "Veel deelnemers durven nu vaker Nederlands te spreken.",
            "Een deel van de deelnemers heeft het inburgeringsexamen gehaald.",
        ),
        bio=("Ik help mensen de Nederlandse taal te oefenen.",),
        skills=("taalles geven", "NT2", "tolken", "vertalen"),
    ),
    "education": ThemeTexts(
        titles=(
            "Huiswerkbegeleiding {wijk}", "Studiemaatjes {plaats}", "Zomerschool {wijk}",
            "Brugklas zonder zorgen", "Leesclub voor kinderen in {wijk}",
        ),
        activities=(
            "Na schooltijd krijgen kinderen hulp bij hun huiswerk van studenten en vrijwilligers uit de buurt.",
            "Leerlingen krijgen een studiemaatje dat hen helpt bij de overstap naar het voortgezet onderwijs.",
        ),
        results=(
            "De schoolresultaten van de deelnemende kinderen zijn verbeterd.",
            "Meer leerlingen kregen een hoger schooladvies.",
        ),
        bio=("Ik begeleid kinderen bij hun huiswerk.",),
        skills=("huiswerkbegeleiding", "bijles", "onderwijs"),
    ),
    "parents": ThemeTexts(
        titles=(
            "Ouderkamer {wijk}", "Opvoeden doe je samen", "Moedersbijeenkomsten {wijk}",
            "Vaders in de wijk", "Ouders en school in gesprek",
        ),
        activities=(
            "In de ouderkamer van de school drinken ouders koffie en praten ze over opvoeding, school en gezondheid.",
            "We brengen ouders en leerkrachten met elkaar in gesprek, zo nodig in de eigen taal van de ouders.",
        ),
        results=(
            "Ouders komen vaker naar school en spreken leerkrachten eerder aan.",
            "De opkomst bij ouderavonden is verdubbeld.",
        ),
        bio=("Ik organiseer koffieochtenden voor ouders op school.",),
        skills=("opvoedondersteuning", "oudergesprekken"),
    ),
    "work": ThemeTexts(
        titles=(
            "Werkcafé {plaats}", "Op weg naar werk", "Sollicitatietraining voor nieuwkomers",
            "Ondernemen in {wijk}", "Stage zoeken met een maatje",
        ),
        activities=(
            "Werkzoekenden krijgen hulp bij hun cv, oefenen sollicitatiegesprekken en leren werkgevers in de regio kennen.",
            "Vrijwilligers met ervaring in het bedrijfsleven begeleiden deelnemers naar een baan of opleiding.",
        ),
        results=(
            "Een derde van de deelnemers vond binnen een jaar betaald werk.",
            "Veel deelnemers begonnen aan een opleiding of stage.",
        ),
        bio=("Ik help mensen op weg naar werk.",),
        skills=("cv schrijven", "jobcoaching", "ondernemerschap"),
    ),
    "emancipation": ThemeTexts(
        titles=(
            "Vrouwen in beweging", "Sterke vrouwen {plaats}", "Meidenclub {wijk}", "Eigen kracht",
            "Vrouwen aan het woord",
        ),
        activities=(
            "{groep_hoofdletter} komen wekelijks samen om te praten over hun rechten, hun talenten en hun toekomst.",
            "In trainingen werken vrouwen aan hun zelfvertrouwen en leren ze hun weg te vinden naar instanties.",
        ),
        results=(
            "Deelnemers nemen vaker zelf het initiatief en zijn actiever in de buurt.",
            "Meerdere vrouwen zijn zelf vrijwilliger of gespreksleider geworden.",
        ),
        bio=("Ik zet me in voor vrouwen die meer uit hun leven willen halen.",),
        skills=("empowermenttraining", "coaching"),
    ),
    "youth_work": ThemeTexts(
        titles=(
            "Jongerenpanel {plaats}", "Rolmodellen in de wijk", "Jongerenhuiskamer {wijk}",
            "Talent van {wijk}", "Straatcoaches {plaats}",
        ),
        activities=(
            "Jongeren uit de wijk bedenken en organiseren zelf activiteiten, met steun van een jongerenwerker.",
            "Oudere jongeren zijn een rolmodel voor de jongeren in de buurt en helpen ze op weg.",
        ),
        results=(
            "De jongeren organiseren nu zelf activiteiten voor de wijk.",
            "Volgens bewoners is er minder overlast op straat.",
        ),
        bio=("Ik werk met jongeren en help ze hun talenten te ontdekken.",),
        skills=("jongerenwerk", "social media", "rap en muziek"),
    ),
    "health_care": ThemeTexts(
        titles=(
            "Gezond in {wijk}", "Mantelzorgcafé {plaats}", "Samen gezond oud worden",
            "Bewegen op recept", "Gezondheidsvoorlichting in de eigen taal",
        ),
        activities=(
            "Voorlichters geven in de eigen taal voorlichting over gezondheid, diabetes en de weg naar de huisarts.",
            "Mantelzorgers ontmoeten elkaar en krijgen informatie over ondersteuning in de buurt.",
        ),
        results=(
            "Deelnemers weten beter waar ze terechtkunnen met vragen over zorg.",
            "Meer mantelzorgers vonden ondersteuning.",
        ),
        bio=("Ik werk in de zorg en geef voorlichting over gezondheid.",),
        skills=("gezondheidsvoorlichting", "mantelzorgondersteuning"),
    ),
    "neighbourhood": ThemeTexts(
        titles=(
            "Buurtkamer {wijk}", "Ontmoeten in {wijk}", "Burendag {wijk}", "Koffie op het plein",
            "Iedereen doet mee in {wijk}",
        ),
        activities=(
            "In de buurtkamer kunnen bewoners elke dag binnenlopen voor koffie, een praatje of hulp bij formulieren.",
            "We organiseren activiteiten waar bewoners van {wijk} elkaar leren kennen.",
        ),
        results=(
            "Bewoners kennen elkaar beter en helpen elkaar vaker.",
            "De buurtkamer is een vaste ontmoetingsplek geworden.",
        ),
        bio=("Ik ben actief in mijn buurt en organiseer ontmoetingen.",),
        skills=("evenementen organiseren", "netwerken"),
    ),
    "festival": ThemeTexts(
        titles=(
            "Suikerfeest in de wijk", "Keti Koti {plaats}", "Wereldfestival {plaats}",
            "Iftar voor iedereen", "Kleurrijk {wijk}",
        ),
        activities=(
            "Eén keer per jaar vieren buurtbewoners samen een feest met muziek, dans en eten uit alle windstreken.",
            "Tijdens de ramadan organiseren we een open iftar waarbij iedereen uit de buurt welkom is.",
        ),
        results=(
            "Het festival trok meer dan duizend bezoekers.",
            "Veel bezoekers kwamen voor het eerst in contact met hun buren.",
        ),
        bio=("Ik organiseer graag feesten en festivals in de buurt.",),
        skills=("evenementen organiseren", "muziek", "fondsenwerving"),
    ),
    "volunteering": ThemeTexts(
        titles=(
            "Vrijwilligers van {wijk}", "Meedoen als vrijwilliger",
            "Vrijwilligerswerk voor nieuwkomers", "Klussendienst {plaats}",
        ),
        activities=(
            "We helpen mensen die nog niet eerder vrijwilligerswerk deden een plek te vinden die bij hen past.",
            "Vrijwilligers uit alle culturen helpen ouderen en gezinnen in de buurt met klussen.",
        ),
        results=(
            "Tientallen nieuwe vrijwilligers hebben een vaste plek gevonden.",
            "Organisaties in de wijk hebben nu een meer gemengde groep vrijwilligers.",
        ),
        bio=("Ik doe al jaren vrijwilligerswerk en help anderen daarmee op weg.",),
        skills=("vrijwilligerscoördinatie", "werving"),
    ),
    "mentoring": ThemeTexts(
        titles=(
            "Maatjesproject {plaats}", "Een mentor voor nieuwkomers", "Buddy's {plaats}",
            "Samen op weg", "Maatje voor een jaar",
        ),
        activities=(
            "Een maatje spreekt een jaar lang elke week af met een nieuwkomer om samen de weg te vinden in {plaats}.",
            "Ervaren projectleiders coachen beginnende initiatiefnemers bij hun eerste project.",
        ),
        results=(
            "Het merendeel van de koppels bleef het hele jaar bij elkaar.",
            "Deelnemers hebben een groter netwerk en voelen zich minder alleen.",
        ),
        bio=("Ik ben maatje van een nieuwkomer en help graag anderen op weg.",),
        skills=("coaching", "maatjes begeleiden"),
    ),
    "faith": ThemeTexts(
        titles=(
            "Open moskeedag {plaats}", "Interreligieuze dialoog {plaats}", "Kerk en moskee samen",
            "Geloven in de buurt",
        ),
        activities=(
            "Moskee, kerk en buurt openen hun deuren en gaan met elkaar in gesprek over geloof en samenleven.",
            "Jongeren van verschillende geloven bezoeken elkaars gebedshuizen en praten over wat hen verbindt.",
        ),
        results=(
            "Er is een vast overleg tussen de gebedshuizen in de wijk ontstaan.",
            "Honderden bezoekers kwamen voor het eerst in een moskee of kerk.",
        ),
        bio=(
            "Ik ben actief in mijn geloofsgemeenschap en werk graag samen met andere gemeenschappen.",
        ),
        skills=("interreligieuze dialoog", "gespreksleiding"),
    ),
}
GENERAL_SKILLS = (
    "fondsenwerving", "projectmanagement", "communicatie", "social media", "netwerken",
    "subsidieaanvragen schrijven", "administratie", "boekhouding", "EHBO", "fotografie",
)

SUCCESS_FACTOR_LESSONS: dict[str, str] = {
    "subsidy": "Zorg vanaf het begin voor subsidie voor meerdere jaren; een losse bijdrage is snel op.",
    "network": "Gebruik je netwerk: via bekende gezichten bereik je mensen die anders niet komen.",
    "partners": "Werk samen met partners die de doelgroep al kennen, zoals scholen en zelforganisaties.",
    "agreements": "Maak duidelijke afspraken over taken en verantwoordelijkheden met alle partners.",
    "staff_competences": "Investeer in de vaardigheden van medewerkers en vrijwilligers.",
    "target_group_knowledge": "Ken de doelgroep: vraag ouders en jongeren zelf wat ze nodig hebben.",
    "recruitment": "Werving kost tijd; persoonlijk contact werkt beter dan folders.",
    "start_small": "Begin klein, met één groep, en breid pas uit als het werkt.",
    "local_outreach": "Wees zichtbaar in de wijk en ga naar de plekken waar mensen al komen.",
    "time_and_energy": "Reken op veel tijd en energie, vooral in het eerste jaar.",
    "volunteers": "Vrijwilligers zijn de kracht van het project: waardeer ze en geef ze verantwoordelijkheid.",
    "neighbourhood_based": "Werk wijkgericht: dicht bij huis doen mensen eerder mee.",
    "low_threshold": "Houd het laagdrempelig: gratis, dichtbij en zonder inschrijfformulier.",
    "proactive": "Ga actief op mensen af in plaats van te wachten tot ze zelf komen.",
    "role_models": "Rolmodellen uit de eigen gemeenschap inspireren jongeren meer dan professionals.",
    "shared_interest": "Zoek een gedeeld belang, zoals een veilige buurt of goed onderwijs voor de kinderen.",
    "activities_fit": "Sluit aan bij wat mensen zelf leuk vinden, zoals koken, sport of muziek.",
    "own_language": "Spreek mensen aan in hun eigen taal; dat opent deuren.",
}
SUCCESS_FACTOR_WEIGHTS: dict[str, float] = {
    "network": 10, "partners": 9, "volunteers": 9, "low_threshold": 9, "target_group_knowledge": 8,
    "local_outreach": 7, "subsidy": 7, "neighbourhood_based": 6, "role_models": 5,
    "own_language": 5, "start_small": 5, "proactive": 5, "activities_fit": 5, "agreements": 4,
    "staff_competences": 4, "recruitment": 4, "time_and_energy": 4, "shared_interest": 3,
}
OBSTACLES = (
    "Het was lastig om vaders te bereiken.",
    "De subsidie liep na twee jaar af en structurele financiering bleef uit.",
    "Er waren te weinig vrijwilligers om alle aanvragen te beantwoorden.",
    "De ruimte in het buurthuis was te klein en vaak bezet.",
    "Sommige deelnemers haakten af door de taalbarrière.",
    "De samenwerking met de gemeente verliep traag.",
    "Het kostte veel tijd om vertrouwen op te bouwen in de gemeenschap.",
    "Jongeren kwamen onregelmatig; vaste afspraken hielpen.",
    "Door wisselingen van medewerkers ging kennis verloren.",
    "Tijdens de coronaperiode lagen de activiteiten maandenlang stil.",
    "Vrouwen konden niet altijd komen omdat er geen kinderopvang was.",
    "Ouderen in een isolement bereiken bleek moeilijker dan verwacht.",
)

# Correlations: which themes go with which target groups, roles and kinds of organisation.
TARGET_GROUP_THEMES: dict[str, dict[str, float]] = {
    "moroccan": {"dialogue": 2, "parents": 2, "faith": 1, "youth_work": 1, "food": 1},
    "turkish": {"dialogue": 2, "food": 1, "work": 1, "parents": 1, "faith": 1},
    "somali": {"parents": 2, "education": 2, "emancipation": 2},
    "antillean": {"youth_work": 3, "festival": 1, "sport": 1, "work": 1},
    "surinamese": {"festival": 2, "art_culture": 1, "food": 1, "health_care": 1},
    "refugees": {"language": 3, "work": 2, "mentoring": 3},
    "newcomers": {"language": 3, "work": 2, "mentoring": 2, "volunteering": 1},
    "native_dutch": {"dialogue": 2, "neighbourhood": 2},
    "youth": {"sport": 3, "youth_work": 3, "education": 1},
    "children": {"education": 3, "sport": 1, "art_culture": 1},
    "girls_women": {"emancipation": 3, "sport": 1, "food": 1},
    "parents": {"parents": 4, "education": 3}, "elderly": {"health_care": 3, "neighbourhood": 2},
    "residents": {"neighbourhood": 3, "festival": 1, "food": 1},
    "isolated": {"health_care": 2, "mentoring": 2, "neighbourhood": 2},
}
THEME_TARGET_GROUPS: dict[str, dict[str, float]] = defaultdict(dict)
for _group, _themes in TARGET_GROUP_THEMES.items():
    for _theme, _weight in _themes.items():
        THEME_TARGET_GROUPS[_theme][_group] = _weight
ROLE_THEMES: dict[str, dict[str, float]] = {
    "volunteer": {"volunteering": 2}, "key_figure": {"dialogue": 2, "neighbourhood": 1},
    "mentor": {"mentoring": 4}, "project_leader": {},
}
EXTRA_TARGET_GROUP_WEIGHTS: dict[str, float] = {
    "youth": 14, "residents": 14, "parents": 12, "girls_women": 10, "children": 8, "elderly": 7,
    "refugees": 7, "newcomers": 6, "isolated": 5, "moroccan": 4, "turkish": 3, "native_dutch": 3,
    "somali": 2, "antillean": 2, "surinamese": 2,
}

Kind = Organisation.Kind
KIND_WEIGHTS: dict[str, float] = {
    Kind.SELF_ORGANISATION: 22, Kind.SCHOOL: 15, Kind.SPORTS_CLUB: 14, Kind.WELFARE: 10,
    Kind.CULTURAL: 8, Kind.RELIGIOUS: 8, Kind.OTHER: 8, Kind.COMPANY: 7, Kind.VOLUNTEER_CENTRE: 2,
    Kind.MUNICIPALITY: 2, Kind.KNOWLEDGE_INSTITUTE: 2, Kind.FUND: 1.5, Kind.PROVINCE: 0.2,
}
# How likely an organisation of a kind is to lead an initiative.
KIND_LEAD_WEIGHTS: dict[str, float] = {
    Kind.WELFARE: 5, Kind.SELF_ORGANISATION: 4, Kind.CULTURAL: 3, Kind.VOLUNTEER_CENTRE: 3,
    Kind.SPORTS_CLUB: 2, Kind.SCHOOL: 2, Kind.RELIGIOUS: 2, Kind.MUNICIPALITY: 2, Kind.OTHER: 2,
    Kind.KNOWLEDGE_INSTITUTE: 1, Kind.PROVINCE: 1, Kind.COMPANY: 0.5, Kind.FUND: 0.3,
}
KIND_PHRASES: dict[str, str] = {
    Kind.MUNICIPALITY: "de gemeente", Kind.PROVINCE: "de provincie",
    Kind.WELFARE: "een welzijnsorganisatie", Kind.SELF_ORGANISATION: "een zelforganisatie",
    Kind.SCHOOL: "een school", Kind.SPORTS_CLUB: "een sportvereniging",
    Kind.CULTURAL: "een culturele organisatie", Kind.RELIGIOUS: "een geloofsgemeenschap",
    Kind.FUND: "een fonds", Kind.COMPANY: "een bedrijf",
    Kind.KNOWLEDGE_INSTITUTE: "een kennisinstelling",
    Kind.VOLUNTEER_CENTRE: "een vrijwilligerscentrale", Kind.OTHER: "een bewonersinitiatief",
}
KIND_THEMES: dict[str, dict[str, float]] = {
    Kind.MUNICIPALITY: {
        "work": 3, "neighbourhood": 3, "language": 2, "volunteering": 2, "health_care": 2,
    },
    Kind.PROVINCE: {"dialogue": 2, "work": 2, "neighbourhood": 2, "emancipation": 1},
    Kind.WELFARE: {
        "neighbourhood": 4, "health_care": 3, "volunteering": 3, "mentoring": 3, "language": 2,
        "parents": 2, "youth_work": 2,
    },
    Kind.SELF_ORGANISATION: {
        "dialogue": 3, "emancipation": 3, "parents": 3, "food": 2, "festival": 2, "language": 2,
        "education": 2, "youth_work": 2, "faith": 1,
    },
    Kind.SCHOOL: {"education": 5, "parents": 4, "language": 3, "sport": 1, "art_culture": 1},
    Kind.SPORTS_CLUB: {"sport": 6, "youth_work": 3, "emancipation": 1, "health_care": 1},
    Kind.CULTURAL: {"art_culture": 6, "festival": 3, "dialogue": 2, "language": 1},
    Kind.RELIGIOUS: {"faith": 6, "dialogue": 3, "food": 2, "festival": 2, "parents": 1},
    Kind.FUND: {"volunteering": 2, "neighbourhood": 2, "education": 1, "art_culture": 1},
    Kind.COMPANY: {"work": 6, "food": 2},
    Kind.KNOWLEDGE_INSTITUTE: {"education": 3, "emancipation": 2, "dialogue": 2, "work": 2},
    Kind.VOLUNTEER_CENTRE: {"volunteering": 6, "mentoring": 3, "neighbourhood": 2},
    Kind.OTHER: {"neighbourhood": 4, "food": 3, "festival": 2, "volunteering": 2, "health_care": 1},
}
KIND_TARGET_GROUPS: dict[str, dict[str, float]] = {
    Kind.MUNICIPALITY: {"residents": 4, "newcomers": 3, "refugees": 3, "youth": 2, "elderly": 2},
    Kind.PROVINCE: {"residents": 3, "newcomers": 2, "refugees": 2},
    Kind.WELFARE: {
        "residents": 4, "elderly": 3, "isolated": 3, "refugees": 2, "parents": 2, "youth": 2,
        "girls_women": 2,
    },
    Kind.SELF_ORGANISATION: {
        "girls_women": 3, "parents": 3, "youth": 3, "elderly": 1, "children": 1,
    },
    Kind.SCHOOL: {"children": 5, "parents": 5, "youth": 2, "newcomers": 1},
    Kind.SPORTS_CLUB: {"youth": 5, "children": 4, "girls_women": 2, "residents": 1},
    Kind.CULTURAL: {"residents": 3, "youth": 2, "children": 2, "native_dutch": 1},
    Kind.RELIGIOUS: {"parents": 2, "youth": 2, "elderly": 2, "residents": 1},
    Kind.FUND: {"residents": 2, "youth": 1, "isolated": 1},
    Kind.COMPANY: {"newcomers": 3, "refugees": 2, "youth": 2},
    Kind.KNOWLEDGE_INSTITUTE: {"youth": 2, "newcomers": 2, "parents": 1},
    Kind.VOLUNTEER_CENTRE: {"residents": 3, "newcomers": 2, "isolated": 2, "elderly": 2},
    Kind.OTHER: {"residents": 5, "isolated": 2, "elderly": 2, "native_dutch": 2},
}
# Name patterns per kind. A pattern with {adjectief}, {adjectief_het} or {herkomstwoord}
# belongs to a community (a migrant origin); "moskee" patterns to a Moroccan or Turkish one.
ORGANISATION_NAMES: dict[str, tuple[str, ...]] = {
    Kind.SELF_ORGANISATION: (
        "Stichting {herkomstwoord}", "Stichting {herkomstwoord} {plaats}",
        "{adjectief} Vrouwenvereniging {herkomstwoord}", "Vrouwenvereniging {herkomstwoord}",
        "{adjectief} Gemeenschap {plaats}", "Stichting {adjectief} Jongeren {plaats}",
        "{adjectief_het} Cultureel Centrum {plaats}", "Vereniging {adjectief} Ouders {wijk}",
        "Stichting {adjectief} Ouderen {plaats}",
    ),
    Kind.WELFARE: (
        "Welzijn {plaats}", "Stichting Welzijn {plaats}", "Buurtteam {wijk}", "Wijkcentrum {wijk}",
        "Buurthuis {buurthuis}", "Welzijnswerk {plaats}",
    ),
    Kind.SCHOOL: (
        "Basisschool {school}", "OBS {school}", "CBS {school}", "Kindcentrum {school}",
        "{school} College", "ISK {plaats}", "Islamitische Basisschool {islamitische_school}",
    ),
    Kind.SPORTS_CLUB: (
        "Sportvereniging {woord} {plaats}", "Voetbalvereniging {wijk}", "Boksschool {woord}",
        "Zwemvereniging {woord}", "Basketbalclub {plaats}", "Kickboksclub {woord}",
        "Vrouwenfitness {woord}", "Atletiekvereniging {plaats}", "Cricketclub {plaats}",
    ),
    Kind.CULTURAL: (
        "Theatergroep {woord}", "Muziekschool {plaats}", "Stichting Kunst & Cultuur {plaats}",
        "Bibliotheek {plaats}", "Cultuurhuis {woord}", "Danscollectief {woord}",
        "Verhalenhuis {wijk}",
    ),
    Kind.RELIGIOUS: (
        "Moskee {moskee}", "Stichting Moskee {moskee} {plaats}", "Protestantse Gemeente {plaats}",
        "Parochie {heilige}", "Evangelische Gemeente {woord}", "Eritrees-Orthodoxe Kerk {plaats}",
        "Hindoe Mandir {plaats}",
    ),
    Kind.VOLUNTEER_CENTRE: (
        "Vrijwilligerscentrale {plaats}", "Vrijwilligerspunt {plaats}",
        "Steunpunt Vrijwilligerswerk {plaats}",
    ),
    Kind.MUNICIPALITY: (
        "Gemeente {plaats}", "Gemeente {plaats}, team Samenleving",
        "Gemeente {plaats}, wijkbureau {wijk}",
    ),
    Kind.PROVINCE: ("Provincie Utrecht", "Provincie Utrecht, programma Samenleving"),
    Kind.FUND: (
        "Fonds {woord}", "Fonds {plaats}", "Buurtfonds {wijk}", "Stichting Steunfonds {plaats}",
    ),
    Kind.COMPANY: (
        "{achternaam} Advies", "{woord} Catering", "Bakkerij {achternaam}",
        "{achternaam} & Partners", "Kapsalon {woord}", "Uitzendbureau {woord}",
        "Taxibedrijf {achternaam}",
    ),
    Kind.KNOWLEDGE_INSTITUTE: (
        "Kenniscentrum {woord}", "Lectoraat Diversiteit {plaats}", "Onderzoeksbureau {woord}",
        "Expertisecentrum Integratie {plaats}",
    ),
    Kind.OTHER: (
        "Buurtinitiatief {wijk}", "Stichting {woord}", "Bewonersplatform {wijk}",
        "Repair Café {plaats}", "Voedselbank {plaats}", "Buurtmoestuin {wijk}",
    ),
}
NAME_WORDS = (
    "De Brug", "Samen", "Verbinding", "Kleurrijk", "Nieuwe Toekomst", "Het Anker", "Ontmoeting",
    "Horizon", "De Sleutel", "Zonnebloem", "De Eendracht", "Vooruit", "Kompas", "Hoop", "Lotus",
    "Regenboog", "Sterk", "De Oase", "Baraka", "Umoja", "Sawa", "Mozaïek", "Dunya", "Noor",
)
SCHOOL_NAMES = (
    "De Regenboog", "De Klimop", "Het Kompas", "De Vlinder", "De Fontein", "Het Zonnelied",
    "De Wereldboom", "De Pionier", "Anne Frank", "Prinses Juliana", "De Sterrenwachter",
    "De Kleine Prins", "Het Mozaïek", "De Achtbaan",
)
ISLAMIC_SCHOOL_NAMES = ("Al Amana", "Ibn-i Sina", "Al Ghazali", "Ababil", "Al Madina")
COMMUNITY_CENTRE_NAMES = (
    "De Boog", "Het Klokhuis", "De Speelwinkel", "De Leeuw", "Oase", "Het Ontmoetingspunt",
    "De Pijler", "Cumulus",
)
MOSQUE_NAMES: dict[str, tuple[str, ...]] = {
    "moroccan": ("Al Fath", "El Mouhsinine", "Al Hijra", "Omar Ibn Khattab", "Tawba", "Badr"),
    "turkish": ("Ulu", "Mevlana", "Ayasofya", "Selimiye", "Fatih", "Yunus Emre"),
}
SAINTS = ("Sint-Martinus", "Sint-Willibrord", "Sint-Jozef", "Sint-Paulus", "Maria Magdalena")
KIND_OFFERS: dict[str, tuple[str, ...]] = {
    Kind.SCHOOL: ("contact met ouders via de ouderkamer", "lokalen na schooltijd"),
    Kind.SPORTS_CLUB: ("een sportaccommodatie en trainers", "een veld op zaterdagochtend"),
    Kind.RELIGIOUS: ("een zaal en een keuken", "contact met gezinnen in onze gemeenschap"),
    Kind.WELFARE: ("begeleiding door ervaren buurtwerkers", "een buurthuis met keuken"),
    Kind.SELF_ORGANISATION: (
        "sleutelfiguren die de doelgroep kennen", "vrijwilligers die koken en tolken",
    ),
    Kind.CULTURAL: ("een podium en techniek", "kunstenaars die workshops geven"),
    Kind.FUND: ("financiering voor kleine initiatieven", "advies over projectplannen"),
    Kind.MUNICIPALITY: ("subsidie voor bewonersinitiatieven", "contact met beleidsmakers"),
    Kind.PROVINCE: ("kennis uit de inventarisatie van 162 projecten", "subsidie voor samenwerking"),
    Kind.COMPANY: ("stageplekken en werkervaring", "catering tegen kostprijs"),
    Kind.KNOWLEDGE_INSTITUTE: ("onderzoek en evaluatie", "studenten voor stages"),
    Kind.VOLUNTEER_CENTRE: (
        "werving en matching van vrijwilligers", "trainingen voor vrijwilligers",
    ),
    Kind.OTHER: ("een moestuin en een keuken", "bewoners die graag meehelpen"),
}
GENERAL_OFFERS = (
    "een ruimte voor bijeenkomsten", "vrijwilligers die willen helpen",
    "kennis van subsidies en fondsen", "ervaring met het organiseren van activiteiten",
    "een groot netwerk in de wijk", "hulp bij communicatie en social media",
)

ROLE_WEIGHTS_DUTCH = {"volunteer": 50, "key_figure": 10, "mentor": 12, "project_leader": 28}
ROLE_WEIGHTS_MIGRANT = {"volunteer": 50, "key_figure": 21, "mentor": 8, "project_leader": 21}
HOURS_BY_ROLE = {
    "volunteer": (1, 8), "key_figure": (2, 12), "mentor": (1, 4), "project_leader": (4, 36),
}
STATUS_WEIGHTS = {
    Initiative.Status.RUNNING: 65, Initiative.Status.FINISHED: 25, Initiative.Status.IDEA: 10,
}
VISIBILITY_WEIGHTS = {
    Person.Visibility.PUBLIC: 85, Person.Visibility.MEMBERS: 10, Person.Visibility.HIDDEN: 5,
}
# fmt: on


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
class Vocabulary:
    """What the database knows: generated data uses only these slugs, municipalities and funds."""

    themes: frozenset[str]
    target_groups: frozenset[str]
    success_factors: frozenset[str]
    roles: frozenset[str]
    languages: frozenset[str]
    municipalities: dict[str, str]  # slug -> name
    funds: tuple[int, ...]  # primary keys, in ref order

    @classmethod
    def from_database(cls) -> Vocabulary:
        return cls(
            themes=frozenset(Theme.objects.values_list("slug", flat=True)),
            target_groups=frozenset(TargetGroup.objects.values_list("slug", flat=True)),
            success_factors=frozenset(SuccessFactor.objects.values_list("slug", flat=True)),
            roles=frozenset(Role.objects.values_list("slug", flat=True)),
            languages=frozenset(Language.objects.values_list("slug", flat=True)),
            municipalities=dict(Municipality.objects.order_by("slug").values_list("slug", "name")),
            funds=tuple(Fund.objects.order_by("ref").values_list("pk", flat=True)),
        )


class NetworkPlanner:
    """Draws the network in Python, without touching the database. Each phase has its own
    random stream and draws its rows in order, so the result does not depend on batch size."""

    def __init__(self, *, seed: int, vocabulary: Vocabulary) -> None:
        self.seed = seed
        self.vocabulary = vocabulary
        known = vocabulary
        self.municipalities = Weighted(
            (slug, MUNICIPALITY_POPULATION.get(name, 10.0))
            for slug, name in known.municipalities.items()
        )
        self.origins = Weighted((origin, origin.weight) for origin in ORIGINS)
        self.migrant_origins = Weighted((origin, origin.weight) for origin in MIGRANT_ORIGINS)
        self.kinds = Weighted(KIND_WEIGHTS)
        self.visibility = Weighted(VISIBILITY_WEIGHTS)
        self.statuses = Weighted(STATUS_WEIGHTS)
        self.extra_target_groups = Weighted(
            self._known(EXTRA_TARGET_GROUP_WEIGHTS, known.target_groups)
        )
        self.success_factors = known.success_factors
        self.themes = sorted(known.themes)
        self.target_groups = sorted(known.target_groups)
        self.role_weights = {
            "dutch": Weighted(self._known(ROLE_WEIGHTS_DUTCH, known.roles)),
            "migrant": Weighted(self._known(ROLE_WEIGHTS_MIGRANT, known.roles)),
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
            sources = [TARGET_GROUP_THEMES.get(group, {}) for group in target_groups]
            sources += [ROLE_THEMES.get(role, {}) for role in roles]
            if kind:
                sources.append({theme: weight * 3 for theme, weight in KIND_THEMES[kind].items()})
            merged = _merge_weights(*sources, base=self.themes, base_weight=0.6)
            return Weighted(self._known(merged, self.vocabulary.themes))

        return self._cached(("themes", kind, tuple(target_groups), tuple(roles)), build)

    def _place(self, rng: random.Random, municipality: str) -> tuple[str, str]:
        """The municipality's name and, where we know them, one of its neighbourhoods."""
        place = self.vocabulary.municipalities[municipality]
        neighbourhoods = NEIGHBOURHOODS.get(place)
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
        patterns = ORGANISATION_NAMES[kind]
        if not neighbourhood:
            # "Wijkcentrum Eemnes" reads fine; "Gemeente Eemnes, wijkbureau Eemnes" does not.
            patterns = tuple(p for p in patterns if "wijkbureau" not in p)
        pattern = rng.choice(patterns)
        origin: Origin | None = None
        if "{moskee}" in pattern:
            origin = ORIGIN_BY_KEY[rng.choice(("moroccan", "moroccan", "turkish"))]
        elif "{adjectief" in pattern or "{herkomstwoord}" in pattern:
            origin = self.migrant_origins.pick(rng)
        community = {"Eritrees-Orthodoxe": "refugees", "Hindoe Mandir": "surinamese"}
        name = pattern.format(
            plaats=place,
            wijk=neighbourhood or place,
            woord=rng.choice(NAME_WORDS),
            school=rng.choice(SCHOOL_NAMES),
            islamitische_school=rng.choice(ISLAMIC_SCHOOL_NAMES),
            buurthuis=rng.choice(COMMUNITY_CENTRE_NAMES),
            moskee=rng.choice(MOSQUE_NAMES[origin.key])
            if origin and origin.key in MOSQUE_NAMES
            else "",
            heilige=rng.choice(SAINTS),
            achternaam=self._surname(rng, self.origins.pick(rng), female=rng.random() < 0.5),
            adjectief=origin.adjective if origin else "",
            adjectief_het=origin.adjective_neuter if origin else "",
            herkomstwoord=rng.choice(origin.organisation_words) if origin else "",
        )
        groups = self._cached(
            ("kind target groups", kind),
            lambda: Weighted(self._known(KIND_TARGET_GROUPS[kind], self.vocabulary.target_groups)),
        )
        target_groups = groups.pick_distinct(rng, 1 + _count_choice(rng, (40, 40, 20)))
        if origin is not None:
            target_groups.insert(0, origin.community)
        for marker, group in community.items():
            if marker in name:
                target_groups.insert(0, group)
        if kind in (Kind.WELFARE, Kind.MUNICIPALITY, Kind.VOLUNTEER_CENTRE) and rng.random() < 0.4:
            target_groups.append(rng.choice(COMMUNITY_TARGET_GROUPS))
        target_groups = [
            group
            for group in dict.fromkeys(target_groups)
            if group in self.vocabulary.target_groups
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
            if group in COMMUNITY_LANGUAGES and rng.random() < 0.3:
                languages.append(rng.choice(COMMUNITY_LANGUAGES[group]))
        if rng.random() < 0.3:
            languages.append("en")
        languages = [
            language
            for language in dict.fromkeys(languages)
            if language in self.vocabulary.languages
        ]
        group_phrase = _dutch_list(
            [
                TARGET_GROUP_PHRASES[group]
                for group in target_groups[:3]
                if group in TARGET_GROUP_PHRASES
            ]
        )
        where = (
            f"{place}, in de wijk {neighbourhood}"
            if neighbourhood and neighbourhood != place
            else place
        )
        sentences = [f"{name} is {KIND_PHRASES[kind]} in {where}."]
        if group_phrase:
            sentences.append(f"We zetten ons in voor {group_phrase}.")
        if themes:
            sentences.append(self._activity(rng, themes[0], target_groups, place, neighbourhood))
        if rng.random() < 0.5:
            sentences.append(
                "We werken samen met scholen, buurtteams en vrijwilligers in de buurt."
            )
        offers = [*KIND_OFFERS[kind], *GENERAL_OFFERS]
        if origin is not None:
            offers.append(f"een netwerk in de {origin.adjective} gemeenschap")
            spoken = [
                LANGUAGE_NAMES[language] for language in languages if language not in ("nl", "en")
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
            TARGET_GROUP_PHRASES.get(target_groups[0], "buurtbewoners")
            if target_groups
            else "buurtbewoners"
        )
        return rng.choice(THEME_TEXTS[theme].activities).format(
            groep=group,
            groep_hoofdletter=_capitalise(group),
            dag=rng.choice(DAYS),
            locatie=rng.choice(VENUES),
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
        known = self.vocabulary
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
            if group != origin.community and group in COMMUNITY_LANGUAGES and rng.random() < 0.4:
                languages.append(rng.choice(COMMUNITY_LANGUAGES[group]))
        if not languages:
            languages.append(origin.languages[0][0])
        languages = [
            language for language in dict.fromkeys(languages) if language in known.languages
        ]

        themes = self._theme_pool(target_groups=target_groups, roles=roles).pick_distinct(
            rng, 1 + _count_choice(rng, (20, 40, 28, 12))
        )

        skill_pool = [skill for theme in themes for skill in THEME_TEXTS[theme].skills]
        skill_pool += GENERAL_SKILLS
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
        low, high = HOURS_BY_ROLE.get(primary, (1, 8))
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
            TARGET_GROUP_PHRASES[group] for group in target_groups if group in TARGET_GROUP_PHRASES
        ]
        first_group = phrases[0] if phrases else "bewoners"
        theme_name = THEME_NAMES.get(themes[0], "de buurt") if themes else "de buurt"
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
        sentences += [rng.choice(THEME_TEXTS[theme].bio) for theme in themes[:2]]
        if languages:
            sentences.append(
                f"Ik spreek {_dutch_list([LANGUAGE_NAMES.get(language, language) for language in languages])}."
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
            TARGET_GROUP_PHRASES.get(target_groups[0], "bewoners") if target_groups else "bewoners"
        )
        topic = THEME_NAMES.get(themes[0], "de buurt") if themes else "de buurt"
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
        weights = dict(SUCCESS_FACTOR_WEIGHTS)
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
            (index, KIND_LEAD_WEIGHTS.get(organisation.kind, 1.0))
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
        known = self.vocabulary
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
                self._known(THEME_TARGET_GROUPS.get(primary, {}), known.target_groups)
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

        in_community = any(group in COMMUNITY_LANGUAGES for group in target_groups)
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

        group = TARGET_GROUP_PHRASES.get(target_groups[0], "buurtbewoners")
        texts = THEME_TEXTS[primary]
        title = rng.choice(texts.titles).format(
            plaats=place, wijk=neighbourhood or place, groep=group
        )
        summary = [self._activity(rng, primary, target_groups, place, neighbourhood)]
        groups = _dutch_list(
            [TARGET_GROUP_PHRASES[g] for g in target_groups if g in TARGET_GROUP_PHRASES]
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
                SUCCESS_FACTOR_LESSONS[factor]
                for factor in success_factors[:2]
                if factor in SUCCESS_FACTOR_LESSONS
            )
        obstacles = ""
        if status != Initiative.Status.IDEA and rng.random() < 0.7:
            obstacles = " ".join(rng.sample(OBSTACLES, k=rng.randint(1, 2)))

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


# --------------------------------------------------------------------------- writing


class ProgressBar:
    """One line per phase on stderr: rewritten in place on a terminal, else a line per ~10%."""

    WIDTH = 30

    def __init__(self, stream: OutputWrapper, label: str, total: int) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.interactive = stream.isatty()
        self.last_tenth = 0
        if self.interactive:
            self._write("\r" + self._line())

    def _line(self) -> str:
        share = self.done / self.total if self.total else 1.0
        filled = round(share * self.WIDTH)
        elapsed = time.monotonic() - self.started
        return (
            f"{self.label:<13} [{'#' * filled}{'-' * (self.WIDTH - filled)}] "
            f"{self.done:,}/{self.total:,}  {elapsed:.1f} s"
        )

    def _write(self, text: str) -> None:
        # The identity style keeps Django from colouring stderr red on a terminal.
        self.stream.write(text, style_func=lambda message: message, ending="")
        self.stream.flush()

    def advance(self, amount: int) -> None:
        self.done = min(self.total, self.done + amount)
        if self.interactive:
            self._write("\r" + self._line())
        elif self.total:
            tenth = self.done * 10 // self.total
            if tenth > self.last_tenth and self.done < self.total:
                self.last_tenth = tenth
                self._write(self._line() + "\n")

    def finish(self) -> float:
        self.done = self.total
        self._write(("\r" if self.interactive else "") + self._line() + "\n")
        return time.monotonic() - self.started


@dataclass
class GenerationSummary:
    prefix: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    links: int = 0
    elapsed: float = 0.0

    def describe(self) -> str:
        counts = ", ".join(f"{count:,} {name}" for name, count in self.counts.items())
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.seconds.items())
        return (
            f"Generated {counts} and {self.links:,} links (seed {self.seed}, refs {self.prefix}-…) "
            f"in {self.elapsed:.1f} s.\nPhases: {phases}."
        )


def _ref_width(count: int) -> int:
    return max(6, len(str(count)))


def generation_check(
    *, people: int, organisations: int, initiatives: int, batch_size: int, prefix: str
) -> None:
    """Raise ValidationError with every problem in the arguments or in the database."""
    problems = [
        f"--{name.replace('_', '-')} must be 0 or more (got {value})."
        for name, value in (
            ("people", people),
            ("organisations", organisations),
            ("initiatives", initiatives),
        )
        if value < 0
    ]
    if batch_size < 1:
        problems.append(f"--batch-size must be 1 or more (got {batch_size}).")
    if not PREFIX_PATTERN.match(prefix):
        problems.append(
            f"--prefix {prefix!r} is not usable in refs: 1 to 40 characters of lowercase "
            "letters, digits, '.', '_' and '-', starting with a letter or digit."
        )
    if people >= 0 and organisations > 2 * people:
        problems.append(
            f"--people must be at least half of --organisations (got {people} people for "
            f"{organisations} organisations): every organisation gets an admin and a person "
            "is in at most two organisations."
        )
    if problems:
        raise ValidationError(problems)

    if not (Theme.objects.exists() and Municipality.objects.exists()):
        raise ValidationError(
            "The taxonomies and municipalities are missing: run `python manage.py migrate` first."
        )
    taken = Q()
    for kind in ("o", "p", "i"):
        taken |= Q(ref__startswith=f"{prefix}-{kind}-")
    existing = {
        model.__name__: model.objects.filter(taken).count() for model in (*REF_MODELS, RetiredRef)
    }
    if any(existing.values()):
        found = ", ".join(f"{count:,} {name}" for name, count in existing.items() if count)
        raise ValidationError(
            f"Refs starting with '{prefix}-' exist already ({found}), probably from an earlier "
            f"run; refs are never reused. Run again with another --prefix (for example "
            f"--prefix {prefix}2) or generate into a fresh database."
        )


def _bulk_links(
    model: type[models.Model], field_name: str, pairs: Iterable[tuple[Any, Any]], batch_size: int
) -> int:
    """Insert many-to-many rows straight into the through table."""
    relation = model._meta.get_field(field_name)
    through = relation.remote_field.through
    source = through._meta.get_field(relation.m2m_field_name()).attname
    target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
    columns = [column.attname for column in through._meta.concrete_fields]
    if columns == [through._meta.pk.attname, source, target]:
        # Positional arguments skip keyword handling: a third faster for a million rows.
        rows = [through(None, left, right) for left, right in pairs]
    else:
        rows = [through(**{source: left, target: right}) for left, right in pairs]
    through.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def _primary_keys(model: type[models.Model], objects: list[models.Model]) -> list[int]:
    # PostgreSQL and SQLite >= 3.35 return the new keys from bulk_create; other backends don't.
    if any(obj.pk is None for obj in objects):
        keys = dict(
            model.objects.filter(ref__in=[obj.ref for obj in objects]).values_list("ref", "pk")
        )
        for obj in objects:
            obj.pk = keys[obj.ref]
    return [obj.pk for obj in objects]


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def network_generate(
    *,
    people: int,
    organisations: int,
    initiatives: int,
    seed: int,
    prefix: str = DEFAULT_PREFIX,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[str, int], ProgressBar],
) -> GenerationSummary:
    """Write a random network in one transaction (all or nothing). See docs/generate_network.md.

    Raises ValidationError, and writes nothing, when the arguments are invalid or refs with
    this prefix exist already."""
    started = time.monotonic()
    summary = GenerationSummary(prefix=prefix, seed=seed)
    with transaction.atomic():
        generation_check(
            people=people,
            organisations=organisations,
            initiatives=initiatives,
            batch_size=batch_size,
            prefix=prefix,
        )
        _network_write(
            NetworkPlanner(seed=seed, vocabulary=Vocabulary.from_database()),
            summary,
            counts=(organisations, people, initiatives),
            prefix=prefix,
            batch_size=batch_size,
            progress=progress,
        )
        bar = progress("commit", 1)
    # PostgreSQL checks the deferred foreign keys of every new row now: ~20 s for 100,000 people.
    summary.seconds["commit"] = bar.finish()
    summary.elapsed = time.monotonic() - started
    return summary


def _network_write(
    planner: NetworkPlanner,
    summary: GenerationSummary,
    *,
    counts: tuple[int, int, int],
    prefix: str,
    batch_size: int,
    progress: Callable[[str, int], ProgressBar],
) -> None:
    organisations, people, initiatives = counts
    organisation_keys: list[int] = []
    bar = progress("organisations", organisations)
    width = _ref_width(organisations)
    for batch in _batches(planner.organisations_draw(organisations), batch_size):
        offset = len(organisation_keys)
        objects = [
            Organisation(
                ref=f"{prefix}-o-{offset + number + 1:0{width}d}",
                name=draft.name,
                kind=draft.kind,
                municipality_id=draft.municipality,
                description=draft.description,
                website=draft.website,
                offers=draft.offers,
                open_to_matching=draft.open_to_matching,
                verified=draft.verified,
            )
            for number, draft in enumerate(batch)
        ]
        Organisation.objects.bulk_create(objects, batch_size=batch_size)
        keys = _primary_keys(Organisation, objects)
        organisation_keys += keys
        for field_name in ("themes", "target_groups", "languages"):
            summary.links += _bulk_links(
                Organisation,
                field_name,
                (
                    (key, slug)
                    for key, draft in zip(keys, batch, strict=True)
                    for slug in getattr(draft, field_name)
                ),
                batch_size,
            )
        bar.advance(len(batch))
    summary.seconds["organisations"] = bar.finish()

    person_keys: list[int] = []
    bar = progress("people", people)
    width = _ref_width(people)
    for batch in _batches(planner.people_draw(people), batch_size):
        offset = len(person_keys)
        objects = [
            Person(
                ref=f"{prefix}-p-{offset + number + 1:0{width}d}",
                name=draft.name,
                municipality_id=draft.municipality,
                skills=draft.skills,
                bio=draft.bio,
                looking_for=draft.looking_for,
                hours_per_week=draft.hours_per_week,
                mentor_capacity=draft.mentor_capacity,
                visibility=draft.visibility,
                open_to_matching=draft.open_to_matching,
            )
            for number, draft in enumerate(batch)
        ]
        Person.objects.bulk_create(objects, batch_size=batch_size)
        keys = _primary_keys(Person, objects)
        person_keys += keys
        for field_name in ("roles", "languages", "themes", "target_groups"):
            summary.links += _bulk_links(
                Person,
                field_name,
                (
                    (key, slug)
                    for key, draft in zip(keys, batch, strict=True)
                    for slug in getattr(draft, field_name)
                ),
                batch_size,
            )
        bar.advance(len(batch))
    summary.seconds["people"] = bar.finish()

    memberships = planner.memberships_draw()
    bar = progress("memberships", len(memberships))
    for batch in _batches(memberships, batch_size):
        Membership.objects.bulk_create(
            [
                Membership(
                    organisation_id=organisation_keys[o], person_id=person_keys[p], role=role
                )
                for o, p, role in batch
            ],
            batch_size=batch_size,
        )
        bar.advance(len(batch))
    summary.seconds["memberships"] = bar.finish()

    bar = progress("initiatives", initiatives)
    width = _ref_width(initiatives)
    initiative_keys: list[int] = []
    for batch in _batches(planner.initiatives_draw(initiatives), batch_size):
        written = len(initiative_keys)
        objects = [
            Initiative(
                ref=f"{prefix}-i-{written + number + 1:0{width}d}",
                title=draft.title,
                organisation_id=organisation_keys[draft.organisation]
                if draft.organisation is not None
                else None,
                leader_id=person_keys[draft.leader] if draft.leader is not None else None,
                municipality_id=draft.municipality,
                neighbourhood=draft.neighbourhood,
                status=draft.status,
                started=draft.started,
                ended=draft.ended,
                summary=draft.summary,
                results=draft.results,
                obstacles=draft.obstacles,
                lessons=draft.lessons,
            )
            for number, draft in enumerate(batch)
        ]
        Initiative.objects.bulk_create(objects, batch_size=batch_size)
        keys = _primary_keys(Initiative, objects)
        initiative_keys += keys
        pairs = list(zip(keys, batch, strict=True))
        for field_name in ("themes", "target_groups", "success_factors"):
            summary.links += _bulk_links(
                Initiative,
                field_name,
                ((key, slug) for key, draft in pairs for slug in getattr(draft, field_name)),
                batch_size,
            )
        summary.links += _bulk_links(
            Initiative,
            "partners",
            ((key, organisation_keys[p]) for key, draft in pairs for p in draft.partners),
            batch_size,
        )
        summary.links += _bulk_links(
            Initiative,
            "funders",
            ((key, fund) for key, draft in pairs for fund in draft.funders),
            batch_size,
        )
        bar.advance(len(batch))
    summary.seconds["initiatives"] = bar.finish()

    searchable = (
        (Organisation, organisation_keys),
        (Person, person_keys),
        (Initiative, initiative_keys),
    )
    bar = progress("search index", len(searchable))
    for model, keys in searchable:
        # One UPDATE per model, far faster than one per batch. Only the new rows, so that a
        # second network doesn't recompute the first; but in a fresh database, where the
        # new rows are all there is, a whole-table UPDATE skips matching 100,000 ids.
        search_vectors_refresh(model, None if model.objects.count() == len(keys) else keys)
        bar.advance(1)
    summary.seconds["search index"] = bar.finish()

    summary.counts = {
        "organisations": organisations,
        "people": people,
        "memberships": len(memberships),
        "initiatives": initiatives,
    }


class Command(BaseCommand):
    help = (
        "Write a realistic random network (organisations, people, memberships, initiatives) "
        "for benchmarks; deterministic for a seed. See docs/generate_network.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--people", type=int, default=1000, help="How many people (default 1000)."
        )
        parser.add_argument(
            "--organisations", type=int, default=100, help="How many organisations (default 100)."
        )
        parser.add_argument(
            "--initiatives", type=int, default=250, help="How many initiatives (default 250)."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Random seed: the same seed gives the same network (default 1).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows per INSERT (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--prefix",
            default=DEFAULT_PREFIX,
            help=f"Refs are PREFIX-o-000001, PREFIX-p-…, PREFIX-i-… (default {DEFAULT_PREFIX!r}). "
            "A run refuses to start when refs with this prefix exist.",
        )

    def handle(self, *args, **options) -> None:
        try:
            summary = network_generate(
                people=options["people"],
                organisations=options["organisations"],
                initiatives=options["initiatives"],
                seed=options["seed"],
                prefix=options["prefix"],
                batch_size=options["batch_size"],
                progress=lambda label, total: ProgressBar(self.stderr, label, total),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(summary.describe())
        _statistics_refresh()


ANALYZED_TABLES = (
    "network_organisation",
    "network_person",
    "network_membership",
    "network_initiative",
    "network_person_roles",
    "network_person_languages",
    "network_person_themes",
    "network_person_target_groups",
    "network_initiative_themes",
    "network_initiative_target_groups",
    "network_initiative_success_factors",
    "network_initiative_partners",
)


def _statistics_refresh() -> None:
    """Fresh planner statistics for what was just written: without them PostgreSQL guesses
    a few hundred full-text matches where there are thousands and benchmarks measure the
    wrong plans (benchmarks/README.md, Knowledge bank)."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for table in ANALYZED_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
