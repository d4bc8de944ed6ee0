"""Close-out stories over the API: list, read, save half-way, send, start; scopes
(docs/contracts.md §5, docs/stories.md)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.services import api_token_create
from config.api import api
from matching.services.needs import need_close
from stories.models import Story

pytestmark = pytest.mark.django_db


def _client(user, scopes=("read", "write")) -> Client:
    _token, secret = api_token_create(user=user, name="test", scopes=scopes)
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def story(scene, django_capture_on_commit_callbacks) -> Story:
    with django_capture_on_commit_callbacks(execute=True):
        need_close(need=scene.need, actor=scene.admin)
    return Story.objects.get(person=scene.candidate_person)


def test_list_read_save_and_send_my_story(scene, story):
    client = _client(scene.candidate)
    listed = client.get("/api/v1/stories").json()
    assert listed["count"] == 1
    listed = listed["items"]
    assert [item["id"] for item in listed] == [story.pk]
    assert listed[0]["need"] == scene.need.ref and listed[0]["status"] == "asked"

    saved = client.patch(
        f"/api/v1/stories/{story.pk}",
        {"what_worked": "Samen koken.", "participants_reached": 40, "obstacles": ["trust"]},
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["status"] == "draft" and saved.json()["obstacles"] == ["trust"]
    assert client.get(f"/api/v1/stories/{story.pk}").json()["participants_reached"] == 40

    sent = client.post(
        f"/api/v1/stories/{story.pk}/submit",
        {"lesson": "Begin klein.", "consent": True},
        content_type="application/json",
    )
    assert sent.status_code == 200 and sent.json()["status"] == "submitted"
    assert sent.json()["what_worked"] == "Samen koken."
    assert client.get("/api/v1/stories").json() == {"count": 0, "items": []}
    assert [s["id"] for s in client.get("/api/v1/stories?all=true").json()["items"]] == [story.pk]

    again = client.post(f"/api/v1/stories/{story.pk}/submit", {}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["detail"] in (
        "You already sent this story. Thank you!",
        "Je hebt dit verhaal al verstuurd. Dank je wel!",
    )


def test_someone_elses_story_reads_as_not_found(scene, story):
    client = _client(scene.stranger)
    assert client.get(f"/api/v1/stories/{story.pk}").status_code == 404
    response = client.patch(
        f"/api/v1/stories/{story.pk}", {"what_worked": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    story.refresh_from_db()
    assert story.what_worked == ""


def test_a_read_only_token_may_read_but_a_write_is_403_and_writes_nothing(scene, story):
    client = _client(scene.candidate, scopes=("read",))
    assert client.get("/api/v1/stories").status_code == 200
    for method, url in (
        ("patch", f"/api/v1/stories/{story.pk}"),
        ("post", f"/api/v1/stories/{story.pk}/submit"),
    ):
        response = getattr(client, method)(
            url, {"what_worked": "Stiekem."}, content_type="application/json"
        )
        assert response.status_code == 403
    response = _client(scene.admin, scopes=("read",)).post(
        "/api/v1/stories/start", {"need": scene.need.ref}, content_type="application/json"
    )
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.what_worked == "" and story.status == Story.Status.ASKED


def test_bad_answers_are_422_with_the_field(scene, story):
    client = _client(scene.candidate)
    for body in ({"volunteers": -1}, {"success_factors": ["nope"]}, {"what_worked": "a\x00b"}):
        response = client.patch(
            f"/api/v1/stories/{story.pk}", body, content_type="application/json"
        )
        assert response.status_code == 422, (body, response.content)


def test_a_member_starts_stories_for_a_need_once(scene):
    client = _client(scene.member)
    response = client.post(
        "/api/v1/stories/start", {"need": scene.need.ref}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json() == {"asked": 2}
    again = client.post(
        "/api/v1/stories/start", {"need": scene.need.ref}, content_type="application/json"
    )
    assert again.json() == {"asked": 0}
    stranger = _client(scene.stranger).post(
        "/api/v1/stories/start", {"need": scene.need.ref}, content_type="application/json"
    )
    assert stranger.status_code == 403
    unknown = client.post(
        "/api/v1/stories/start", {"need": "need-nope"}, content_type="application/json"
    )
    assert unknown.status_code == 422


def test_every_stories_operation_has_an_openapi_example():
    # As the client reads it: JSON, where status codes are strings.
    schema = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/stories")
        for method, operation in item.items()
    ]
    assert len(operations) == 5
    for path, method, operation in operations:
        ok = operation["responses"].get("200") or operation["responses"].get("201")
        assert ok["content"]["application/json"].get("example") is not None, (path, method)
        if method in ("patch", "post"):
            body = operation["requestBody"]["content"]["application/json"]
            assert body.get("example") is not None, (path, method)


def test_my_story_list_and_the_review_queue_run_a_fixed_number_of_queries(
    scene, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stories import services
    from tests.matching.factories import NeedFactory

    api_client = _client(scene.candidate)
    page_client = Client()
    page_client.force_login(scene.admin)

    def add_story():
        need = NeedFactory(organisation=scene.organisation, created_by=scene.admin.person)
        services.stories_start(actor=scene.admin, need=need)
        story = Story.objects.get(need=need, person=scene.admin.person)
        services.story_answer(
            story=story,
            actor=scene.admin,
            data={"what_worked": "Goed.", "success_factors": ["network"]},
            submit=True,
        )
        Story.objects.create(
            person=scene.candidate_person,
            subject=f"need:{need.pk}",
            trigger=Story.Trigger.NEED_CLOSED,
            need=need,
            organisation=scene.organisation,
            title=need.title,
        )

    def count(fn) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert fn().status_code == 200
        return len(queries)

    add_story()
    api_list = lambda: api_client.get("/api/v1/stories")  # noqa: E731
    queue = lambda: page_client.get("/stories/review/")  # noqa: E731
    api_list(), queue()
    one = count(api_list), count(queue)
    for _ in range(3):
        add_story()
    assert api_list().json()["count"] == 4
    assert (count(api_list), count(queue)) == one
