from __future__ import annotations

from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from network.events import profile_changed
from network.models import Person
from network.permissions import can_edit_person
from network.search import search_vectors_refresh
from network.services.records import record_fields_check, record_write
from network.services.refs import ref_generate, ref_retire

CLAIM_SALT = "network.person.claim"
CLAIM_MAX_AGE = 60 * 60 * 24 * 14  # two weeks

# What a person writes about themselves (network.services.records); staff may also set the
# address a claim link goes to and the account a profile belongs to (the admin).
PERSON_FIELDS = (
    "name",
    "municipality",
    "roles",
    "languages",
    "themes",
    "target_groups",
    "skills",
    "bio",
    "looking_for",
    "hours_per_week",
    "mentor_capacity",
    "visibility",
    "open_to_matching",
)
PERSON_STAFF_FIELDS = frozenset({"email", "user"})
PERSON_M2M = ("roles", "languages", "themes", "target_groups")


def _apply(person: Person, data: dict[str, Any]) -> Person:
    record_write(person, data, relations=PERSON_M2M)
    search_vectors_refresh(Person, [person.pk])
    profile_changed("person", person.pk)
    return person


@transaction.atomic
def person_ensure_for_user(*, user) -> Person:
    """The user's profile, made on first need with their name and nothing else public."""
    person = Person.objects.filter(user=user).first()
    if person is not None:
        return person
    person = Person(ref=ref_generate("p"), user=user, visibility=Person.Visibility.MEMBERS)
    return _apply(person, {"name": user.name or user.email.split("@")[0]})


@transaction.atomic
def person_create(*, actor, data: dict[str, Any]) -> Person:
    """Staff add a profile (the admin), for example of a key figure without an account."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff can add a profile this way."))
    data = record_fields_check(
        data,
        writable=PERSON_FIELDS,
        staff_only=PERSON_STAFF_FIELDS,
        actor=actor,
        entity="person",
    )
    return _apply(Person(ref=ref_generate("p")), data)


@transaction.atomic
def person_update(*, person: Person, actor, data: dict[str, Any]) -> Person:
    """Set a profile's fields from `data` (a form's cleaned_data); lists replace."""
    if not can_edit_person(actor, person):
        raise PermissionDenied(_("Only the person themself can change their profile."))
    data = record_fields_check(
        data,
        writable=PERSON_FIELDS,
        staff_only=PERSON_STAFF_FIELDS,
        actor=actor,
        entity="person",
    )
    return _apply(person, data)


def person_claim_token(*, person: Person) -> str:
    return signing.dumps({"ref": person.ref, "email": person.email.lower()}, salt=CLAIM_SALT)


@transaction.atomic
def person_claim(*, token: str, user) -> Person:
    """Link an imported profile to the signed-in user who received the emailed link."""
    try:
        payload = signing.loads(token, salt=CLAIM_SALT, max_age=CLAIM_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ValidationError(_("This link has expired. Ask for a new one.")) from error
    except signing.BadSignature as error:
        raise ValidationError(_("This link is not valid.")) from error
    person = Person.objects.select_for_update().filter(ref=payload.get("ref")).first()
    if person is None:
        raise ValidationError(_("This profile no longer exists."))
    if person.user_id == user.pk:
        return person
    if person.user_id is not None:
        raise ValidationError(_("This profile has already been claimed."))
    if Person.objects.filter(user=user).exists():
        raise ValidationError(_("You already have a profile; a person has one profile."))
    if (payload.get("email") or "") != user.email.lower():
        raise ValidationError(
            _("Sign in with the email address the link was sent to, to claim this profile.")
        )
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    return person


@transaction.atomic
def person_erase(*, person: Person) -> None:
    """Remove a profile: memberships go with it; initiatives stay, without their leader."""
    ref_retire(ref=person.ref, kind="person")
    profile_changed("person", person.pk)
    person.delete()
