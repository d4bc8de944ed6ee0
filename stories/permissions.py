"""Who may answer and review close-out stories: the one place that decides (docs/stories.md).

- The author answers: the person the story was asked of, signed in, or anyone holding the
  signed link to that one story (stories.links).
- The organisation's admins review the stories about its needs and initiatives; platform
  staff review the rest (and may review all).
"""

from __future__ import annotations

from django.db.models import Q

from matching.permissions import can_manage_need
from network.models import Membership
from network.permissions import can_edit_initiative, membership_role
from stories.models import Story


def is_author(user, story: Story) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return story.person.user_id is not None and story.person.user_id == user.pk


def can_answer_story(user, story: Story, *, link_story_id: int | None = None) -> bool:
    """The author, or whoever opened the signed link to exactly this story."""
    if link_story_id is not None:
        return link_story_id == story.pk
    return is_author(user, story)


def can_review_story(user, story: Story) -> bool:
    if getattr(user, "is_staff", False):
        return True
    if story.organisation_id is None:
        return False
    return membership_role(user, story.organisation) == Membership.Role.ADMIN


def stories_reviewable_q(user) -> Q:
    """The stories `user` may review, as a filter (the review queue)."""
    if getattr(user, "is_staff", False):
        return Q()
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(
        organisation__memberships__person__user_id=user.pk,
        organisation__memberships__role=Membership.Role.ADMIN,
    )


def can_start_stories_for_need(user, need) -> bool:
    """Members of the asking organisation (and staff) may ask for stories about a need."""
    return can_manage_need(user, need)


def can_start_stories_for_initiative(user, initiative) -> bool:
    return can_edit_initiative(user, initiative)
