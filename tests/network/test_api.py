"""The network API contract (docs/contracts.md §5): lists with limit/offset answering
{"count", "items"}, the filters, details by ref, registering an organisation, and no input,
however malformed, answering a 500."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils.html import escape

from accounts.services import api_token_create
from network.models import Initiative, Membership, Municipality, Organisation, Person
from network.search import search_vectors_refresh
from tests.factories import (
    InitiativeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UNICODE_NAME = "Vereniging Özdemir & N'Diaye \u2013 عائشة"  # with an en dash


def _municipality(name: str) -> Municipality:
    return Municipality.objects.get(name=name)


def refs(response) -> list[str]:
    assert response.status_code == 200, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"count", "items"}
    return [item["ref"] for item in body["items"]]


def assert_error(response, status: int | tuple[int, ...]) -> None:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.fixture
def token_client(user) -> Client:
    _token, secret = api_token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post_json(client: Client, url: str, body) -> object:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


# Pagination ---------------------------------------------------------------------------------


@pytest.fixture
def seven_initiatives(db) -> list[Initiative]:
    return [InitiativeFactory(title=f"Buurtproject {n}") for n in range(7)]


def test_a_list_answers_count_and_items(client, seven_initiatives):
    body = client.get("/api/v1/initiatives").json()
    assert body["count"] == 7
    assert sorted(item["ref"] for item in body["items"]) == sorted(
        initiative.ref for initiative in seven_initiatives
    )
    item = body["items"][0]
    for key in ("ref", "title", "organisation", "municipality", "status", "themes", "summary"):
        assert key in item


def test_limit_and_offset_walk_the_whole_list_once(client, seven_initiatives):
    pages = []
    for offset in range(0, 7, 3):
        body = client.get("/api/v1/initiatives", {"limit": 3, "offset": offset}).json()
        assert body["count"] == 7
        pages.append([item["ref"] for item in body["items"]])
    assert [len(page) for page in pages] == [3, 3, 1]
    walked = [ref for page in pages for ref in page]
    assert sorted(walked) == sorted(initiative.ref for initiative in seven_initiatives)


def test_an_offset_past_the_end_is_an_empty_page(client, seven_initiatives):
    body = client.get("/api/v1/initiatives", {"offset": 50}).json()
    assert body == {"count": 7, "items": []}


@pytest.mark.parametrize("endpoint", ["initiatives", "organisations", "people"])
@pytest.mark.parametrize(
    "query",
    [
        {"limit": 101},
        {"limit": 0},
        {"limit": -1},
        {"limit": "tien"},
        {"offset": -1},
        {"offset": "x"},
        {"offset": 10**12},
        {"limit": 10**30},
    ],
    ids=lambda query: "&".join(f"{k}={v}" for k, v in query.items())[:30],
)
def test_bad_limit_or_offset_is_422_with_detail(client, endpoint, query):
    assert_error(client.get(f"/api/v1/{endpoint}", query), 422)


@pytest.mark.parametrize("endpoint", ["initiatives", "organisations", "people"])
def test_limit_100_is_allowed(client, endpoint):
    assert refs(client.get(f"/api/v1/{endpoint}", {"limit": 100})) == []


# Filters: initiatives -----------------------------------------------------------------------


@pytest.fixture
def initiatives(db) -> dict[str, Initiative]:
    utrecht = _municipality("Utrecht")
    de_bilt = _municipality("De Bilt")
    return {
        "koken": InitiativeFactory(
            title="Samen koken met buren",
            summary="Elke week een maaltijd.",
            municipality=utrecht,
            themes=["food", "dialogue"],
            target_groups=["moroccan", "residents"],
            success_factors=["network", "volunteers"],
            status=Initiative.Status.RUNNING,
        ),
        "voetbal": InitiativeFactory(
            title="Straatvoetbal voor meiden",
            summary="Sporten op het plein.",
            municipality=de_bilt,
            themes=["sport"],
            target_groups=["girls_women", "youth"],
            success_factors=["role_models"],
            status=Initiative.Status.FINISHED,
        ),
        "taal": InitiativeFactory(
            title="Taalcafé",
            summary="Nederlands oefenen bij de koffie.",
            municipality=utrecht,
            themes=["language", "food"],
            target_groups=["refugees"],
            success_factors=["low_threshold"],
            status=Initiative.Status.IDEA,
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"koken", "voetbal", "taal"}),
        ({"q": "koken"}, {"koken"}),
        ({"q": "meiden"}, {"voetbal"}),
        ({"q": "maaltijd"}, {"koken"}),  # the summary counts too
        ({"q": "geen-enkel-resultaat"}, set()),
        ({"theme": "food"}, {"koken", "taal"}),
        ({"theme": ["sport", "language"]}, {"voetbal", "taal"}),  # any of them
        ({"theme": "festival"}, set()),
        ({"theme": "not-a-theme"}, set()),
        ({"target_group": "youth"}, {"voetbal"}),
        ({"target_group": ["moroccan", "refugees"]}, {"koken", "taal"}),
        ({"municipality": "Utrecht"}, {"koken", "taal"}),
        ({"municipality": "utrecht"}, {"koken", "taal"}),
        ({"municipality": "UTRECHT"}, {"koken", "taal"}),
        ({"municipality": "de bilt"}, {"voetbal"}),
        ({"municipality": "De Bilt"}, {"voetbal"}),
        ({"municipality": "Amersfoort"}, set()),
        ({"status": "finished"}, {"voetbal"}),
        ({"status": ["idea", "running"]}, {"koken", "taal"}),
        ({"success_factor": "network"}, {"koken"}),
        ({"success_factor": "low_threshold"}, {"taal"}),
        ({"theme": "food", "municipality": "utrecht", "status": "running"}, {"koken"}),
        (
            {
                "q": "koken",
                "theme": "food",
                "target_group": "moroccan",
                "municipality": "UTRECHT",
                "status": "running",
                "success_factor": "network",
            },
            {"koken"},
        ),
        ({"theme": "food", "status": "finished"}, set()),
        ({"q": "koken", "municipality": "De Bilt"}, set()),
    ],
)
def test_initiative_filters(client, initiatives, query, expected):
    found = refs(client.get("/api/v1/initiatives", query))
    assert sorted(found) == sorted(initiatives[key].ref for key in expected)
    assert client.get("/api/v1/initiatives", query).json()["count"] == len(expected)


def test_initiative_detail_by_ref(client, initiatives):
    initiative = initiatives["koken"]
    initiative.partners.set([OrganisationFactory(ref="partner-wijkcentrum")])
    body = client.get(f"/api/v1/initiatives/{initiative.ref}").json()
    assert body["ref"] == initiative.ref
    assert body["title"] == "Samen koken met buren"
    assert body["organisation"] == initiative.organisation.ref
    assert body["municipality"] == "Utrecht"
    assert body["status"] == "running"
    assert sorted(body["themes"]) == ["dialogue", "food"]
    assert sorted(body["target_groups"]) == ["moroccan", "residents"]
    assert sorted(body["success_factors"]) == ["network", "volunteers"]
    assert body["partners"] == ["partner-wijkcentrum"]
    for key in ("results", "obstacles", "lessons", "funders", "leader"):
        assert key in body


# Filters: organisations ---------------------------------------------------------------------


@pytest.fixture
def organisations(db) -> dict[str, Organisation]:
    made = {
        "moskee": OrganisationFactory(
            name="Moskee Al Fath",
            description="Ontmoeting en gesprek.",
            kind=Organisation.Kind.RELIGIOUS,
            municipality=_municipality("Utrecht"),
            themes=["faith", "dialogue"],
            target_groups=["moroccan"],
        ),
        "sportclub": OrganisationFactory(
            name="Voetbalvereniging De Bilt",
            description="Sport voor iedereen.",
            kind=Organisation.Kind.SPORTS_CLUB,
            municipality=_municipality("De Bilt"),
            themes=["sport"],
            target_groups=["youth"],
        ),
        "welzijn": OrganisationFactory(
            name="Welzijn Zeist",
            description="Welzijnswerk in de wijk en buurtmaaltijden.",
            kind=Organisation.Kind.WELFARE,
            municipality=_municipality("Zeist"),
            themes=["food", "dialogue"],
            target_groups=["elderly", "moroccan"],
        ),
    }
    search_vectors_refresh(Organisation, [organisation.pk for organisation in made.values()])
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"moskee", "sportclub", "welzijn"}),
        ({"q": "moskee"}, {"moskee"}),
        ({"q": "voetbalvereniging"}, {"sportclub"}),
        ({"q": "welzijnswerk"}, {"welzijn"}),
        ({"kind": "religious"}, {"moskee"}),
        ({"kind": ["religious", "welfare"]}, {"moskee", "welzijn"}),
        ({"kind": "not-a-kind"}, {"moskee", "sportclub", "welzijn"}),  # dropped, like the page
        ({"theme": "dialogue"}, {"moskee", "welzijn"}),
        ({"target_group": "moroccan"}, {"moskee", "welzijn"}),
        ({"target_group": "youth"}, {"sportclub"}),
        ({"municipality": "zeist"}, {"welzijn"}),
        ({"municipality": "DE BILT"}, {"sportclub"}),
        ({"theme": "dialogue", "target_group": "moroccan", "municipality": "Utrecht"}, {"moskee"}),
        ({"q": "moskee", "kind": "welfare"}, set()),
    ],
)
def test_organisation_filters(client, organisations, query, expected):
    found = refs(client.get("/api/v1/organisations", query))
    assert sorted(found) == sorted(organisations[key].ref for key in expected)


def test_organisation_detail_by_ref(client, organisations):
    organisation = organisations["moskee"]
    organisation.languages.set(["ar", "nl"])
    body = client.get(f"/api/v1/organisations/{organisation.ref}").json()
    assert body["ref"] == organisation.ref
    assert body["name"] == "Moskee Al Fath"
    assert body["kind"] == "religious"
    assert body["municipality"] == "Utrecht"
    assert sorted(body["themes"]) == ["dialogue", "faith"]
    assert body["target_groups"] == ["moroccan"]
    assert sorted(body["languages"]) == ["ar", "nl"]


# Filters: people ----------------------------------------------------------------------------


@pytest.fixture
def people(db) -> dict[str, Person]:
    made = {
        "amina": PersonFactory(
            name="Amina Bakkali",
            bio="Sleutelfiguur in Overvecht, tolk Arabisch.",
            municipality=_municipality("Utrecht"),
            roles=["key_figure"],
            languages=["ar", "nl"],
            themes=["parents", "education"],
            target_groups=["moroccan", "parents"],
        ),
        "henk": PersonFactory(
            name="Henk de Vries",
            bio="Ervaren projectleider en mentor.",
            municipality=_municipality("Amersfoort"),
            roles=["mentor", "project_leader"],
            languages=["nl"],
            themes=["sport"],
            target_groups=["youth"],
        ),
        "yusuf": PersonFactory(
            name="Yusuf Demir",
            bio="Vrijwilliger bij het taalcafé.",
            municipality=_municipality("Utrecht"),
            roles=["volunteer"],
            languages=["tr", "nl"],
            themes=["language"],
            target_groups=["turkish", "youth"],
        ),
    }
    search_vectors_refresh(Person, [person.pk for person in made.values()])
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"amina", "henk", "yusuf"}),
        ({"q": "Amina"}, {"amina"}),
        ({"q": "projectleider"}, {"henk"}),
        ({"role": "key_figure"}, {"amina"}),
        ({"role": ["mentor", "volunteer"]}, {"henk", "yusuf"}),
        ({"theme": "sport"}, {"henk"}),
        ({"target_group": "youth"}, {"henk", "yusuf"}),
        ({"language": "ar"}, {"amina"}),
        ({"language": "nl"}, {"amina", "henk", "yusuf"}),
        ({"municipality": "utrecht"}, {"amina", "yusuf"}),
        ({"municipality": "Amersfoort"}, {"henk"}),
        ({"language": "nl", "target_group": "youth", "municipality": "Utrecht"}, {"yusuf"}),
        ({"role": "volunteer", "language": "tr", "theme": "language", "q": "taalcafé"}, {"yusuf"}),
        ({"role": "key_figure", "language": "tr"}, set()),
    ],
)
def test_person_filters(client, people, query, expected):
    found = refs(client.get("/api/v1/people", query))
    assert sorted(found) == sorted(people[key].ref for key in expected)


def test_people_lists_only_visible_profiles(client, user_client, people):
    members_only = PersonFactory(name="Alleen Leden", visibility=Person.Visibility.MEMBERS)
    hidden = PersonFactory(name="Verborgen", visibility=Person.Visibility.HIDDEN)
    anonymous = refs(client.get("/api/v1/people"))
    signed_in = refs(user_client.get("/api/v1/people"))
    assert members_only.ref not in anonymous and hidden.ref not in anonymous
    assert members_only.ref in signed_in and hidden.ref not in signed_in
    assert client.get("/api/v1/people").json()["count"] == 3


# Details: unknown refs --------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["initiatives", "organisations"])
@pytest.mark.parametrize(
    "ref", ["bestaat-niet", "ORG-1", "a" * 81, "..", "%2e%2e", "ref%00nul", "%F0%9F%98%80"]
)
def test_unknown_refs_are_404_json(client, endpoint, ref):
    OrganisationFactory()
    assert_error(client.get(f"/api/v1/{endpoint}/{ref}"), 404)


@pytest.mark.parametrize("page", ["initiatives", "organisations", "people", "funds"])
@pytest.mark.parametrize("ref", ["bestaat-niet", "a" * 300, "ref%00nul", "%F0%9F%98%80"])
def test_unknown_refs_on_the_pages_are_404(client, page, ref):
    assert client.get(f"/{page}/{ref}/").status_code == 404


# Registering an organisation ----------------------------------------------------------------

ORG_REF = re.compile(r"^org-[0-9a-f]{8}$")


def test_register_an_organisation(token_client, user):
    response = post_json(
        token_client,
        "/api/v1/organisations",
        {
            "name": "  Stichting Samen Sterk  ",
            "kind": "self_organisation",
            "municipality": "utrecht",
            "description": "Een migrantenzelforganisatie.",
            "website": "https://samensterk.example.org",
            "themes": ["dialogue", "food", "food"],
            "target_groups": ["somali"],
            "languages": ["so", "nl"],
            "offers": "Een ruimte voor 40 mensen.",
            "open_to_matching": False,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert ORG_REF.match(body["ref"]), body["ref"]
    assert body["name"] == "Stichting Samen Sterk"
    assert body["kind"] == "self_organisation"
    assert body["municipality"] == "Utrecht"
    assert sorted(body["themes"]) == ["dialogue", "food"]
    assert body["target_groups"] == ["somali"]
    assert sorted(body["languages"]) == ["nl", "so"]
    assert body["open_to_matching"] is False
    assert body["verified"] is False

    assert token_client.get(f"/api/v1/organisations/{body['ref']}").json() == body
    membership = Membership.objects.get(organisation__ref=body["ref"])
    assert membership.role == Membership.Role.ADMIN
    assert membership.person.user == user
    me = token_client.get("/api/v1/me").json()
    assert me["person"] is not None
    assert me["person"] == membership.person.ref


def test_register_needs_only_a_name(token_client):
    response = post_json(token_client, "/api/v1/organisations", {"name": "Buurtkracht"})
    assert response.status_code == 201
    assert response.json()["kind"] == "other"
    assert response.json()["themes"] == []


def test_refs_of_registered_organisations_differ(token_client):
    made = {
        post_json(token_client, "/api/v1/organisations", {"name": f"Club {n}"}).json()["ref"]
        for n in range(5)
    }
    assert len(made) == 5
    assert all(ORG_REF.match(ref) for ref in made)


def test_a_unicode_name_round_trips(token_client):
    created = post_json(token_client, "/api/v1/organisations", {"name": UNICODE_NAME})
    assert created.status_code == 201
    assert created.json()["name"] == UNICODE_NAME
    fetched = token_client.get(f"/api/v1/organisations/{created.json()['ref']}").json()
    assert fetched["name"] == UNICODE_NAME
    assert Organisation.objects.get(ref=created.json()["ref"]).name == UNICODE_NAME
    page = Client().get(f"/organisations/{created.json()['ref']}/")
    assert escape(UNICODE_NAME) in page.content.decode()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Club", "themes": ["food", "cooking"]}, "themes"),
        ({"name": "Club", "target_groups": ["martians"]}, "target_groups"),
        ({"name": "Club", "languages": ["klingon"]}, "languages"),
        ({"name": "Club", "kind": "secret_society"}, "kind"),
        ({"name": "Club", "municipality": "Amsterdam"}, "municipality"),
        ({"name": "Club", "municipality": "Utrecht\x00"}, "municipality"),
        ({"name": "Club", "themes": ["food\x00"]}, "themes"),
        ({"name": "Club", "website": "geen url"}, "website"),
        ({"name": "x" * 10_000}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "Nul\x00byte"}, "name"),
        ({}, "name"),
        ({"name": None}, "name"),
        ({"name": 42}, "name"),
        ({"name": "Club", "themes": "food"}, "themes"),
        ({"name": "Club", "themes": ["food"] * 51}, "themes"),
        ({"name": "Club", "open_to_matching": "misschien"}, "open_to_matching"),
    ],
    ids=lambda value: repr(value)[:40] if isinstance(value, dict) else value,
)
def test_invalid_organisations_are_422_and_nothing_is_written(token_client, payload, field):
    organisations, people = Organisation.objects.count(), Person.objects.count()
    response = post_json(token_client, "/api/v1/organisations", payload)
    assert_error(response, 422)
    assert field in json.dumps(response.json()["detail"])
    assert Organisation.objects.count() == organisations
    assert Person.objects.count() == people
    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "Club"',
        "{name: 'Club'}",
        "",
        "null",
        '"Club"',
        "42",
        '[{"name": "Club"}]',
        "[]",
        b"\xff\xfe{",
        '{"name": "Club \\ud800"}',
    ],
    ids=["truncated", "not-json", "empty", "null", "string", "number", "array", "empty-array",
         "not-utf8", "lone-surrogate"],
)  # fmt: skip
def test_malformed_bodies_are_4xx_and_nothing_is_written(token_client, body):
    organisations, people = Organisation.objects.count(), Person.objects.count()
    response = post_json(token_client, "/api/v1/organisations", body)
    assert_error(response, (400, 422))
    assert Organisation.objects.count() == organisations
    assert Person.objects.count() == people


def test_register_with_a_form_body_is_4xx(token_client):
    response = token_client.post("/api/v1/organisations", {"name": "Club"})
    assert_error(response, (400, 415, 422))
    assert not Organisation.objects.exists()


def test_register_with_an_invalid_token_is_401(db):
    response = post_json(
        Client(HTTP_AUTHORIZATION="Bearer brg_bestaat-niet"), "/api/v1/organisations", {"name": "X"}
    )
    assert_error(response, 401)
    assert not Organisation.objects.exists()


# Any search string answers --------------------------------------------------------------------

SEARCHES = [
    'Eet "mee"',
    "'; DROP TABLE network_initiative; --",
    "koken' OR 1=1 --",
    "OR 1=1",
    "x" * 10_000,
    "koken " * 2_000,
    "🍲🤝 koken",
    "&|!():*",
    "!!! & | : * ( ) <-> \\",
    "-koken -",
    '"',
    "%_%",
    "\x00",
    "kok\x00en",
    "   ",
    "عائشة",
]
SEARCH_IDS = [
    "quotes",
    "drop-table",
    "or-1-1-quoted",
    "or-1-1",
    "10000-chars",
    "2000-words",
    "emoji",
    "operators",
    "more-operators",
    "negation",
    "lone-quote",
    "like-wildcards",
    "nul",
    "nul-inside",
    "spaces",
    "arabic",
]


@pytest.mark.parametrize("q", SEARCHES, ids=SEARCH_IDS)
@pytest.mark.parametrize("endpoint", ["initiatives", "organisations", "people"])
def test_any_search_string_answers_200_in_the_api(client, initiatives, endpoint, q):
    response = client.get(f"/api/v1/{endpoint}", {"q": q})
    assert response.status_code == 200, response.content[:300]
    assert set(response.json()) == {"count", "items"}


@pytest.mark.parametrize("q", SEARCHES, ids=SEARCH_IDS)
@pytest.mark.parametrize("page", ["initiatives", "organisations", "people", "funds"])
def test_any_search_string_answers_200_on_the_pages(client, initiatives, page, q):
    assert client.get(f"/{page}/", {"q": q}).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/initiatives?q=%00", "/initiatives/?q=%00&theme=food"])
def test_a_raw_nul_byte_in_the_query_string_answers_200(client, initiatives, url):
    assert client.get(url).status_code == 200


def test_the_search_still_finds_with_odd_characters_around_the_words(client, initiatives):
    assert refs(client.get("/api/v1/initiatives", {"q": '"koken"'})) == [initiatives["koken"].ref]
    assert refs(client.get("/api/v1/initiatives", {"q": "koken!!"})) == [initiatives["koken"].ref]


@pytest.mark.parametrize(
    "query",
    [
        {"theme": "\x00"},
        {"theme": "food\x00"},
        {"target_group": "\x00"},
        {"success_factor": "\x00"},
        {"status": "\x00"},
        {"municipality": "\x00"},
        {"theme": "x" * 10_000},
        {"sort": "\x00"},
    ],
    ids=lambda query: repr(query)[:40],
)
def test_any_filter_value_answers_200_on_initiatives(client, initiatives, query):
    refs(client.get("/api/v1/initiatives", query))  # asserts 200 and {"count", "items"}
    assert client.get("/initiatives/", query).status_code == 200


@pytest.mark.parametrize(
    ("endpoint", "parameter"),
    [
        ("organisations", "kind"),
        ("organisations", "theme"),
        ("organisations", "target_group"),
        ("organisations", "municipality"),
        ("people", "role"),
        ("people", "theme"),
        ("people", "target_group"),
        ("people", "language"),
        ("people", "municipality"),
    ],
)
def test_a_nul_byte_in_any_filter_answers_200(client, people, endpoint, parameter):
    refs(client.get(f"/api/v1/{endpoint}", {parameter: "nl\x00"}))  # asserts 200 and the shape
    assert client.get(f"/{endpoint}/", {parameter: "nl\x00"}).status_code == 200


# Tokens on public lists -----------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["initiatives", "organisations", "people", "initiatives/x"])
@pytest.mark.parametrize(
    "header",
    ["Bearer brg_nietgeldig", "Bearer ", "Bearer", "Basic dXNlcjpwYXNz", "brg_zonder-schema"],
)
def test_an_invalid_token_on_a_public_read_is_401_not_anonymous(db, endpoint, header):
    response = Client(HTTP_AUTHORIZATION=header).get(f"/api/v1/{endpoint}")
    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_on_a_public_list_is_401(user):
    from accounts.services import api_token_revoke

    token, secret = api_token_create(user=user, name="oud")
    api_token_revoke(user=user, token_id=token.pk)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/initiatives")
    assert_error(response, 401)


def test_a_valid_token_reads_the_public_lists(token_client, initiatives):
    assert len(refs(token_client.get("/api/v1/initiatives"))) == 3


def test_a_token_of_an_inactive_user_is_401(db):
    user = UserFactory()
    _token, secret = api_token_create(user=user, name="script")
    user.is_active = False
    user.save()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/people")
    assert_error(response, 401)
