"""The API validates writes through the pages' own Django forms (one rule, one place).

A JSON body is turned into the data a browser would post: the record's current values
(what the form shows before anyone types), overlaid with the fields the body sends. The
form then cleans it exactly as on the pages, and the API answers its errors as 422
`{"detail": {"field": ["message", ...]}}`. What the API calls a field differently from
the form (a municipality by name, a person or fund by ref) is translated first; the
translation never decides what is allowed, only which record is meant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict


def form_data_initial(form: forms.BaseForm) -> MultiValueDict:
    """What an unchanged form would post: each field's current value as form data."""
    data = MultiValueDict()
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        _put(data, name, value)
    return data


def _put(data: MultiValueDict, name: str, value: Any) -> None:
    if value is None:
        data.pop(name, None)
    elif isinstance(value, list | tuple):
        data.setlist(name, [str(item) for item in value if item is not None])
    elif isinstance(value, bool):
        data[name] = "true" if value else "false"
    else:
        data[name] = value


Translator = Callable[[Any], Any]


def form_data_overlay(
    data: MultiValueDict,
    changes: dict[str, Any],
    *,
    translate: dict[str, Translator] | None = None,
) -> tuple[MultiValueDict, dict[str, list[str]]]:
    """`data` with the body's fields set, and the fields that could not be translated with
    why; `translate` maps an API value to the form's."""
    translate = translate or {}
    data = data.copy()
    problems: dict[str, list[str]] = {}
    for name, value in changes.items():
        if name in translate and value is not None:
            try:
                value = translate[name](value)
            except ValidationError as error:
                problems.setdefault(name, []).extend(error.messages)
                continue
        _put(data, name, value)
    return data, problems


def form_cleaned(
    form: forms.BaseForm, problems: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The form's cleaned data, or a ValidationError naming each field (the API's 422),
    together with the `problems` of the translation."""
    errors = {name: list(messages) for name, messages in (problems or {}).items()}
    if not form.is_valid():
        for name, messages in form.errors.items():
            if name not in errors:
                errors[name] = list(messages)
    if errors:
        raise ValidationError(errors)
    return form.cleaned_data


def pks_by_ref(queryset, field: str = "ref", *, label: str) -> Translator:
    """Refs (or one ref) as sent by the API to the primary keys the form chooses from,
    among `queryset` (for people: those the caller may see, so that a hidden profile reads
    as unknown)."""

    def translate(value: Any) -> Any:
        many = isinstance(value, list | tuple)
        wanted = [str(item) for item in (value if many else [value])]
        found = dict(queryset.filter(**{f"{field}__in": wanted}).values_list(field, "pk"))
        unknown = [item for item in wanted if item not in found]
        if unknown:
            raise ValidationError(f"unknown {label}: {', '.join(unknown[:10])}")
        pks = [found[item] for item in dict.fromkeys(wanted)]
        return pks if many else pks[0]

    return translate


def municipality_by_name(value: Any) -> str:
    """A municipality as the API names it (any case) to the form's slug."""
    from network.models import Municipality

    if str(value).strip() == "":
        return ""
    municipality = Municipality.objects.filter(name__iexact=str(value).strip()).first()
    if municipality is None:
        raise ValidationError(f"unknown municipality {value!r}")
    return municipality.pk


def lines(value: Iterable[Any]) -> str:
    return "\n".join(str(item) for item in value)


def comma_list(value: Iterable[Any]) -> str:
    return ", ".join(str(item) for item in value)
