"""The mechanics every directory and form page shares, for network's and matching's views:
paginated, htmx-aware directories and the submit-a-form-to-a-service round trip."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property

PER_PAGE = 20


class NarrowSortPaginator(Paginator):
    """Sorts ids only, then fetches the page's rows with their relations
    (network.selectors.rows_sorted_narrow)."""

    @cached_property
    def count(self) -> int:
        from network.selectors import rows_counted

        return rows_counted(self.object_list)

    def page(self, number):
        from network.selectors import rows_sorted_narrow

        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows_sorted_narrow(self.object_list, bottom, top), number, self)


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
