"""A person's stories are in their data export and go with their account (docs/accounts.md)."""

from __future__ import annotations

import pytest

from accounts.services import account_delete, personal_data_export
from matching.services.needs import need_close
from stories import services
from stories.models import Story

pytestmark = pytest.mark.django_db


def test_the_export_holds_my_stories_and_deleting_the_account_removes_them(
    scene, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        need_close(need=scene.need, actor=scene.admin)
    story = Story.objects.get(person=scene.candidate_person)
    services.story_answer(
        story=story,
        actor=scene.candidate,
        data={"what_worked": "Samen koken.", "obstacles": ["trust"], "consent": True},
        submit=True,
    )
    services.story_review(story=story, actor=scene.admin, approve=True)
    exported = personal_data_export(user=scene.candidate)["stories"]
    assert exported[0]["what_worked"] == "Samen koken." and exported[0]["obstacles"] == ["trust"]

    initiative = Story.objects.get(pk=story.pk).initiative
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=scene.candidate)
    assert not Story.objects.filter(pk=story.pk).exists()
    initiative.refresh_from_db()
    # What was merged, without a name, stays in the knowledge bank.
    assert "Samen koken." in initiative.results
    assert "Karim" not in initiative.results

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=scene.admin)
    assert not Story.objects.filter(reviewed_by_id=scene.admin.pk).exists()
