"""Choosing a person (or an organisation) by name, never by ref: one form field for every
page that asks "who?" (matching's "Someone missing?", starting a conversation, adding a
member to a group). See docs/network.md, "Choosing someone by name".

With JavaScript the name box offers suggestions as you type (htmx, `network:name_suggest`)
and picking one fills a hidden ref (static/js/person-picker.js). Without it, or when the
hidden ref is empty, the server looks the typed name up with the same forgiving name search
over the people the viewer may see (`people_and_organisations_suggest`, so the one
visibility rule): one match is taken; several come back as "Which one do you mean?" with a
radio button each; none gives "No one found with that name." A submitted ref is looked up
through the same rule and never trusted, so a hidden person, a forged ref and a name nobody
has all get the very same answer.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from network.models import Organisation, Person
from network.search import fold
from network.selectors import (
    SUGGEST_KINDS,
    NameSuggestion,
    organisation_find,
    people_and_organisations_suggest,
    person_visible_to,
)

MAX_NAME_LENGTH = 200
AMBIGUOUS_CHOICES = 8


class PersonPickerWidget(forms.Widget):
    """A name box, a hidden ref filled by the script, a suggestion list for the script, and,
    after an ambiguous name, radio buttons to say which one. The submitted value is a dict
    of the name typed, the hidden ref and the radio choice."""

    template_name = "network/_person_picker.html"

    class Media:
        js = ["js/person-picker.js"]

    def __init__(self, *, kinds: tuple[str, ...] = ("person",), attrs=None) -> None:
        super().__init__(attrs)
        self.kinds = kinds
        self.choices: list[NameSuggestion] = []
        # After a refusal the page does not echo the ref back: a hidden person's ref and one
        # nobody has must come back as the same page.
        self.refused = False

    def value_from_datadict(self, data, files, name) -> dict[str, str]:
        return {
            "text": str(data.get(name, ""))[:MAX_NAME_LENGTH],
            "ref": str(data.get(f"{name}_ref", ""))[:80],
            "choice": str(data.get(f"{name}_choice", ""))[:80],
        }

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and f"{name}_ref" not in data and f"{name}_choice" not in data

    def get_context(self, name, value, attrs) -> dict:
        context = super().get_context(name, None, attrs)
        if isinstance(value, Person | Organisation):
            value = {"text": value.name, "ref": value.ref}
        value = value if isinstance(value, dict) else {}
        context["widget"].update(
            {
                "text": value.get("text", ""),
                "ref": "" if self.refused else value.get("ref", ""),
                "choices": self.choices,
                "kinds": ",".join(self.kinds),
                "suggest_url": reverse("network:name_suggest"),
            }
        )
        return context


class PersonPickerField(forms.Field):
    """A person (or organisation, with `kinds`) the form's viewer may see, chosen by name.
    `cleaned_data` holds the Person or Organisation, or None when optional and empty. The
    form must call `pickers_bind(form, viewer=...)` so the field knows who is asking."""

    default_error_messages = {
        "required": _("Type a name."),
        "not_found": _("No one found with that name."),
        "ambiguous": _("More than one found with that name."),
    }

    def __init__(self, *, kinds: tuple[str, ...] = ("person",), **kwargs) -> None:
        self.kinds = tuple(k for k in kinds if k in SUGGEST_KINDS)
        self.viewer = None
        kwargs.setdefault("widget", PersonPickerWidget(kinds=self.kinds))
        super().__init__(**kwargs)

    def clean(self, value) -> Person | Organisation | None:
        try:
            return self._resolve(value)
        except forms.ValidationError:
            self.widget.refused = True
            raise

    def _resolve(self, value) -> Person | Organisation | None:
        value = value if isinstance(value, dict) else {}
        text = (value.get("text") or "").strip()
        ref = (value.get("choice") or value.get("ref") or "").strip().lower()
        if not text and not ref:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        if self.viewer is None:
            raise RuntimeError("PersonPickerField needs pickers_bind(form, viewer=...)")
        found = self._by_ref(ref) if ref else self._by_name(text)
        if found is None:
            raise forms.ValidationError(self.error_messages["not_found"], code="not_found")
        return found

    def _by_ref(self, ref: str) -> Person | Organisation | None:
        return _by_ref(viewer=self.viewer, ref=ref, kinds=self.kinds)

    def _by_name(self, text: str) -> Person | Organisation | None:
        found, choices = name_resolve(viewer=self.viewer, text=text, kinds=self.kinds)
        if choices:
            self.widget.choices = choices
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous")
        return found


def _by_ref(*, viewer, ref: str, kinds: tuple[str, ...]) -> Person | Organisation | None:
    person = person_visible_to(viewer=viewer, ref=ref) if "person" in kinds else None
    if person is not None:
        return person
    return organisation_find(ref=ref) if "organisation" in kinds else None


def name_resolve(
    *, viewer, text: str, kinds: tuple[str, ...]
) -> tuple[Person | Organisation | None, list[NameSuggestion]]:
    """The one person or organisation `text` names among what `viewer` may see, or, when
    several fit, None and the candidates to choose from (None and [] when nobody fits)."""
    suggestions = people_and_organisations_suggest(
        viewer=viewer, text=text, limit=AMBIGUOUS_CHOICES, kinds=kinds
    )
    if not suggestions:
        return None, []
    # The whole name as typed, held by exactly one, wins over names it is a prefix of
    # ("Anna de Vries" over "Anna de Vries-Jansen"); otherwise only a single match does.
    exact = [s for s in suggestions if fold(s.name) == fold(text)]
    if len(suggestions) == 1 or len(exact) == 1:
        chosen = exact[0] if len(exact) == 1 else suggestions[0]
        return _by_ref(viewer=viewer, ref=chosen.ref, kinds=kinds), []
    return None, suggestions


class OrganisationNamesField(forms.Field):
    """Several organisations by name, one per line (an initiative's partners). Each line is
    looked up like the picker's name box; a line that fits several gets them listed so the
    editor can write the name more fully. `cleaned_data` is a list of Organisations."""

    widget = forms.Textarea(attrs={"rows": 3})
    MAX_LINES = 50

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        self.viewer = None
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        items = list(value)
        if items and all(isinstance(item, int) for item in items):
            items = list(Organisation.objects.filter(pk__in=items).order_by("name"))
        return "\n".join(item.name if hasattr(item, "name") else str(item) for item in items)

    def to_python(self, value) -> list[Organisation]:
        lines = [line.strip() for line in str(value or "").splitlines() if line.strip()]
        if len(lines) > self.MAX_LINES:
            raise forms.ValidationError(_("At most 50 at once."))
        found: dict[int, Organisation] = {}
        errors = []
        for line in lines:
            organisation, choices = name_resolve(
                viewer=self.viewer, text=line[:MAX_NAME_LENGTH], kinds=("organisation",)
            )
            if organisation is not None:
                found.setdefault(organisation.pk, organisation)
            elif choices:
                errors.append(
                    forms.ValidationError(
                        _("“%(name)s” fits more than one: %(choices)s. Write the name in full."),
                        params={
                            "name": line,
                            "choices": "; ".join(
                                f"{c.name} ({c.detail})" if c.detail else c.name for c in choices
                            ),
                        },
                    )
                )
            else:
                errors.append(
                    forms.ValidationError(
                        _("No organisation found with the name “%(name)s”."),
                        params={"name": line},
                    )
                )
        if errors:
            raise forms.ValidationError(errors)
        return list(found.values())


def pickers_bind(form: forms.Form, *, viewer) -> None:
    """Tell every picker of `form` who is asking: names resolve among what they may see."""
    for field in form.fields.values():
        if isinstance(field, PersonPickerField | OrganisationNamesField):
            field.viewer = viewer
