"""The knowledge bank's rendered fragments (docs/network.md, Speed; network.search
.fragments_cached): the filter form and the results list come from the cache exactly as
they would be rendered, are the same for every viewer, and every write that changes what
they show makes them stale at once."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils.html import escape

from network import search
from network.models import Initiative, Membership, Municipality, Theme
from network.services import initiatives as initiative_services
from network.services import organisations as organisation_services
from network.services.imports import network_import
from tests.factories import InitiativeFactory, OrganisationFactory, UserFactory, member_user

pytestmark = pytest.mark.django_db

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
HTMX = {"HTTP_HX_REQUEST": "true"}
# What differs between two responses of the same page by design: the CSRF token in the
# page's htmx headers and forms, and the CSP nonce.
_PER_RESPONSE = re.compile(r'("X-CSRFToken": "|nonce="|csrfmiddlewaretoken" value=")[^"]*')


def _body(client: Client, path: str, **headers) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200, path
    return _PER_RESPONSE.sub(lambda m: m.group(1), response.content.decode())


def _results(body: str) -> str:
    start = body.index('<section id="results"')
    return body[start : body.index("</section>", start)]


def _filters(body: str) -> str:
    start = body.index('<aside class="bruggen-directory__filters"')
    return body[start : body.index("</aside>", start)]


@pytest.fixture
def scene():
    organisation = OrganisationFactory(name="Stichting Water")
    admin = member_user(organisation, role=Membership.Role.ADMIN, name="Anna Beheer")
    themes = list(Theme.objects.values_list("slug", flat=True)[:3])
    amersfoort = Municipality.objects.exclude(slug="utrecht").first()
    for n in range(25):  # more than a page
        InitiativeFactory(
            title=f"Zwemles {n}",
            organisation=organisation,
            themes=[themes[n % 3]],
            status=Initiative.Status.RUNNING if n % 2 else Initiative.Status.IDEA,
            **({"municipality": amersfoort} if n % 5 == 0 else {}),
        )
    InitiativeFactory(title="Taalcafé voor nieuwkomers", themes=[themes[1]])
    return {"organisation": organisation, "admin": admin, "themes": themes, "place": amersfoort}


def _query_mix(scene) -> list[str]:
    """Every kind of query of benchmarks/network_search.py's mix: words, a name, filters
    alone and combined, a second page, the other sort, and bad values."""
    first, second, third = scene["themes"]
    place = scene["place"].slug
    return [
        "",
        "q=zwemles",
        "q=zwemles+water",
        "q=Stichting+Water",
        "q=taalcaf%C3%A9",
        "q=zwemles&page=2",
        "q=zwemles&sort=recent",
        "q=zwemles&sort=recent&page=2",
        f"theme={first}",
        f"theme={first}&theme={second}",
        f"q=zwemles&theme={third}&status=running",
        f"municipality={place}",
        f"municipality={place}&status=idea&theme={first}",
        "status=running&page=2",
        "page=2",
        "page=abc",
        "page=999",
        "theme=no-such-theme",
        "q=%00%01",
        "q=niets+gevonden+xyz",
        "q=zwemles&q=taal",
    ]


def test_the_cached_fragments_are_what_rendering_gives(scene):
    # One rule, one place: the fast path (the cache) beside the normal one (rendering) gives
    # the same page and the same htmx partial for every case of the query mix, on a miss
    # and on a hit.
    client = Client()
    paths = [f"/initiatives/?{query}" for query in _query_mix(scene)]
    with override_settings(CACHES=NO_CACHE):
        assert search._generation() is None
        rendered = {
            (path, htmx): _body(client, path, **(HTMX if htmx else {}))
            for path in paths
            for htmx in (False, True)
        }
    cache.clear()
    for (path, htmx), expected in rendered.items():
        headers = HTMX if htmx else {}
        assert _body(client, path, **headers) == expected, (path, htmx)  # miss, then kept
        assert _body(client, path, **headers) == expected, (path, htmx)  # hit


def test_a_hit_runs_no_search(scene, django_assert_max_num_queries):
    client = Client()
    client.get("/initiatives/?q=zwemles&page=2")
    client.get("/initiatives/?q=zwemles&page=2", **HTMX)
    # An anonymous reader's page: the session is not even read. Nothing of search runs.
    with django_assert_max_num_queries(0):
        assert "Zwemles" in _body(client, "/initiatives/?q=zwemles&page=2")
        assert "Zwemles" in _body(client, "/initiatives/?q=zwemles&page=2", **HTMX)


def test_every_viewer_gets_the_same_fragments_and_their_own_page(scene):
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True, name="Sam Staf"))
    member = Client()
    member.force_login(scene["admin"])
    anonymous = Client()
    path = "/initiatives/?q=zwemles"
    # The staff member fills the cache; the others are served from it.
    pages = {name: _body(c, path) for name, c in [("staff", staff), ("member", member)]}
    pages["anonymous"] = _body(anonymous, path)
    assert len({_results(body) for body in pages.values()}) == 1
    assert len({_filters(body) for body in pages.values()}) == 1
    # The page around them is each viewer's own.
    assert "Sam Staf" in pages["staff"]
    assert "Sam Staf" not in pages["anonymous"] + pages["member"]
    assert "Anna Beheer" in pages["member"]
    assert "Anna Beheer" not in pages["anonymous"]
    # And the other way round: what a signed-in viewer is served was rendered for nobody.
    cache.clear()
    first = _body(anonymous, path)
    assert _results(_body(staff, path)) == _results(first)


def test_languages_are_kept_apart(scene):
    client = Client()
    theme = Theme.objects.get(slug=scene["themes"][0])
    dutch_name, english_name = escape(theme.name_nl), escape(theme.name_en)
    path = f"/initiatives/?theme={theme.slug}"
    for _ in range(2):  # a miss, then a hit, in each language
        dutch = _body(client, path, HTTP_ACCEPT_LANGUAGE="nl")
        english = _body(client, path, HTTP_ACCEPT_LANGUAGE="en")
        assert dutch_name in _results(dutch) and english_name not in _results(dutch)
        assert english_name in _results(english) and dutch_name not in _results(english)
        assert english_name in _filters(english)


# Every write that changes what the fragments show makes them stale ------------------------


def _shows(title: str, html: str) -> bool:
    """The title whole (`Zwemles 1`, not the start of `Zwemles 10`)."""
    return re.search(re.escape(title) + r"(?!\w)", html) is not None


def _seen(client: Client, path: str) -> tuple[str, str]:
    """The results as the page shows them and as htmx fetches them (both cached)."""
    return _results(_body(client, path)), _body(client, path, **HTMX)


def test_adding_an_initiative_shows_at_once(scene):
    client = Client()
    page, partial = _seen(client, "/initiatives/?q=zwemles")
    assert "26 initiatives" not in page and "Zwemles voor vaders" not in partial
    initiative_services.initiative_create(
        organisation=scene["organisation"],
        actor=scene["admin"],
        data={"title": "Zwemles voor vaders", "themes": [scene["themes"][0]]},
    )
    page, partial = _seen(client, "/initiatives/?q=zwemles")
    assert "26" in page and "Zwemles voor vaders" in partial


def test_editing_an_initiative_shows_at_once_on_every_page(scene):
    client = Client()
    first_page = "/initiatives/?q=zwemles&sort=recent"
    last_page = "/initiatives/?q=zwemles&sort=recent&page=2"
    oldest = Initiative.objects.filter(title__startswith="Zwemles").order_by("updated_at").first()
    old_title = oldest.title
    assert _shows(old_title, _seen(client, last_page)[1])
    assert not _shows(old_title, _seen(client, first_page)[1])
    initiative_services.initiative_update(
        initiative=oldest, actor=scene["admin"], data={"title": "Zwemles in zee"}
    )
    page, partial = _seen(client, first_page)
    assert "Zwemles in zee" in page and "Zwemles in zee" in partial
    page, partial = _seen(client, last_page)
    assert not _shows(old_title, page) and not _shows(old_title, partial)


def test_deleting_an_initiative_shows_at_once(scene):
    client = Client()
    victim = Initiative.objects.get(title="Taalcafé voor nieuwkomers")
    assert "Taalcafé" in _seen(client, "/initiatives/")[1]
    initiative_services.initiative_delete(initiative=victim, actor=UserFactory(is_staff=True))
    page, partial = _seen(client, "/initiatives/")
    assert "Taalcafé" not in page and "Taalcafé" not in partial


def test_hiding_an_initiative_from_a_filter_shows_at_once(scene):
    # The knowledge bank has no hidden initiatives: what takes one out of a list is a
    # change of its filters or status, which must show in every cached list it leaves.
    client = Client()
    initiative = Initiative.objects.get(title="Zwemles 1")
    path = "/initiatives/?status=running&q=zwemles"
    assert _shows("Zwemles 1", _seen(client, path)[1])
    initiative_services.initiative_update(
        initiative=initiative, actor=scene["admin"], data={"status": Initiative.Status.FINISHED}
    )
    page, partial = _seen(client, path)
    assert not _shows("Zwemles 1", page) and not _shows("Zwemles 1", partial)


def test_an_import_shows_at_once(scene):
    client = Client()
    assert "Zwemles voor opa" not in _seen(client, "/initiatives/?q=opa")[1]
    line = json.dumps({"type": "initiative", "ref": "zwem-opa", "title": "Zwemles voor opa"})
    report = network_import(lines=[line], dry_run=False)
    assert report.written, report.errors
    page, partial = _seen(client, "/initiatives/?q=opa")
    assert "Zwemles voor opa" in page and "Zwemles voor opa" in partial


def test_renaming_the_organisation_shows_at_once(scene):
    client = Client()
    assert "Stichting Water" in _seen(client, "/initiatives/?q=zwemles")[1]
    organisation_services.organisation_update(
        organisation=scene["organisation"], actor=scene["admin"], data={"name": "Zwembad West"}
    )
    page, partial = _seen(client, "/initiatives/?q=zwemles")
    assert "Zwembad West" in page and "Zwembad West" in partial


def test_renaming_a_theme_or_a_place_in_the_admin_shows_at_once(scene):
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    reader = Client()
    theme = Theme.objects.get(slug=scene["themes"][0])
    place = scene["place"]
    path = f"/initiatives/?theme={theme.slug}"
    body = _body(reader, path)
    name = escape(theme.name_nl)
    assert name in _results(body) and name in _filters(body)
    response = staff.post(
        f"/admin/network/theme/{theme.slug}/change/",
        {
            "slug": theme.slug,
            "name_nl": "Zwemmen & spelen",
            "name_en": "Swimming",
            "position": theme.position,
        },
    )
    assert response.status_code == 302
    response = staff.post(
        f"/admin/network/municipality/{place.slug}/change/",
        {
            "slug": place.slug,
            "name": "Amersfoort-Zwembad",
            "province": place.province,
            "latitude": place.latitude,
            "longitude": place.longitude,
        },
    )
    assert response.status_code == 302
    body = _body(reader, path)
    assert "Zwemmen &amp; spelen" in _results(body) and "Zwemmen &amp; spelen" in _filters(body)
    assert "Amersfoort-Zwembad" in _results(body) and "Amersfoort-Zwembad" in _filters(body)
    assert "Zwemmen &amp; spelen" in _body(reader, path, **HTMX)


def test_a_theme_renamed_in_another_process_reaches_this_one_s_filters_and_kept_pages(scene):
    # The admin of another process renames a theme: it moves the shared search generation
    # on and forgets its own vocabularies, but this process still holds the old names
    # (network.forms._rows). Its next page may show them once; what it renders then must
    # not become the page every other reader is served, and its page after that shows the
    # new name.
    from network import forms

    reader = Client()
    theme = Theme.objects.get(slug=scene["themes"][0])
    path = "/initiatives/"
    assert escape(theme.name_nl) in _filters(_body(reader, path))
    Theme.objects.filter(pk=theme.pk).update(name_nl="Zwemmen en spelen")
    search.vocabularies_changed()  # what that admin does (network.admin), elsewhere
    stale = dict(forms._vocabularies)
    _body(reader, path)  # this process's first page after it: may show the old name
    # Another process, whose vocabularies were read after the rename, gets the new name,
    # not the page this process kept a moment ago.
    forms._vocabularies.clear()
    fresh = _body(Client(), path)
    assert "Zwemmen en spelen" in _filters(fresh)
    assert escape(theme.name_nl) not in _filters(fresh)
    # And this process reads them again on its next page, without waiting minutes.
    forms._vocabularies.clear()
    forms._vocabularies.update(stale)
    assert "Zwemmen en spelen" in _body(reader, "/initiatives/?q=zwemles", **HTMX)
    assert "Zwemmen en spelen" in _filters(_body(reader, path))
    assert "Zwemmen en spelen" in _filters(_body(Client(), f"/initiatives/?theme={theme.slug}"))


def test_a_section_that_depends_on_the_viewer_is_never_cached(scene, monkeypatch):
    # The apps' sections after the results (network.sections) are given the viewer: they
    # are rendered per request, after the shared fragment, never kept in it.
    from types import SimpleNamespace

    from network import sections

    def for_the_viewer(filters, viewer):
        name = getattr(viewer, "name", "") or "nobody"
        source = SimpleNamespace(ref="bron-test", title=f"Only for {name}")
        return sections.PageSection(
            template="sources/_linked_section.html",
            context={"links": [SimpleNamespace(source=source, relation="comes_from")]},
        )

    monkeypatch.setitem(sections._providers, "knowledge_bank", [for_the_viewer])
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, name="Sam Staf"))
    anonymous = Client()
    path = "/initiatives/?q=zwemles"
    for headers in ({}, HTMX):
        assert "Only for Sam Staf" in _body(staff, path, **headers)  # fills the cache
        body = _body(anonymous, path, **headers)
        assert "Only for nobody" in body and "Sam Staf" not in body


def test_a_hit_builds_no_search(scene, monkeypatch):
    # Building a search's queryset costs about as much as serving a cached page: on a hit
    # the view never asks for it; on a miss it does, once.
    from network import selectors, views

    calls = []
    real = selectors.initiative_search

    def counted(filters):
        calls.append(filters)
        return real(filters)

    monkeypatch.setattr(views.selectors, "initiative_search", counted)
    client = Client()
    first = _body(client, "/initiatives/?q=zwemles&page=2")
    assert len(calls) == 1
    assert _body(client, "/initiatives/?q=zwemles&page=2") == first
    assert "Zwemles" in _body(Client(), "/initiatives/?q=zwemles&page=2", **HTMX)
    assert len(calls) == 1
    search.search_results_changed()
    assert _body(client, "/initiatives/?q=zwemles&page=2") == first
    assert len(calls) == 2


def test_this_process_keeps_its_fragments_but_another_process_s_write_shows_at_once(scene):
    # A hit is served from this process's own copy of the fragments (no 40 KB out of
    # Redis); the generation is still read from the shared cache on every request, so a
    # write in another process (it moves the shared generation on; this process's copy
    # knows nothing of it) shows on the very next request here.
    client = Client()
    path = "/initiatives/?q=zwemles"
    first = _body(client, path)
    shared = [key for key in cache._cache if search.FRAGMENT_PREFIX in key]
    assert shared  # kept in the shared cache too, for the other processes
    cache.delete_many([key.split(":", 2)[2] for key in shared])
    assert _body(client, path) == first  # from this process's copy: not rendered again
    assert not [key for key in cache._cache if search.FRAGMENT_PREFIX in key]
    # Titles changed behind search's back (their search vectors still say "zwemles").
    Initiative.objects.filter(title__startswith="Zwemles").update(title="Zwemles veranderd")
    assert "Zwemles veranderd" not in _results(_body(client, path))  # nothing moved it on
    search._token_new(
        search.GENERATION_KEY
    )  # what another process's write does to the shared cache
    assert "Zwemles veranderd" in _results(_body(client, path))


def test_this_process_s_copy_is_bounded(scene, monkeypatch):
    monkeypatch.setattr(search, "_local_fragments", search._LocalFragments(size=3))
    client = Client()
    for query in ("q=zwemles", "q=water", "status=running", "page=2"):
        _body(client, f"/initiatives/?{query}")
    assert len(search._local_fragments._entries) == 3


def _rows_fetched(client: Client, path: str) -> int:
    """Queries that fetched initiatives' rows to render them (their summaries), as opposed
    to the narrow window of ids or the count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _body(client, path)
    return sum('"network_initiative"."summary"' in q["sql"] for q in captured.captured_queries)


