"""Asking, answering, reviewing and merging close-out stories (docs/stories.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matching.services.needs import need_close, need_reopen
from matching.services.proposals import proposals_ask_feedback
from network.models import Initiative, SuccessFactor
from stories import services
from stories.models import Story
from stories.tasks import stories_housekeeping_task
from tests.factories import InitiativeFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "what_worked": "Samen koken met de ouders.",
    "what_did_not": "De eerste avond kwam bijna niemand.",
    "results": "Ouders kennen elkaar nu.",
    "participants_reached": 40,
    "volunteers": 6,
    "success_factors": ["activities_fit", "own_language"],
    "obstacles": ["hard_to_reach"],
    "lesson": "Vraag een sleutelfiguur mee naar de eerste avond.",
    "consent": True,
}


def _close(scene, capture):
    with capture(execute=True):
        need_close(need=scene.need, actor=scene.admin)


def _story(scene, user) -> Story:
    return Story.objects.get(person__user=user, need=scene.need)


def test_closing_a_need_asks_the_asker_and_the_matched_candidate_once_by_mail(
    scene, django_capture_on_commit_callbacks, mailoutbox
):
    _close(scene, django_capture_on_commit_callbacks)
    stories = Story.objects.filter(need=scene.need)
    assert {s.person.user for s in stories} == {scene.admin, scene.candidate}
    assert {s.trigger for s in stories} == {Story.Trigger.NEED_CLOSED}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([scene.admin.email, scene.candidate.email])
    assert "Mentor voor ouderavonden" in mailoutbox[0].subject
    assert "/stories/link/" in mailoutbox[0].body

    need_reopen(need=scene.need, actor=scene.admin)
    _close(scene, django_capture_on_commit_callbacks)
    assert Story.objects.filter(need=scene.need).count() == 2
    assert len(mailoutbox) == 2


def test_the_month_old_introduction_asks_both_sides_in_the_feedback_step(
    scene, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        assert proposals_ask_feedback() == 1
    stories = Story.objects.filter(need=scene.need)
    assert {s.person.user for s in stories} == {scene.admin, scene.candidate}
    assert {s.trigger for s in stories} == {Story.Trigger.INTRODUCTION}
    # The need closing afterwards asks nobody a second time about the same need.
    _close(scene, django_capture_on_commit_callbacks)
    assert Story.objects.filter(need=scene.need).count() == 2


def test_an_ended_initiative_asks_its_leader_once_and_old_ones_are_left_alone(
    django_capture_on_commit_callbacks, mailoutbox
):
    leader = PersonFactory(user=UserFactory())
    today = date(2026, 11, 30)
    ended = InitiativeFactory(leader=leader, ended=today - timedelta(days=1))
    InitiativeFactory(leader=leader, ended=today - timedelta(days=90))
    InitiativeFactory(leader=leader, ended=today)  # ends today: not passed yet
    with django_capture_on_commit_callbacks(execute=True):
        assert services.stories_ask_for_ended_initiatives(today=today) == 1
        assert services.stories_ask_for_ended_initiatives(today=today) == 0
    story = Story.objects.get()
    assert story.initiative == ended and story.trigger == Story.Trigger.INITIATIVE_ENDED
    assert len(mailoutbox) == 1


def test_the_beat_task_is_idempotent(scene, django_capture_on_commit_callbacks, mailoutbox):
    InitiativeFactory(leader=scene.candidate_person, ended=timezone.localdate() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        first = stories_housekeeping_task()
        second = stories_housekeeping_task()
    assert first == {"asked_for_ended": 1, "reminded": 0}
    assert second == {"asked_for_ended": 0, "reminded": 0}
    assert len(mailoutbox) == 1


def test_answers_saved_half_way_are_kept_and_sending_twice_is_refused(
    scene, django_capture_on_commit_callbacks
):
    _close(scene, django_capture_on_commit_callbacks)
    story = _story(scene, scene.candidate)
    services.story_answer(
        story=story, actor=scene.candidate, data={"what_worked": "Koken."}, submit=False
    )
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT and story.what_worked == "Koken."
    services.story_answer(
        story=story, actor=scene.candidate, data={"lesson": "Begin klein."}, submit=True
    )
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED
    assert story.what_worked == "Koken." and story.lesson == "Begin klein."
    with pytest.raises(services.StoryConflict, match=r"already sent|al verstuurd"):
        services.story_answer(story=story, actor=scene.candidate, data={}, submit=True)


def test_someone_not_involved_cannot_answer(scene, django_capture_on_commit_callbacks):
    _close(scene, django_capture_on_commit_callbacks)
    story = _story(scene, scene.candidate)
    for outsider in (scene.stranger, scene.admin):
        with pytest.raises(PermissionDenied):
            services.story_answer(story=story, actor=outsider, data=ANSWERS, submit=True)
    story.refresh_from_db()
    assert story.status == Story.Status.ASKED and story.what_worked == ""


def test_bad_answers_get_clear_errors_and_change_nothing(scene, django_capture_on_commit_callbacks):
    _close(scene, django_capture_on_commit_callbacks)
    story = _story(scene, scene.candidate)
    with pytest.raises(ValidationError) as error:
        services.story_answer(
            story=story,
            actor=scene.candidate,
            data={"volunteers": "veel", "obstacles": ["no_such_obstacle"], "lesson": "x"},
            submit=False,
        )
    assert set(error.value.message_dict) == {"volunteers", "obstacles"}
    with pytest.raises(ValidationError, match=r"at least one question|minstens één vraag"):
        services.story_answer(story=story, actor=scene.candidate, data={}, submit=True)
    story.refresh_from_db()
    assert story.status == Story.Status.ASKED and story.lesson == ""


def _submitted(scene, capture, user, answers=ANSWERS) -> Story:
    if not Story.objects.filter(need=scene.need).exists():
        _close(scene, capture)
    story = _story(scene, user)
    services.story_answer(story=story, actor=user, data=answers, submit=True)
    return story


def test_approving_a_story_for_a_need_without_initiative_creates_one_and_merges(
    scene, django_capture_on_commit_callbacks
):
    story = _submitted(scene, django_capture_on_commit_callbacks, scene.candidate)
    services.story_review(story=story, actor=scene.admin, approve=True)
    story.refresh_from_db()
    initiative = story.initiative
    assert initiative is not None and initiative.organisation == scene.organisation
    assert initiative.status == Initiative.Status.RUNNING  # the need led to a match
    assert initiative.title == "Mentor voor ouderavonden"
    assert {t.pk for t in initiative.themes.all()} == {"food"}
    scene.need.refresh_from_db()
    assert scene.need.initiative == initiative
    assert "Samen koken met de ouders." in initiative.results
    assert "40" in initiative.results and "6" in initiative.results
    assert "sleutelfiguur" in initiative.lessons
    assert "Doelgroep moeilijk te bereiken" in initiative.obstacles
    assert {f.pk for f in initiative.success_factors.all()} == {"activities_fit", "own_language"}
    # The asker's story about the same need goes to the same initiative.
    assert _story(scene, scene.admin).initiative == initiative


def test_a_second_story_is_merged_without_overwriting_the_record(
    scene, django_capture_on_commit_callbacks
):
    initiative = InitiativeFactory(
        organisation=scene.organisation,
        results="Twaalf kookavonden.",
        lessons="Plan vroeg.",
        success_factors=[SuccessFactor.objects.get(pk="network")],
    )
    scene.need.initiative = initiative
    scene.need.save()
    first = _submitted(scene, django_capture_on_commit_callbacks, scene.candidate)
    services.story_review(story=first, actor=scene.admin, approve=True)
    second = _submitted(
        scene,
        django_capture_on_commit_callbacks,
        scene.admin,
        {**ANSWERS, "what_worked": "De buurtvaders hielpen.", "success_factors": ["role_models"]},
    )
    services.story_review(story=second, actor=scene.admin, approve=True)
    initiative.refresh_from_db()
    assert initiative.results.startswith("Twaalf kookavonden.")
    assert "Samen koken met de ouders." in initiative.results
    assert "De buurtvaders hielpen." in initiative.results
    assert initiative.lessons.startswith("Plan vroeg.")
    assert initiative.lessons.count("sleutelfiguur") == 1  # the same tip is not repeated
    assert initiative.obstacles.count("Doelgroep moeilijk te bereiken") == 1
    assert {f.pk for f in initiative.success_factors.all()} == {
        "network",
        "activities_fit",
        "own_language",
        "role_models",
    }


def test_without_consent_an_approved_story_stays_with_the_organisation(
    scene, django_capture_on_commit_callbacks
):
    initiative = InitiativeFactory(organisation=scene.organisation, results="Eerder.")
    scene.need.initiative = initiative
    scene.need.save()
    story = _submitted(
        scene, django_capture_on_commit_callbacks, scene.candidate, {**ANSWERS, "consent": False}
    )
    services.story_review(story=story, actor=scene.admin, approve=True)
    story.refresh_from_db()
    initiative.refresh_from_db()
    assert story.status == Story.Status.APPROVED and not story.is_published
    assert initiative.results == "Eerder." and story.merged_at is None


def test_sending_back_needs_a_note_and_lets_the_author_answer_again(
    scene, django_capture_on_commit_callbacks, mailoutbox
):
    story = _submitted(scene, django_capture_on_commit_callbacks, scene.candidate)
    with pytest.raises(ValidationError, match=r"what to change|wat er anders moet"):
        services.story_review(story=story, actor=scene.admin, approve=False)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.story_review(
            story=story, actor=scene.admin, approve=False, note="Noem ook het aantal avonden."
        )
    story.refresh_from_db()
    assert story.status == Story.Status.SENT_BACK
    assert "Noem ook het aantal avonden." in mailoutbox[0].body
    services.story_answer(story=story, actor=scene.candidate, data={"activities": 12}, submit=True)
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED and story.activities == 12


def test_only_the_organisations_admins_and_staff_review(scene, django_capture_on_commit_callbacks):
    story = _submitted(scene, django_capture_on_commit_callbacks, scene.candidate)
    for outsider in (scene.member, scene.stranger, scene.candidate):
        with pytest.raises(PermissionDenied):
            services.story_review(story=story, actor=outsider, approve=True)
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED
    staff = UserFactory(is_staff=True)
    services.story_review(story=story, actor=staff, approve=True)
    with pytest.raises(services.StoryConflict):
        services.story_review(story=story, actor=staff, approve=True)


def test_at_most_two_reminders_a_week_apart(scene, django_capture_on_commit_callbacks, mailoutbox):
    _close(scene, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.stories_remind(now=start + timedelta(days=3)) == 0
        assert services.stories_remind(now=start + timedelta(days=8)) == 2
        assert services.stories_remind(now=start + timedelta(days=10)) == 0
        assert services.stories_remind(now=start + timedelta(days=16)) == 2
        assert services.stories_remind(now=start + timedelta(days=40)) == 0
    assert len(mailoutbox) == 4
    assert all("Herinnering" in m.subject or "Reminder" in m.subject for m in mailoutbox)
    # A sent story gets no reminder.
    assert Story.objects.filter(reminders_sent=2).count() == 2
