"""Reads for Mijn Bruggen: what waits for a person, their organisations and needs, and
suggestions, from the selectors of network, matching and messaging (docs/home.md).

`home_for` runs a fixed number of queries whatever the amount of data: every list is
cut to a few items in SQL and fetched with its relations (tests/home/test_home_queries.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accounts.models import User
from home.models import GuidedStart
from matching import selectors as matching_selectors
from messaging import selectors as messaging_selectors
from network import selectors as network_selectors
from network.models import Person
from stories import selectors as story_selectors

ITEMS = 5
# Roles whose people answer needs (a partner need is answered by an organisation).
HELPER_ROLES = frozenset({"volunteer", "key_figure", "mentor"})


@dataclass
class Home:
    person: Person | None
    start: GuidedStart | None
    requests: list = field(default_factory=list)
    needs: list = field(default_factory=list)
    unread_conversations: list = field(default_factory=list)
    unread_total: int = 0
    invitations: list = field(default_factory=list)
    stories: list = field(default_factory=list)
    stories_to_review: int = 0
    memberships: list = field(default_factory=list)
    fitting_needs: list = field(default_factory=list)
    initiatives: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    staff: dict[str, Any] | None = None
    # What the empty states need to know: may the person answer needs, have they themes.
    helps: bool = False
    has_themes: bool = False

    @property
    def needs_with_new_proposals(self) -> list:
        return [need for need in self.needs if need.proposals_new and need.status == "open"]

    @property
    def waiting_count(self) -> int:
        return (
            len(self.requests)
            + len(self.needs_with_new_proposals)
            + len(self.unread_conversations)
            + len(self.invitations)
            + len(self.stories)
            + (1 if self.stories_to_review else 0)
        )

    @property
    def start_open(self) -> bool:
        return self.start is None or self.start.is_open


def guided_start_for(user: User) -> GuidedStart | None:
    return GuidedStart.objects.filter(user=user).first()


def _profile(person: Person) -> tuple[set[str], list[str], list[str]]:
    roles = {role.slug for role in person.roles.all()}
    themes = [theme.slug for theme in person.themes.all()]
    municipalities = [person.municipality.name] if person.municipality_id else []
    return roles, themes, municipalities


def home_for(user: User) -> Home:
    person = (
        Person.objects.filter(user=user)
        .select_related("municipality")
        .prefetch_related("roles", "themes")
        .first()
    )
    home = Home(person=person, start=guided_start_for(user))
    home.requests = list(matching_selectors.requests_for(user)[:ITEMS])
    home.needs = list(matching_selectors.needs_of_member(user)[:ITEMS])
    home.invitations = list(network_selectors.invitations_open_for(user)[:ITEMS])
    home.stories = list(story_selectors.stories_open_for(user).prefetch_related(None)[:ITEMS])
    home.stories_to_review = story_selectors.stories_to_review(user).count()
    if person is not None:
        roles, themes, municipalities = _profile(person)
        home.helps = bool(roles & HELPER_ROLES)
        home.has_themes = bool(themes)
        home.memberships = list(network_selectors.memberships_for(person)[:ITEMS])
        participations = messaging_selectors.conversations_for(person)
        home.unread_conversations = list(participations.filter(unread__gt=0)[:ITEMS])
        home.unread_total = messaging_selectors.unread_total(person)
        home.fitting_needs = list(
            matching_selectors.needs_for_candidate(
                person=person, roles=roles, themes=themes, municipalities=municipalities
            )[:ITEMS]
        )
        if themes:
            home.initiatives = list(
                network_selectors.initiative_search(
                    network_selectors.InitiativeFilters(themes=tuple(themes), sort="recent")
                )
                .exclude(organisation__memberships__person=person)
                .exclude(leader=person)[:3]
            )
        joined = dict(
            participations.filter(conversation__kind="topic")
            .prefetch_related(None)
            .values_list("conversation__theme_id", "conversation_id")
        )
        home.topics = [
            {"theme": theme, "conversation_id": joined.get(theme.slug)}
            for theme in person.themes.all()
        ]
    if user.is_staff:
        home.staff = {
            "reports": messaging_selectors.reports_open().count(),
            "rounds": matching_selectors.rounds_open().count(),
            **network_selectors.network_counts(),
        }
    return home