def test_a_new_query_renders_only_the_results_never_shown(scene):
    client = Client()
    assert _rows_fetched(client, "/initiatives/?q=zwemles") == 1  # the first page's 20
    assert _rows_fetched(client, "/initiatives/?q=zwemles&page=2") == 1  # the other five
    # Other queries finding those initiatives: their pages are new, their cards are not.
    assert _rows_fetched(client, "/initiatives/?q=zwemles&status=running") == 0
    assert _rows_fetched(client, "/initiatives/?status=idea&sort=recent") == 0
    assert _rows_fetched(client, "/initiatives/?q=taalcaf%C3%A9") == 1  # never shown
    # An edit makes every card stale at once, in every query.
    initiative = Initiative.objects.filter(title="Zwemles 3").get()
    initiative_services.initiative_update(
        initiative=initiative, actor=scene["admin"], data={"title": "Zwemles drie"}
    )
    body = _body(client, "/initiatives/?q=zwemles&status=running")
    assert "Zwemles drie" in _results(body)
    assert "Zwemles 3<" not in _results(body)


def test_the_cards_are_kept_per_language(scene):
    client = Client()
    dutch = _results(_body(client, "/initiatives/?q=zwemles", HTTP_ACCEPT_LANGUAGE="nl"))
    english = _results(
        _body(client, "/initiatives/?q=zwemles&status=idea", HTTP_ACCEPT_LANGUAGE="en")
    )
    assert "Lopend" in dutch or "Idee" in dutch
    assert "Idea" in english and "Idee" not in english


