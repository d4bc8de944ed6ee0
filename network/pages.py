"""The mechanics every directory and form page shares, for network's and matching's views:
paginated, htmx-aware directories and the submit-a-form-to-a-service round trip."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property

from network.search import fragments_cached, rows_rendered_cached

PER_PAGE = 20
FILTERS_TEMPLATE = "includes/directory_filters.html"
FILTER_GROUPS_TEMPLATE = "includes/directory_filter_groups.html"
SECTIONS_TEMPLATE = "network/_page_sections.html"


class NarrowSortPaginator(Paginator):
    """Sorts ids only, then fetches the page's rows with their relations
    (network.selectors.rows_sorted_narrow); with `ids_only`, a page holds the ids alone
    (for cards kept rendered per row, `directory_render_shared`)."""

    def __init__(self, *args, ids_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ids_only = ids_only

    @cached_property
    def count(self) -> int:
        from network.selectors import rows_counted

        return rows_counted(self.object_list)

    def page(self, number):
        from network.selectors import ids_sorted_narrow, rows_sorted_narrow

        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        fetch = ids_sorted_narrow if self.ids_only else rows_sorted_narrow
        return self._get_page(fetch(self.object_list, bottom, top), number, self)


def directory_render(
    request: HttpRequest, *, template: str, partial: str, form, results, extra: dict | None = None
) -> HttpResponse:
    """A search page: the whole page, or only the results partial for htmx."""
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": NarrowSortPaginator(results, PER_PAGE).get_page(request.GET.get("page")),
        "query_string": query.urlencode(),
        "partial_template": partial,
        **(extra or {}),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, partial, context)
    return render(request, template, context)


@dataclass(frozen=True)
class FragmentRequest:
    """All of the request a shared fragment may read: its path (the filter form's "Clear
    filters" link). No user, session or token, so nothing of one viewer can end up in HTML
    that another is served."""

    path: str


def _token_placeholder() -> str:
    """What stands for the CSRF token in a page kept for every anonymous reader: the same
    in every process (the page is shared through the cache), and not guessable, so no
    text a user writes can be made to stand for it."""
    return "csrf-" + salted_hmac("bruggen.pages.token-placeholder", "page").hexdigest()[:40]


def _same_for_every_anonymous_reader(request: HttpRequest) -> bool:
    """Whether this request's whole page is the one every anonymous reader of the same
    address gets: nobody signed in, and no message waiting to be shown once."""
    return not request.user.is_authenticated and not len(messages.get_messages(request))


def directory_render_shared(
    request: HttpRequest,
    *,
    template: str,
    partial: str,
    form,
    results,
    card: str,
    sections: Callable[[], list | tuple] | list | tuple = (),
) -> HttpResponse:
    """`directory_render` for a directory that every viewer sees alike (the knowledge bank:
    initiatives are public). The filter form and the results partial are rendered without
    the request and kept in the cache per path, query string, page and language for the
    current search generation (network.search.fragments_cached); `results` is the results
    queryset or a function returning it, called only when a fragment is missing (building
    a search's queryset costs about as much as serving a cached hit). Each result is the
    `card` template rendered for its row (`row`), kept per row as well
    (network.search.rows_rendered_cached): a query nobody asked before fetches and renders
    only the rows never shown; `partial` gets them as `cards` besides `page_obj`. The page
    around them (menu, messages, tokens) and the apps' `sections` after the results
    (network.sections: they may depend on the viewer; a function returning them is called
    only when they are rendered) are rendered for each request as before.

    For an anonymous reader with no message waiting, the whole page is the same for every
    such reader of the same address, but for the CSRF token: it is kept too, per address
    and language for the current search generation, with a placeholder where the token
    goes, which is put in per request. The sections of an anonymous reader's page must
    therefore depend on nothing but the address and what moves the search generation on
    (network.sections)."""
    query = request.GET.copy()
    query.pop("page", None)
    query_string = query.urlencode()
    page = request.GET.get("page")
    only_results = bool(request.htmx and not request.htmx.boosted)
    parts = {"results": (request.path, partial, query_string, page)}
    # The filters show the vocabularies' names as this process read them.
    vocabulary = form.vocabulary_stamp()
    if not only_results:
        parts["filters"] = (
            request.path,
            FILTERS_TEMPLATE,
            query_string,
            bool(request.GET),
            vocabulary,
        )

    def render_fragments(names: list[str]) -> dict[str, str]:
        context = {
            "form": form,
            "query_string": query_string,
            "request": FragmentRequest(path=request.path),
        }
        html = {}
        if "results" in names:
            queryset = results() if callable(results) else results
            page_obj = NarrowSortPaginator(queryset, PER_PAGE, ids_only=True).get_page(page)

            def render_cards(ids: list[int]) -> dict[int, str]:
                from network.selectors import rows_by_ids

                return {
                    row.pk: render_to_string(card, {"row": row})
                    for row in rows_by_ids(queryset, ids)
                }

            cards = rows_rendered_cached(card, list(page_obj.object_list), render_cards)
            html["results"] = render_to_string(
                partial, {**context, "page_obj": page_obj, "cards": cards}
            )
        if "filters" in names:
            # The checkboxes depend only on which are checked, not on the words: kept apart,
            # so a search for new words with the same filters renders only the words' field.
            groups = fragments_cached(
                {
                    "filter-groups": (
                        request.path,
                        type(form).__name__,
                        form.chosen(),
                        vocabulary,
                    )
                },
                lambda _names: {
                    "filter-groups": render_to_string(FILTER_GROUPS_TEMPLATE, {"form": form})
                },
            )
            html["filters"] = render_to_string(
                FILTERS_TEMPLATE, {**context, "filter_groups_html": groups["filter-groups"]}
            )
        return html

    def render_around(html: dict[str, str], extra: dict | None = None) -> str:
        shown = sections() if callable(sections) else sections
        results_html = html["results"] + render_to_string(
            SECTIONS_TEMPLATE, {"sections": shown, **(extra or {})}, request
        )
        if only_results:
            return results_html
        context = {"filters_html": html["filters"], "results_html": results_html, **(extra or {})}
        return render_to_string(template, context, request)

    if not only_results and _same_for_every_anonymous_reader(request):
        placeholder = _token_placeholder()
        page = fragments_cached(
            {"page": (request.get_full_path(), template, vocabulary)},
            lambda _names: {
                "page": render_around(
                    fragments_cached(parts, render_fragments), {"csrf_token": placeholder}
                )
            },
        )["page"]
        return HttpResponse(page.replace(placeholder, get_token(request)))
    return HttpResponse(render_around(fragments_cached(parts, render_fragments)))


def form_errors_add(form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form, per field where it names one."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            for message in field_errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def form_submit(
    request: HttpRequest,
    form,
    *,
    save: Callable[[dict[str, Any]], Any],
    success: str,
    done: Callable[[Any], HttpResponse],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """GET shows the form; a valid POST calls `save` (a service) and `done` with its result;
    anything invalid shows the form again with its errors and status 400."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, success)
            return done(result)
    return render(request, template, {"form": form, **context}, status=400 if form.errors else 200)
