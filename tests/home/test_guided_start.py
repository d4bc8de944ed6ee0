"""The guided start: what brings you here sets your roles, the profile parts that matter,
"Later" keeps what was typed, the home reminds you until you finish or dismiss it."""

from __future__ import annotations

import pytest
from django.test import Client

from home.models import GuidedStart
from network import events
from network.models import Person
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    user = UserFactory(name="Sanne de Graaf")
    client = Client()
    client.force_login(user)
    return user, client


def _roles(user) -> set[str]:
    return set(Person.objects.get(user=user).roles.values_list("slug", flat=True))


def test_the_start_is_for_signed_in_people_only(client):
    response = client.get("/start/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_first_step_welcomes_and_asks_what_brings_you_here(newcomer):
    _user, client = newcomer
    response = client.get("/start/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/start/purpose/"
    assert "Welkom bij Bruggen" in page
    assert "Stap 1</p>" in page
    for label in [
        "Ik heb een project, of ik begin er een",
        "Ik wil vrijwilligerswerk doen",
        "Ik ben een sleutelfiguur in mijn gemeenschap",
        "Ik kan anderen begeleiden",
        "Ik werk bij een gemeente of een fonds",
    ]:
        assert label in page
    assert "Later" in page


def test_the_answer_sets_the_roles_and_publishes_the_profile_change(
    newcomer, django_capture_on_commit_callbacks
):
    user, client = newcomer
    heard = []
    events.profile_changed_subscribe(lambda kind, pk: heard.append(kind))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/start/purpose/", {"purposes": ["volunteer", "mentor"], "action": "next"}
            )
    finally:
        events._listeners.pop()
    assert response.url == "/start/profile/"
    assert _roles(user) == {"volunteer", "mentor"}
    assert "person" in heard
    client.post("/start/purpose/", {"purposes": ["key_figure"], "action": "next"})
    assert _roles(user) == {"key_figure"}


def test_the_volunteer_step_asks_place_subjects_languages_and_hours_only(newcomer):
    _user, client = newcomer
    client.post("/start/purpose/", {"purposes": ["volunteer"], "action": "next"})
    page = client.get("/start/profile/").content.decode()
    for name in ["municipality", "themes", "languages", "hours_per_week"]:
        assert f'name="{name}"' in page
    for name in ["mentor_capacity", "target_groups", "bio", "visibility"]:
        assert f'name="{name}"' not in page


def test_a_key_figure_is_not_asked_about_communities_or_background(newcomer):
    _user, client = newcomer
    client.post("/start/purpose/", {"purposes": ["key_figure"], "action": "next"})
    page = client.get("/start/profile/").content.decode()
    assert 'name="languages"' in page
    assert 'name="target_groups"' not in page
    assert "vraagt niet naar je afkomst" in page


def test_a_mentor_is_asked_for_capacity(newcomer):
    user, client = newcomer
    client.post("/start/purpose/", {"purposes": ["mentor"], "action": "next"})
    response = client.post(
        "/start/profile/", {"mentor_capacity": "2", "themes": ["mentoring"], "action": "next"}
    )
    assert response.url == "/start/next/"
    person = Person.objects.get(user=user)
    assert person.mentor_capacity == 2
    assert list(person.themes.values_list("slug", flat=True)) == ["mentoring"]


def test_the_profile_step_saves_and_moves_on(newcomer):
    user, client = newcomer
    client.post("/start/purpose/", {"purposes": ["volunteer"], "action": "next"})
    response = client.post(
        "/start/profile/",
        {
            "municipality": "amersfoort",
            "themes": ["food", "language"],
            "languages": ["nl", "so"],
            "hours_per_week": "4",
            "action": "next",
        },
    )
    assert response.url == "/start/next/"
    person = Person.objects.get(user=user)
    assert person.municipality.name == "Amersfoort"
    assert person.hours_per_week == 4
    assert set(person.languages.values_list("slug", flat=True)) == {"nl", "so"}


def test_later_keeps_a_half_filled_step_and_resumes_there(newcomer):
    user, client = newcomer
    client.post("/start/purpose/", {"purposes": ["volunteer"], "action": "next"})
    response = client.post(
        "/start/profile/", {"themes": ["food"], "hours_per_week": "200", "action": "later"}
    )
    assert response.url == "/"
    person = Person.objects.get(user=user)
    assert list(person.themes.values_list("slug", flat=True)) == ["food"]  # the valid part
    assert person.hours_per_week is None
    assert "Maak je start af" in client.get("/").content.decode()
    resumed = client.get("/start/", follow=True)
    assert resumed.redirect_chain[-1][0] == "/start/profile/"
    page = resumed.content.decode()
    assert 'value="200"' in page  # what was typed, shown again with what is wrong
    assert resumed.status_code == 200
    assert "80" in page.split('id="id_hours_per_week_errors"')[1][:300]


def test_leaving_a_step_without_saving_still_resumes_at_that_step(newcomer):
    _user, client = newcomer
    client.post("/start/purpose/", {"purposes": ["project"], "action": "next"})
    client.get("/start/profile/")
    client.post("/start/profile/", {"action": "next"})
    assert client.get("/start/").url == "/start/organisation/"


def test_organisation_step_only_for_projects_and_funders(newcomer):
    _user, client = newcomer
    client.post("/start/purpose/", {"purposes": ["funder"], "action": "next"})
    assert GuidedStart.objects.get().steps() == ["purpose", "organisation", "next"]
    page = client.get("/start/organisation/").content.decode()
    assert "Zet je organisatie op Bruggen" in page
    client.post("/start/purpose/", {"purposes": ["volunteer"], "action": "next"})
    assert client.get("/start/organisation/").url == "/start/profile/"


def test_finishing_the_start_stops_the_reminder(newcomer):
    _user, client = newcomer
    client.post("/start/purpose/", {"purposes": ["volunteer"], "action": "next"})
    client.post("/start/profile/", {"action": "next"})
    response = client.post("/start/next/", {"action": "next"})
    assert response.url == "/"
    assert GuidedStart.objects.get().finished_at is not None
    page = client.get("/").content.decode()
    assert "Maak je start af" not in page
    assert "Doe de start opnieuw" in page


def test_dismissing_the_start_stops_the_reminder_and_it_can_be_reopened(newcomer):
    _user, client = newcomer
    assert "Maak je start af" in client.get("/").content.decode()
    client.post("/start/dismiss/")
    assert "Maak je start af" not in client.get("/").content.decode()
    assert client.get("/start/").url == "/start/purpose/"


def test_nothing_forces_the_start(newcomer):
    _user, client = newcomer
    for path in ["/", "/needs/", "/initiatives/", "/profile/", "/accounts/profile/"]:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    "data",
    [
        {"purposes": ["astronaut"], "action": "next"},
        {"action": "next"},
        {"purposes": ["x" * 5000], "action": "next"},
    ],
)
def test_bad_answers_get_a_message_not_an_error(newcomer, data):
    user, client = newcomer
    response = client.post("/start/purpose/", data)
    assert response.status_code == 400
    assert "utrecht-form-field-error-message" in response.content.decode()
    assert not Person.objects.filter(user=user, roles__isnull=False).exists()