# The API's list, kept whole (network.search.response_cached) ---------------------------


def _api_path(query: str) -> str:
    # The API pages with limit and offset; the page's `page=` is an unknown parameter there.
    return "/api/v1/initiatives?" + query.replace("page=2", "offset=20")


def _api_answer(client: Client, path: str) -> tuple[int, str, bytes]:
    response = client.get(path)
    return response.status_code, response["Content-Type"], response.content


def test_the_kept_api_answers_are_what_the_api_gives(scene):
    # One rule, one place: every case of the query mix, with limits and offsets and bad
    # values besides, answers byte for byte as without the cache, on a miss and on a hit.
    client = Client()
    paths = [_api_path(query) for query in _query_mix(scene)] + [
        "/api/v1/initiatives?limit=5&offset=3",
        "/api/v1/initiatives?limit=0",
        "/api/v1/initiatives?offset=-1",
        "/api/v1/initiatives?sort=nonsense",
        "/api/v1/initiatives?q=zwemles&limit=100",
    ]
    with override_settings(CACHES=NO_CACHE):
        assert search._generation() is None
        answered = {path: _api_answer(client, path) for path in paths}
    assert {status for status, _type, _content in answered.values()} >= {200, 422}
    cache.clear()
    for path, expected in answered.items():
        assert _api_answer(client, path) == expected, path  # miss, then kept
        assert _api_answer(client, path) == expected, path  # hit


