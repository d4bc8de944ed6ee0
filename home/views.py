"""Mijn Bruggen at `/` for a signed-in person, and the guided start at /start/
(docs/home.md). Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from home import selectors, services
from home.forms import ProfileStepForm, PurposeForm
from home.models import Purpose, Step
from network import selectors as network_selectors
from network.pages import form_errors_add


def home(request: HttpRequest) -> HttpResponse:
    """The public page for visitors; Mijn Bruggen for a signed-in person."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    return render(request, "home/home.html", {"home": selectors.home_for(request.user)})


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Resume the guided start where the person left it."""
    guided = services.guided_start_ensure(user=request.user)
    return redirect("home:start_step", step=guided.step if guided.is_open else Step.PURPOSE)


def _draft_for(guided, step: str) -> QueryDict | None:
    draft = guided.draft or {}
    if draft.get("step") != step or not draft.get("data"):
        return None
    data = QueryDict(mutable=True)
    for key, values in draft["data"].items():
        data.setlist(key, values)
    return data


def _form(guided, step: str, person, data):
    if step == Step.PURPOSE:
        return PurposeForm(data, initial={"purposes": guided.purposes})
    if step == Step.PROFILE:
        return ProfileStepForm(data, instance=person, purposes=guided.purposes)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def start_step(request: HttpRequest, step: str) -> HttpResponse:
    guided = services.guided_start_ensure(user=request.user)
    steps = guided.steps()
    if step not in steps:
        if step in Step.values:  # a step these purposes skip: go to the current one
            return redirect("home:start_step", step=guided.step)
        raise Http404
    person = network_selectors.person_for_user(request.user)
    later = request.method == "POST" and request.POST.get("action") == "later"
    if request.method == "POST":
        form = _form(guided, step, person, request.POST)
        if form is None:
            if later:
                services.guided_start_leave(user=request.user, step=step)
                return redirect("home")
            if step != Step.NEXT:
                guided = services.guided_start_go_to(
                    user=request.user, step=steps[steps.index(step) + 1]
                )
                return redirect("home:start_step", step=guided.step)
            services.guided_start_finish(user=request.user)
            messages.success(request, _("Your start is done. Welcome!"))
            return redirect("home")
        saved = _save(request, guided, step, form, later=later)
        if later:
            services.guided_start_leave(
                user=request.user, step=step, data=None if saved else request.POST
            )
            messages.info(request, _("Saved. You can carry on with your start later."))
            return redirect("home")
        if saved:
            guided = selectors.guided_start_for(request.user)
            return redirect("home:start_step", step=guided.step)
    else:
        if step != guided.step:
            services.guided_start_go_to(user=request.user, step=step)
        form = _form(guided, step, person, _draft_for(guided, step))
        if form is not None and form.is_bound:
            form.is_valid()  # show what was not right when the person left
    position = steps.index(step)
    return render(
        request,
        f"home/start_{step}.html",
        {
            "guided": guided,
            "form": form,
            "step": step,
            "position": position + 1,
            # Before the first answer the number of steps is not known yet.
            "total": len(steps) if guided.purposes else None,
            "previous": steps[position - 1] if position else None,
            "person": person,
            "purposes": set(guided.purposes),
            "Purpose": Purpose,
            "memberships": network_selectors.memberships_for(person)
            if step in (Step.ORGANISATION, Step.NEXT)
            else [],
            "invitations": network_selectors.invitations_open_for(request.user)
            if step == Step.ORGANISATION
            else [],
        },
        status=400 if request.method == "POST" and form is not None and form.errors else 200,
    )


def _save(request: HttpRequest, guided, step: str, form, *, later: bool) -> bool:
    """Save the step; on "Later" save what is valid and keep the rest as a draft."""
    valid = form.is_valid()
    if not valid and not later:
        return False
    try:
        if step == Step.PURPOSE:
            purposes = form.cleaned_data.get("purposes") or []
            if purposes or not later:
                services.guided_start_purposes_set(
                    user=request.user, purposes=purposes, advance=not later
                )
        elif step == Step.PROFILE:
            services.guided_start_profile_save(
                user=request.user, data=form.cleaned_data, advance=not later
            )
    except ValidationError as error:
        form_errors_add(form, error)
        return False
    return valid


@login_required
@require_POST
def start_draft(request: HttpRequest, step: str) -> HttpResponse:
    """htmx sends the step's fields here on every change (docs/home.md)."""
    if step not in Step.values:
        raise Http404
    services.guided_start_draft_save(user=request.user, step=step, data=request.POST)
    return HttpResponse(status=204)


@login_required
@require_POST
def start_dismiss(request: HttpRequest) -> HttpResponse:
    services.guided_start_dismiss(user=request.user)
    messages.info(
        request, _("The start is hidden. You can open it again at the bottom of this page.")
    )
    return redirect("home")
