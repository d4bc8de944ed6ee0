"""The questionnaire by signed link and signed in, the refusals, the review queue and the
home's "Wacht op jou" (docs/stories.md)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client

from matching.services.needs import need_close
from stories.links import story_link_token
from stories.models import Story
from stories.permissions import can_answer_story

pytestmark = pytest.mark.django_db

NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


@pytest.fixture
def story(scene, django_capture_on_commit_callbacks) -> Story:
    with django_capture_on_commit_callbacks(execute=True):
        need_close(need=scene.need, actor=scene.admin)
    return Story.objects.get(person=scene.candidate_person)


def _post(client, url, **answers):
    data = {"action": "save", **answers}
    return client.post(url, data, **NL)


def test_the_signed_link_opens_the_questionnaire_without_signing_in(story):
    client = Client()
    url = f"/stories/link/{story_link_token(story.pk)}/"
    page = client.get(url, **NL)
    assert page.status_code == 200
    assert "Mentor voor ouderavonden" in page.content.decode()
    response = _post(client, url, what_worked="Samen koken.", volunteers="4")
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT and story.volunteers == 4
    response = client.post(url, {"action": "submit", "what_worked": "Samen koken."}, **NL)
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED
    again = client.post(url, {"action": "submit", "what_worked": "Nog eens."}, **NL)
    assert "already sent" in again.content.decode() or "al verstuurd" in again.content.decode()
    story.refresh_from_db()
    assert story.what_worked == "Samen koken."


def test_a_tampered_link_gets_a_clear_page_not_a_500(story):
    token = story_link_token(story.pk)
    for bad in (token[:-2] + "xx", f"{story.pk + 1}:" + token.split(":", 1)[1], "zomaar", "1"):
        response = Client().get(f"/stories/link/{bad}/", **NL)
        assert response.status_code == 404
        assert "Copy the whole link" in response.content.decode() or "hele link" in (
            response.content.decode()
        )


def test_an_expired_link_says_so(story):
    token = story_link_token(story.pk)
    later = __import__("time").time() + timedelta(days=31).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = Client().get(f"/stories/link/{token}/", **NL)
    assert response.status_code == 410
    assert "30" in response.content.decode()


def test_a_link_opens_only_its_own_story(scene, story):
    other = Story.objects.get(person=scene.admin.person)
    assert can_answer_story(None, other, link_story_id=story.pk) is False
    assert can_answer_story(None, story, link_story_id=story.pk) is True


def test_someone_not_involved_is_refused_with_a_message(scene, story, client):
    client.force_login(scene.stranger)
    response = client.get(f"/stories/{story.pk}/", **NL)
    assert response.status_code == 403
    response = _post(client, f"/stories/{story.pk}/", what_worked="Ik was er niet bij.")
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.what_worked == ""


def test_the_author_answers_signed_in_and_bad_numbers_lose_nothing(scene, story, client):
    client.force_login(scene.candidate)
    response = _post(client, f"/stories/{story.pk}/", what_worked="Samen koken.", volunteers="veel")
    assert response.status_code == 400
    assert "Samen koken." in response.content.decode()  # what was typed is still there
    story.refresh_from_db()
    assert story.status == Story.Status.ASKED


def test_the_home_lists_the_story_request(scene, story, client):
    client.force_login(scene.candidate)
    page = client.get("/", **NL).content.decode()
    assert 'data-testid="story-request"' in page
    assert f"/stories/{story.pk}/" in page


def test_the_review_queue_shows_submitted_stories_to_the_organisations_admin_only(
    scene, story, client
):
    story.what_worked = "Samen koken."
    story.status = Story.Status.SUBMITTED
    story.save()
    client.force_login(scene.admin)
    assert "Mentor voor ouderavonden" in client.get("/stories/review/").content.decode()
    client.force_login(scene.member)
    assert "Mentor voor ouderavonden" not in client.get("/stories/review/").content.decode()
    assert client.get(f"/stories/{story.pk}/review/").status_code == 403
    client.force_login(scene.admin)
    response = client.post(f"/stories/{story.pk}/review/", {"action": "send_back", "note": ""})
    assert response.status_code == 400
    response = client.post(f"/stories/{story.pk}/review/", {"action": "approve", "note": ""})
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED
