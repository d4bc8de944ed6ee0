"""Pages of the source library (docs/sources.md): the list with filters and search, a
source's page, the suggestion form for members and the review page for staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.admin import staff_area
from network.pages import directory_render, form_errors_add, form_submit
from sources import permissions, selectors, services
from sources.forms import SourceRejectForm, SourceSearchForm, SourceSuggestForm

MY_SUGGESTIONS_SHOWN = 20


def source_list(request: HttpRequest) -> HttpResponse:
    form = SourceSearchForm(request.GET or None)
    filters = selectors.SourceFilters(
        q=form.query,
        themes=form.values("theme"),
        target_groups=form.values("target_group"),
        success_factors=form.values("success_factor"),
        kinds=form.values("kind"),
    )
    return directory_render(
        request,
        template="sources/source_list.html",
        partial="sources/_source_results.html",
        form=form,
        results=selectors.source_search(filters),
        extra={
            "my_suggestions": selectors.sources_suggested_by(request.user)[:MY_SUGGESTIONS_SHOWN],
            "can_suggest": permissions.can_suggest_source(request.user),
        },
    )


def source_detail(request: HttpRequest, ref: str) -> HttpResponse:
    source = selectors.source_get(ref, viewer=request.user)
    links = list(source.links.all())
    return render(
        request,
        "sources/source_detail.html",
        {
            "source": source,
            "comes_from": [link for link in links if link.relation == "comes_from"],
            "informed": [link for link in links if link.relation == "informed"],
            "can_review": permissions.can_review_sources(request.user),
            "reject_form": SourceRejectForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def source_suggest(request: HttpRequest) -> HttpResponse:
    return form_submit(
        request,
        SourceSuggestForm(request.POST or None),
        save=lambda data: services.source_suggest(suggester=request.user, data=data),
        success=_("Thank you! Staff will look at your suggestion. Until then only you see it."),
        done=lambda source: redirect("sources:detail", ref=source.ref),
        template="sources/source_form.html",
        context={"per_day": services.suggestions_per_day()},
    )


@staff_area
@require_http_methods(["GET"])
def source_review(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sources/source_review.html",
        {"pending": selectors.sources_pending(), "reject_form": SourceRejectForm()},
    )


@staff_area
@require_POST
def source_approve(request: HttpRequest, ref: str) -> HttpResponse:
    source = selectors.source_for_review(ref)
    services.source_approve(source=source, actor=request.user)
    messages.success(request, _("%(title)s is approved and now public.") % {"title": source.title})
    return redirect("sources:review")


@staff_area
@require_POST
def source_reject(request: HttpRequest, ref: str) -> HttpResponse:
    source = selectors.source_for_review(ref)
    form = SourceRejectForm(request.POST)
    if form.is_valid():
        try:
            services.source_reject(
                source=source, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("%(title)s is rejected.") % {"title": source.title})
            return redirect("sources:review")
    return render(
        request,
        "sources/source_review.html",
        {
            "pending": selectors.sources_pending(),
            "reject_form": SourceRejectForm(),
            "failed": source,
            "failed_form": form,
        },
        status=400,
    )