def test_unknown_steps_are_not_found(newcomer):
    _user, client = newcomer
    assert client.get("/start/nergens/").status_code == 404


def test_roles_the_start_does_not_ask_about_are_kept(newcomer):
    user, client = newcomer
    PersonFactory(user=user, roles=["project_leader"])
    client.post("/start/purpose/", {"purposes": ["volunteer"], "action": "next"})
    # project_leader is what "I run a project" stands for: the answer decides it.
    assert _roles(user) == {"volunteer"}


def test_a_draft_keeps_short_text_only(newcomer):
    _user, client = newcomer
    client.post("/start/purpose/", {"purposes": ["volunteer"], "action": "next"})
    data = {f"veld{i}": "x" * 5000 for i in range(500)}
    data.update({"hours_per_week": "200", "action": "later"})
    client.post("/start/profile/", data)
    draft = GuidedStart.objects.get().draft["data"]
    assert sum(len(values) for values in draft.values()) <= 200
    assert max(len(value) for values in draft.values() for value in values) <= 1000


def test_dismissing_needs_a_post(newcomer):
    _user, client = newcomer
    assert client.get("/start/dismiss/").status_code == 405
    assert GuidedStart.objects.filter(dismissed_at__isnull=False).count() == 0


def test_what_is_typed_is_kept_as_it_is_typed_and_shown_on_return(newcomer):
    user, client = newcomer
    client.post("/start/purpose/", {"purposes": ["volunteer"], "action": "next"})
    response = client.post("/start/profile/draft/", {"hours_per_week": "7", "themes": ["food"]})
    assert response.status_code == 204
    assert Person.objects.get(user=user).hours_per_week is None  # not saved yet
    client.get("/needs/")  # leaves any way it likes
    page = client.get("/start/", follow=True).content.decode()
    assert 'value="7"' in page
    assert 'value="food" class="utrecht-checkbox utrecht-checkbox--html-input' in page
    assert page.split('value="food"')[1].split(">")[0].count("checked") == 1


def test_the_draft_endpoint_refuses_what_it_should(newcomer, client):
    _user, signed_in = newcomer
    assert signed_in.get("/start/profile/draft/").status_code == 405
    assert signed_in.post("/start/nergens/draft/", {"a": "b"}).status_code == 404
    assert client.post("/start/profile/draft/", {"a": "b"}).status_code == 302


def test_the_export_holds_the_start_and_deleting_the_account_removes_it(newcomer):
    import json

    from accounts.services import account_delete

    newcomer, client = newcomer
    client.post("/start/purpose/", {"purposes": ["volunteer"], "later": "1"})
    start = GuidedStart.objects.get(user=newcomer)
    data = json.loads(client.get("/accounts/export/").content)
    assert data["guided_start"]["purposes"] == start.purposes
    assert data["guided_start"]["step"] == start.step
    account_delete(user=newcomer)
    assert not GuidedStart.objects.filter(pk=start.pk).exists()