def test_a_kept_api_answer_runs_no_query(scene, django_assert_max_num_queries):
    client = Client()
    first = client.get("/api/v1/initiatives?q=zwemles&offset=20").json()
    with django_assert_max_num_queries(0):
        assert client.get("/api/v1/initiatives?q=zwemles&offset=20").json() == first


def test_an_error_is_never_kept(scene):
    client = Client()
    search._local_responses.clear()
    for _ in range(2):
        assert client.get("/api/v1/initiatives?limit=0").status_code == 422
        assert client.get("/api/v1/initiatives?offset=abc").status_code == 422
    assert not search._local_responses._entries
    assert client.get("/api/v1/initiatives?limit=1").status_code == 200
    assert len(search._local_responses._entries) == 1


def test_a_token_that_is_not_valid_is_refused_even_when_the_answer_is_kept(scene):
    from accounts.services import api_token_create

    path = "/api/v1/initiatives?q=zwemles"
    anonymous = Client().get(path)
    assert anonymous.status_code == 200
    refused = Client(HTTP_AUTHORIZATION="Bearer not-a-token").get(path)
    assert refused.status_code == 401
    assert Client(HTTP_AUTHORIZATION="Basic abc").get(path).status_code == 401
    _token, secret = api_token_create(user=scene["admin"], name="lezer", scopes=("read",))
    with_token = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(path)
    assert with_token.status_code == 200
    assert with_token.content == anonymous.content  # nothing of a reader in the list


