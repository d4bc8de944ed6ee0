from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from network.models import Person, Role
from outreach import services
from outreach.models import Invitation
from tests.factories import InitiativeFactory, PersonFactory, UserFactory


def key_figure_user(**user_kwargs):
    """A user whose profile carries the network role `key_figure`."""
    user = UserFactory(**user_kwargs)
    PersonFactory(
        user=user, name=user.name or user.email, roles=[Role.objects.get(slug="key_figure")]
    )
    return user


def invitation_make(user=None, *, initiative=None, days_ahead: int = 10, **kwargs) -> Invitation:
    user = user or key_figure_user()
    arguments = {
        "title": "Koffieochtend voor ouders",
        "place": "Buurthuis De Bron, Amersfoort",
        "language": "nl",
        **kwargs,
    }
    return services.invitation_create(
        actor=user,
        initiative=initiative or InitiativeFactory(),
        starts_at=timezone.now() + timedelta(days=days_ahead),
        **arguments,
    )


def person_of(user) -> Person:
    return Person.objects.get(user=user)
