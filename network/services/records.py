"""How every service writes a record's fields from a `data` dict (a form's cleaned_data, an
API schema's values, an admin form): only the fields the service declares, the rest refused.

`data` is a dict of keyword arguments in all but syntax, so a key no service declares is
refused the way Python refuses an unexpected keyword argument, with a TypeError: it is a
programmer's mistake (forms and schemas choose the keys, a person can't add one), and it must
fail loudly in the tests rather than show up as a form error nobody can fix. A declared field
that only staff may set (`verified`, a profile's account) is a question of who asks: a
PermissionDenied, which the pages and the API answer with 403.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _


def record_fields_check(
    data: Mapping[str, Any],
    *,
    writable: Iterable[str],
    staff_only: Iterable[str] = (),
    actor=None,
    entity: str,
) -> dict[str, Any]:
    """A copy of `data` if every key is writable here; staff_only keys need a staff actor."""
    staff_only = frozenset(staff_only)
    allowed = frozenset(writable) | staff_only
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise TypeError(f"{entity}: not a writable field: {', '.join(unknown)}")
    reserved = sorted(set(data) & staff_only)
    if reserved and not getattr(actor, "is_staff", False):
        raise PermissionDenied(
            _("Only platform staff can change: %(fields)s.") % {"fields": ", ".join(reserved)}
        )
    return dict(data)


def record_write(
    record: models.Model, data: Mapping[str, Any], *, relations: Iterable[str]
) -> None:
    """Set fields (checked by record_fields_check), validate, save; then many-to-many
    `relations` (they need the row's id) replace their sets."""
    data = dict(data)
    related = {key: data.pop(key) for key in relations if key in data}
    for key, value in data.items():
        setattr(record, key, value)
    record.full_clean()
    record.save()
    for key, value in related.items():
        getattr(record, key).set(value)
