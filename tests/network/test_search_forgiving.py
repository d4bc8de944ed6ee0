"""Search that forgives accents, case, apostrophes, prefixes and spellings, on whichever
database the run uses (PostgreSQL in CI; the SQLite fallback without DATABASE_URL).
docs/network.md, "Search"."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from network import selectors
from network.models import Organisation, Person
from network.search import fold, name_key, name_search, search_vectors_refresh
from network.services.people import person_update
from tests.factories import InitiativeFactory, OrganisationFactory, PersonFactory, UserFactory

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's pg_trgm and query plans"
)

NAMES = {
    "p-ozdemir": "Ayşe Özdemir",
    "p-ndiaye": "Fatou N'Diaye",
    "p-mohammed": "Mohammed El Amrani",
    "p-muhammad": "Muhammad Yusuf",
    "p-mohamed": "Mohamed Bakkali",
    "p-jansen": "Pieter Jansen",
    "p-yildiz": "Emre Y\u0131ld\u0131z",
}


def _people(**overrides) -> dict[str, Person]:
    made = {
        ref: PersonFactory(ref=ref, name=name, bio="", **overrides) for ref, name in NAMES.items()
    }
    search_vectors_refresh(Person, [p.pk for p in made.values()])
    return made


def _found(q: str, viewer=None) -> list[str]:
    from django.contrib.auth.models import AnonymousUser

    filters = selectors.PersonFilters(q=q)
    return list(
        selectors.person_search(filters, viewer=viewer or AnonymousUser()).values_list(
            "ref", flat=True
        )
    )


# The fold -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Özdemir", "ozdemir"),
        ("ÖZDEMİR", "ozdemir"),
        ("N'Diaye", "ndiaye"),
        ("N\u2019Diaye", "ndiaye"),
        ("Al-Amal", "alamal"),
        ("Y\u0131ld\u0131z", "yildiz"),
        ("Straße", "strasse"),
        ("Zoë  Çelik", "zoe celik"),
        ("Ali\u200b", "ali"),
        ("\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f", "\u0645\u062d\u0645\u062f"),
    ],
)
def test_one_fold_makes_the_ways_of_writing_a_name_equal(written, typed):
    assert fold(written) == typed


def test_transliterations_share_a_skeleton():
    keys = {name_key(fold(n)) for n in ("Mohammed", "Mohamed", "Muhammad", "Mohammad")}
    assert keys == {" mhmd "}
    assert name_key(fold("Youssef")) == name_key(fold("Yusuf"))


# The people directory -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "ref"),
    [
        ("Özdemir", "p-ozdemir"),
        ("Ozdemir", "p-ozdemir"),
        ("OZDEMIR", "p-ozdemir"),
        ("ayse ozdemir", "p-ozdemir"),
        ("Özd", "p-ozdemir"),
        ("Ndiaye", "p-ndiaye"),
        ("N'Diaye", "p-ndiaye"),
        ("n\u2019diaye", "p-ndiaye"),
        ("Yildiz", "p-yildiz"),
    ],
)
def test_people_are_found_however_their_name_is_written(db, q, ref):
    _people()
    assert ref in _found(q)


def test_a_prefix_finds_names_as_people_type_them(db):
    _people()
    found = _found("moh")
    assert {"p-mohammed", "p-mohamed"} <= set(found)
    assert "p-jansen" not in found


def test_two_letters_find_the_start_of_a_word_only(db):
    _people()
    lorenzo = PersonFactory(ref="p-lorenzo", name="Lorenzo Rossi", bio="")
    search_vectors_refresh(Person, [lorenzo.pk])
    found = {s.ref for s in selectors.people_and_organisations_suggest(viewer=None, text="oz")}
    assert "p-ozdemir" in found and "p-lorenzo" not in found


def test_mohamed_finds_mohammed_and_muhammad_best_first(db):
    _people()
    found = _found("Mohamed")
    assert {"p-mohamed", "p-mohammed", "p-muhammad"} <= set(found)
    assert "p-jansen" not in found and "p-ozdemir" not in found
    assert found[0] == "p-mohamed"  # the exact spelling ranks first


def test_organisations_are_found_however_their_name_is_written(db):
    organisation = OrganisationFactory(ref="umit", name="Stichting Ümit-Dünya")
    OrganisationFactory(ref="other", name="Sportclub De Bilt")
    search_vectors_refresh(Organisation, [o.pk for o in Organisation.objects.all()])
    for q in ("umit dunya", "ÜMİT", "Stichting Umitdunya", "dün"):
        filters = selectors.OrganisationFilters(q=q)
        found = list(selectors.organisation_search(filters).values_list("ref", flat=True))
        assert found == [organisation.ref], q


def test_the_knowledge_bank_forgives_accents_both_ways(db):
    # Dutch stemming alone drops umlauts and acute accents, not ş, ç, ğ or a dotless i: those need
    # unaccent on PostgreSQL and the fold on SQLite.
    InitiativeFactory(ref="met", title="Koken met Özlem", summary="Een café in de wijk.")
    InitiativeFactory(ref="zonder", title="Taalcafe Ozdemir", summary="Taal oefenen.")
    InitiativeFactory(ref="ander", title="Sport in het park", summary="Bewegen.")
    InitiativeFactory(
        ref="turks", title="Vrouwen van Çiğdem", summary="Ayşe en Y\u0131ld\u0131z organiseren."
    )

    def found(q):
        filters = selectors.InitiativeFilters(q=q)
        return set(selectors.initiative_search(filters).values_list("ref", flat=True))

    assert found("Ozlem") == {"met"}
    assert found("ÖZLEM") == {"met"}
    assert "met" in found("cafe")
    assert found("Özdemir") == {"zonder"}
    assert found("taalcafé") == {"zonder"}
    assert found("Cigdem") == {"turks"}
    assert found("ayse yildiz") == {"turks"}
    assert found("AYŞE") == {"turks"}


def test_a_new_name_replaces_the_old_one_in_search(db):
    person = _people()["p-ozdemir"]
    person_update(person=person, actor=UserFactory(is_staff=True), data={"name": "Ayşe Kaya"})
    assert "p-ozdemir" not in _found("Özdemir")
    assert "p-ozdemir" in _found("Kaya")


def test_the_migration_fills_the_folded_names_of_existing_rows(db):
    person = _people()["p-ozdemir"]
    Person.objects.filter(pk=person.pk).update(search_name="", search_key="")
    migration = importlib.import_module("network.migrations.0006_forgiving_search")
    migration.refresh_search(apps, None)
    person.refresh_from_db()
    assert person.search_name == "ayse ozdemir"
    assert person.search_key == " as ozdmr "


@on_postgresql
def test_the_stored_vectors_fold_accents(db):
    # The `bruggen_dutch` configuration, made by the migration: unaccent before stemming.
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('bruggen_dutch', 'Özdemir café')::text")
        assert cursor.fetchone()[0] == "'caf':2 'ozdemir':1"  # stemmed, as Dutch does


@on_postgresql
def test_trigram_similarity_forgives_a_typo(db):
    _people()
    assert "p-mohammed" in _found("Mohamed El Amrnai")  # skeletons differ, trigrams agree


# Query plans ---------------------------------------------------------------------------


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Few rows in a test database: without this the planner rightly prefers a scan of
        # the table (or, with that off, a full scan of the primary key's index). GIN indexes
        # are read by bitmap scans, which stay allowed.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@on_postgresql
def test_name_search_can_use_the_trigram_index(db):
    _people()
    plan = _plan(name_search(Person.objects.all(), "Özdemir"))
    assert "network_person_search_name_trgm" in plan


@on_postgresql
def test_the_knowledge_bank_query_can_use_the_gin_index(db):
    InitiativeFactory(title="Koken met Özlem")
    plan = _plan(selectors.initiative_search(selectors.InitiativeFilters(q="özlem")))
    assert "network_initiative_search_gin" in plan


# Suggestions ---------------------------------------------------------------------------


def test_suggestions_find_people_and_organisations_in_three_queries(db, django_assert_num_queries):
    _people()
    OrganisationFactory(ref="moh-org", name="Moharram Stichting")
    search_vectors_refresh(Organisation, Organisation.objects.values_list("pk", flat=True))
    viewer = UserFactory()
    with django_assert_num_queries(3):
        suggestions = selectors.people_and_organisations_suggest(viewer=viewer, text="moh")
    refs = [s.ref for s in suggestions]
    assert {"p-mohammed", "p-mohamed", "moh-org"} <= set(refs)
    kinds = {s.ref: s.kind for s in suggestions}
    assert kinds["moh-org"] == "organisation" and kinds["p-mohamed"] == "person"


def test_suggestions_respect_the_limit_and_kind(db):
    _people()
    suggestions = selectors.people_and_organisations_suggest(
        viewer=UserFactory(), text="mohamed", limit=2, kinds=("person",)
    )
    assert len(suggestions) == 2
    assert suggestions[0].ref == "p-mohamed"


def test_a_hidden_person_is_never_suggested_to_who_may_not_see_them(db):
    from django.contrib.auth.models import AnonymousUser

    owner = UserFactory()
    hidden = PersonFactory(ref="p-hidden", name="Özlem Hidden", user=owner, visibility="hidden")
    members = PersonFactory(ref="p-members", name="Özlem Members", visibility="members")
    search_vectors_refresh(Person, [hidden.pk, members.pk])

    def suggested(viewer):
        return {
            s.ref for s in selectors.people_and_organisations_suggest(viewer=viewer, text="ozl")
        }

    assert suggested(AnonymousUser()) == set()
    assert suggested(UserFactory()) == {"p-members"}
    assert suggested(owner) == {"p-hidden", "p-members"}
    assert suggested(UserFactory(is_staff=True)) == {"p-hidden", "p-members"}


def test_the_suggest_endpoint_renders_options_without_refs_in_the_labels(client, db):
    _people()
    response = client.get("/names/suggest/", {"q": "Özd"})
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    page = response.content.decode()
    assert (
        '<option value="p-ozdemir" data-kind="person" data-name="Ayşe Özdemir">'
        "Ayşe Özdemir (Utrecht)</option>"
    ) in page


def test_the_suggest_endpoint_hides_members_only_people_from_anonymous_visitors(client, db):
    PersonFactory(ref="p-members", name="Özlem Members", visibility="members")
    search_vectors_refresh(Person, Person.objects.values_list("pk", flat=True))
    assert "p-members" not in client.get("/names/suggest/", {"q": "ozlem"}).content.decode()
    client.force_login(UserFactory())
    assert "p-members" in client.get("/names/suggest/", {"q": "ozlem"}).content.decode()


def test_a_name_is_text_in_the_options_never_markup(client, db):
    person = PersonFactory(ref="p-xss", name='Özlem <img src=x onerror="alert(1)">')
    search_vectors_refresh(Person, [person.pk])
    page = client.get("/names/suggest/", {"q": "ozlem"}).content.decode()
    assert 'value="p-xss"' in page
    assert "<img" not in page and "&lt;img" in page


def test_the_suggest_endpoint_narrows_to_one_kind(client, db):
    _people()
    OrganisationFactory(ref="moh-org", name="Moharram Stichting")
    search_vectors_refresh(Organisation, Organisation.objects.values_list("pk", flat=True))
    page = client.get("/names/suggest/", {"q": "moh", "kind": "organisation"}).content.decode()
    assert 'value="moh-org"' in page and "p-moh" not in page
    page = client.get("/names/suggest/", {"q": "moh", "kind": "person"}).content.decode()
    assert 'value="moh-org"' not in page and 'value="p-mohamed"' in page
    page = client.get("/names/suggest/", {"q": "moh", "kind": "bogus"}).content.decode()
    assert 'value="moh-org"' in page and 'value="p-mohamed"' in page


def test_the_suggest_endpoint_says_when_no_one_is_found(client, db):
    _people()
    page = client.get("/names/suggest/", {"q": "Zzyzx"}).content.decode()
    assert "<option" in page and "disabled" in page
    assert "<option" not in client.get("/names/suggest/", {"q": "a"}).content.decode()
    assert "<option" not in client.get("/names/suggest/").content.decode()


def test_like_wildcards_are_letters_not_patterns(client, db):
    _people()
    for q in ("%%", "__", "%_%"):
        page = client.get("/names/suggest/", {"q": q}).content.decode()
        assert "p-" not in page, q


# Bad input -----------------------------------------------------------------------------

BAD_QUERIES = [
    '"',
    "'",
    "' OR 1=1 --",
    "&|!():*<->",
    "ozdemir:* & !",
    "🍲🤝",
    "🍲",
    "\u202e\u0631\u0645\u0627\u062f\u0632\u0648\u202c",
    "محمد",
    "שָׁלוֹם",
    "o\x00zdemir",
    "\x00",
    "x" * 10_000,
    "Özdemir " * 2_000,
    "\\",
    "%",
    "\ufffd",
    "ﷺ",
]


@pytest.mark.parametrize("q", BAD_QUERIES)
@pytest.mark.parametrize(
    "path",
    [
        "/initiatives/",
        "/organisations/",
        "/people/",
        "/names/suggest/",
        "/api/v1/initiatives",
        "/api/v1/organisations",
        "/api/v1/people",
    ],
)
def test_any_text_answers_with_results_or_nothing_found(client, db, path, q):
    _people()
    InitiativeFactory(title="Koken met Özlem")
    response = client.get(path, {"q": q})
    assert response.status_code == 200, response.content[:300]


def test_a_lone_surrogate_in_the_url_answers_normally(client, db):
    for path in ("/people/", "/names/suggest/", "/api/v1/people"):
        assert client.get(f"{path}?q=%ED%A0%80%F0%9F").status_code == 200