def test_every_write_shows_in_the_api_at_once(scene):
    client = Client()
    path = "/api/v1/initiatives?q=zwemles&limit=100"
    assert client.get(path).json()["count"] == 25
    initiative = Initiative.objects.get(title="Zwemles 3")
    initiative_services.initiative_update(
        initiative=initiative, actor=scene["admin"], data={"title": "Fietsles 3"}
    )
    titles = [item["title"] for item in client.get(path).json()["items"]]
    assert len(titles) == 24 and "Fietsles 3" not in titles
    organisation_services.organisation_update(
        organisation=scene["organisation"], actor=scene["admin"], data={"name": "Zwembad Oost"}
    )
    names = {item["organisation_name"] for item in client.get(path).json()["items"]}
    assert names == {"Zwembad Oost"}


# An anonymous reader's whole page, kept with a placeholder for the CSRF token ------------

_TOKENS = re.compile(r'"X-CSRFToken": "([^"]*)"|csrfmiddlewaretoken" value="([^"]*)"')


def _tokens(html: str) -> set[str]:
    return {first or second for first, second in _TOKENS.findall(html)}


def test_every_anonymous_reader_gets_the_kept_page_with_a_token_of_their_own(scene):
    path = "/initiatives/?q=zwemles&page=2"
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [first.get(path), second.get(path), first.get(path)]
    for page in pages:
        assert page.status_code == 200
        assert "csrf-" not in page.content.decode()  # the placeholder never leaves
    [first_token] = _tokens(pages[0].content.decode())
    [second_token] = _tokens(pages[1].content.decode())
    assert first_token != second_token
    assert _body(first, path) == _body(second, path)  # the same page but for the token
    # Each token is a working one, for its own reader only: switching the language.
    switch = {"language": "en", "next": path}
    assert (
        second.post("/i18n/setlang/", {**switch, "csrfmiddlewaretoken": second_token}).status_code
        == 302
    )
    refused = first.post("/i18n/setlang/", {**switch, "csrfmiddlewaretoken": second_token})
    assert refused.status_code == 403


