from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.i18n import in_language_of
from config.after_commit import on_commit_safe
from config.mail import mail_send
from network.events import profile_changed
from network.models import Invitation, Membership, Organisation, Person
from network.permissions import can_edit_organisation, can_manage_members
from network.search import search_vectors_refresh
from network.services.people import person_ensure_for_user
from network.services.records import record_fields_check, record_write
from network.services.refs import ref_generate, ref_retire

# What the pages, the API and the admin may write (network.services.records): a key outside
# these is refused, so no caller can set a ref, a creation date or an id.
ORGANISATION_FIELDS = (
    "name",
    "kind",
    "municipality",
    "description",
    "website",
    "themes",
    "target_groups",
    "languages",
    "offers",
    "open_to_matching",
)
ORGANISATION_STAFF_FIELDS = frozenset({"verified"})
ORGANISATION_M2M = ("themes", "target_groups", "languages")
INVITATION_VALID_DAYS = 14


def _apply(organisation: Organisation, data: dict[str, Any]) -> Organisation:
    record_write(organisation, data, relations=ORGANISATION_M2M)
    search_vectors_refresh(Organisation, [organisation.pk])
    profile_changed("organisation", organisation.pk)
    return organisation


@transaction.atomic
def organisation_register(*, creator, data: dict[str, Any]) -> Organisation:
    """Register an organisation; its creator becomes its admin."""
    data = record_fields_check(data, writable=ORGANISATION_FIELDS, entity="organisation")
    organisation = _apply(Organisation(ref=ref_generate("org")), data)
    person = person_ensure_for_user(user=creator)
    Membership.objects.create(organisation=organisation, person=person, role=Membership.Role.ADMIN)
    profile_changed("person", person.pk)  # their own organisation is never proposed to them
    return organisation


@transaction.atomic
def organisation_create(*, actor, data: dict[str, Any]) -> Organisation:
    """Staff record an organisation (the admin) without becoming its member."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff can add an organisation this way."))
    data = record_fields_check(
        data,
        writable=ORGANISATION_FIELDS,
        staff_only=ORGANISATION_STAFF_FIELDS,
        actor=actor,
        entity="organisation",
    )
    return _apply(Organisation(ref=ref_generate("org")), data)


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor, data: dict[str, Any]) -> Organisation:
    if not can_edit_organisation(actor, organisation):
        raise PermissionDenied(_("Only the organisation's admins can change it."))
    data = record_fields_check(
        data,
        writable=ORGANISATION_FIELDS,
        staff_only=ORGANISATION_STAFF_FIELDS,
        actor=actor,
        entity="organisation",
    )
    return _apply(organisation, data)


@transaction.atomic
def organisation_delete(*, organisation: Organisation, actor) -> None:
    """Staff remove an organisation; its ref is retired and never reused (docs/contracts.md §1)."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff can remove an organisation."))
    member_ids = list(organisation.memberships.values_list("person_id", flat=True))
    ref_retire(ref=organisation.ref, kind="organisation")
    profile_changed("organisation", organisation.pk)  # the index drops it
    for person_id in member_ids:
        profile_changed("person", person_id)
    organisation.delete()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def membership_invite(
    *, organisation: Organisation, actor, email: str, role: str = Membership.Role.MEMBER
) -> Invitation:
    """Invite someone by email; the mail with the link goes out after commit."""
    if not can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the organisation's admins can invite people."))
    email = email.strip().lower()
    if Membership.objects.filter(
        organisation=organisation, person__user__email__iexact=email
    ).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by=Person.objects.filter(user=actor).first(),
        expires_at=timezone.now() + timedelta(days=INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    on_commit_safe(lambda: _invitation_send(invitation, token))
    return invitation


def _invitation_send(invitation: Invitation, token: str) -> None:
    link = settings.BRUGGEN_BASE_URL.rstrip("/") + reverse(
        "network:invitation_accept", args=[token]
    )
    context = {"invitation": invitation, "link": link, "days": INVITATION_VALID_DAYS}
    # The invitee's language when they have an account already, otherwise Dutch.
    with in_language_of(invitation.email):
        subject = _("Invitation to join %(organisation)s on Bruggen") % {
            "organisation": invitation.organisation.name
        }
        message = render_to_string("network/email/invitation.txt", context)
    mail_send(subject=subject, body=message, recipients=[invitation.email])


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=_token_hash(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired. Ask for a new one."))
    if invitation.email != user.email.lower():
        raise ValidationError(
            _("This invitation was sent to another email address. Sign in with that address.")
        )
    person = person_ensure_for_user(user=user)
    membership, created = Membership.objects.get_or_create(
        organisation=invitation.organisation, person=person, defaults={"role": invitation.role}
    )
    if not created and invitation.role == Membership.Role.ADMIN:
        membership.role = Membership.Role.ADMIN
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    profile_changed("person", person.pk)
    return membership


def _guard_last_admin(membership: Membership) -> None:
    if membership.role != Membership.Role.ADMIN:
        return
    admins = Membership.objects.filter(
        organisation=membership.organisation, role=Membership.Role.ADMIN
    ).count()
    if admins <= 1:
        raise ValidationError(
            _("An organisation needs at least one admin: make someone else admin first.")
        )


@transaction.atomic
def membership_remove(*, organisation: Organisation, actor, person: Person) -> None:
    if not can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the organisation's admins can remove members."))
    membership = Membership.objects.filter(organisation=organisation, person=person).first()
    if membership is None:
        raise ValidationError(_("This person is not a member."))
    _guard_last_admin(membership)
    membership.delete()
    profile_changed("person", person.pk)


@transaction.atomic
def membership_set_role(
    *, organisation: Organisation, actor, person: Person, role: str
) -> Membership:
    if not can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the organisation's admins can change roles."))
    membership = Membership.objects.filter(organisation=organisation, person=person).first()
    if membership is None:
        raise ValidationError(_("This person is not a member."))
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
    if role != Membership.Role.ADMIN:
        _guard_last_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_leave(*, organisation: Organisation, user) -> None:
    membership = Membership.objects.filter(organisation=organisation, person__user=user).first()
    if membership is None:
        raise ValidationError(_("You are not a member of this organisation."))
    _guard_last_admin(membership)
    membership.delete()
    profile_changed("person", membership.person_id)
