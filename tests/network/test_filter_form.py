"""The directories' filter forms (templates/includes/directory_filters.html): the options
come from `DirectoryForm.filter_groups`, read from the choices at once. One rule, one
place: for every directory form, with nothing, good and bad values chosen, in both
languages, they are exactly what Django's CheckboxSelectMultiple gives its options."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import translation

from matching.forms import NeedSearchForm
from network.forms import (
    FundSearchForm,
    InitiativeSearchForm,
    OrganisationSearchForm,
    PersonSearchForm,
)
from network.models import Municipality, Theme
from sources.forms import SourceSearchForm

pytestmark = pytest.mark.django_db

FORMS = [
    InitiativeSearchForm,
    OrganisationSearchForm,
    PersonSearchForm,
    FundSearchForm,
    SourceSearchForm,
    NeedSearchForm,
]


def _queries() -> list[str | None]:
    theme, other = Theme.objects.values_list("slug", flat=True)[:2]
    place = Municipality.objects.values_list("slug", flat=True).first()
    return [
        None,
        "",
        "q=taal",
        f"theme={theme}",
        f"theme={theme}&theme={other}&municipality={place}&status=running&kind=foundation",
        "theme=no-such-theme&municipality=nergens&status=",
        f"theme={theme}&theme={theme}",
    ]


def _from_widgets(form) -> list[tuple]:
    """What the template read before: Django's own option widgets."""
    groups = []
    for field in form:
        if field.name in ("q", "sort"):
            continue
        options = tuple(
            (str(o.data["value"]), str(o.choice_label), o.id_for_label, bool(o.data["selected"]))
            for o in field
        )
        groups.append((str(field.label), field.html_name, options))
    return groups


def _from_groups(form) -> list[tuple]:
    return [
        (
            str(group.label),
            group.html_name,
            tuple((o.value, str(o.label), o.id, o.checked) for o in group.options),
        )
        for group in form.filter_groups()
    ]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__name__)
def test_the_options_are_what_django_s_widgets_give(form_class):
    for language in ("nl", "en"):
        with translation.override(language):
            for query in _queries():
                form = form_class(QueryDict(query) if query is not None else None)
                assert _from_groups(form) == _from_widgets(form), (language, query)
                assert any(group.options for group in form.filter_groups())


def test_the_count_of_a_filter_counts_only_what_is_checked(client: Client):
    theme = Theme.objects.first()
    body = client.get(f"/initiatives/?theme={theme.slug}&theme=no-such-theme").content.decode()
    assert body.count('class="bruggen-filter__count">(1)</span>') == 1
    assert body.count(" checked>") == 1
    # A value that is no option opens nothing and counts nothing.
    body = client.get("/initiatives/?theme=no-such-theme").content.decode()
    assert "bruggen-filter__count" not in body and " checked>" not in body
    assert '<details class="bruggen-filter" open>' not in body


def test_the_choices_follow_the_language():
    with translation.override("nl"):
        dutch = dict(InitiativeSearchForm().fields["theme"].choices)
    with translation.override("en"):
        english = dict(InitiativeSearchForm().fields["theme"].choices)
    theme = Theme.objects.first()
    assert dutch[theme.slug] == theme.name_nl and english[theme.slug] == theme.name_en


def test_new_words_with_the_same_filters_render_only_the_words_field(client: Client):
    theme = Theme.objects.first()
    groups = "includes/directory_filter_groups.html"

    def rendered(path: str) -> tuple[list[str], str]:
        response = client.get(path)
        body = response.content.decode()
        start = body.index('<details class="bruggen-filter"')
        return [t.name for t in response.templates], body[start : body.rindex("</details>")]

    first_templates, first = rendered(f"/initiatives/?q=taal&theme={theme.slug}")
    second_templates, second = rendered(f"/initiatives/?q=koken&theme={theme.slug}")
    assert groups in first_templates and groups not in second_templates
    assert (
        second == first
        and 'value="koken"'
        in client.get(f"/initiatives/?q=koken&theme={theme.slug}").content.decode()
    )
    # Other filters checked: rendered for them.
    third_templates, third = rendered(f"/initiatives/?q=koken&theme={theme.slug}&status=idea")
    assert groups in third_templates and third != first