def test_a_message_waiting_for_an_anonymous_reader_is_shown_once_and_never_kept(scene):
    path = "/initiatives/?q=zwemles"
    kept = _body(Client(), path)
    client = Client()
    client.force_login(scene["admin"])
    assert client.post("/accounts/logout/").status_code == 302  # "You have signed out."
    with_message = client.get(path).content.decode()
    assert "bruggen-messages" in with_message and "bruggen-messages" not in kept
    assert "bruggen-messages" not in client.get(path).content.decode()  # shown once
    assert "bruggen-messages" not in Client().get(path).content.decode()  # never kept


def test_a_section_with_a_form_on_a_kept_page_carries_each_reader_s_own_token(scene, monkeypatch):
    from django.template import engines

    from network import sections

    form = engines["django"].from_string('<form method="post">{% csrf_token %}</form>')

    def with_a_form(filters, viewer):
        return sections.PageSection(template=form.template)

    monkeypatch.setitem(sections._providers, "knowledge_bank", [with_a_form])
    path = "/initiatives/?q=zwemles&sort=recent"
    first, second = Client(), Client()
    first_page, second_page = (c.get(path).content.decode() for c in (first, second))
    assert "csrf-" not in first_page + second_page
    assert len(_tokens(first_page)) == len(_tokens(second_page)) == 1
    assert _tokens(first_page) != _tokens(second_page)
    assert first_page.count('name="csrfmiddlewaretoken"') == 2  # the language's, the section's
