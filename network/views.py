"""Pages of the network: the knowledge bank, directories, registration and profiles.

Views are thin (docs/development.md, style §2): parse with a form, authorise through network.permissions,
call one service or selector, render. HTMX requests get the results partial only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from network import charts, permissions, selectors
from network.forms import (
    FundSearchForm,
    InitiativeForm,
    InitiativeSearchForm,
    InvitationForm,
    OrganisationForm,
    OrganisationSearchForm,
    PersonForm,
    PersonSearchForm,
)
from network.models import Membership, Person
from network.pages import (
    directory_render,
    directory_render_shared,
    form_errors_add,
    form_submit,
)
from network.search import name_query_usable
from network.sections import page_sections
from network.services import initiatives as initiative_services
from network.services import organisations as organisation_services
from network.services import people as people_services

# The knowledge bank ---------------------------------------------------------------------


def initiative_list(request: HttpRequest) -> HttpResponse:
    form = InitiativeSearchForm(request.GET or None)
    filters = selectors.InitiativeFilters(
        q=form.query,
        themes=form.values("theme"),
        target_groups=form.values("target_group"),
        municipalities=form.values("municipality"),
        statuses=form.values("status"),
        success_factors=form.values("success_factor"),
        sort=request.GET.get("sort") or "relevance",
    )
    return directory_render_shared(
        request,
        template="network/initiative_list.html",
        partial="network/_initiative_results.html",
        card="network/_initiative_card.html",
        form=form,
        results=lambda: selectors.initiative_search(filters),
        # The apps' sections may depend on the viewer: rendered per request, never cached.
        sections=lambda: page_sections(page="knowledge_bank", subject=filters, viewer=request.user),
    )


def initiative_detail(request: HttpRequest, ref: str) -> HttpResponse:
    initiative = selectors.initiative_get(ref)
    leader = initiative.leader
    if leader is not None and not permissions.can_view_person(request.user, leader):
        leader = None
    return render(
        request,
        "network/initiative_detail.html",
        {
            "initiative": initiative,
            "leader": leader,
            "similar": selectors.initiative_similar(initiative),
            "funding_suggestions": selectors.initiative_funding_suggestions(initiative),
            "can_edit": permissions.can_edit_initiative(request.user, initiative),
            "sections": page_sections(page="initiative", subject=initiative, viewer=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest, ref: str) -> HttpResponse:
    organisation = selectors.organisation_get(ref)
    if not permissions.can_add_initiative(request.user, organisation):
        raise PermissionDenied
    return form_submit(
        request,
        InitiativeForm(request.POST or None, organisation=organisation, viewer=request.user),
        save=lambda data: initiative_services.initiative_create(
            organisation=organisation, actor=request.user, data=data
        ),
        success=_("The initiative is in the knowledge bank."),
        done=lambda initiative: redirect("network:initiative_detail", ref=initiative.ref),
        template="network/initiative_form.html",
        context={"organisation": organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, ref: str) -> HttpResponse:
    initiative = selectors.initiative_get(ref)
    if not permissions.can_edit_initiative(request.user, initiative):
        raise PermissionDenied
    return form_submit(
        request,
        InitiativeForm(
            request.POST or None,
            instance=initiative,
            organisation=initiative.organisation,
            viewer=request.user,
        ),
        save=lambda data: initiative_services.initiative_update(
            initiative=initiative, actor=request.user, data=data
        ),
        success=_("Your changes are saved."),
        done=lambda saved: redirect("network:initiative_detail", ref=saved.ref),
        template="network/initiative_form.html",
        context={"organisation": initiative.organisation, "initiative": initiative},
    )


def knowledge_bank_overview(request: HttpRequest) -> HttpResponse:
    overview = selectors.knowledge_bank_overview()
    return render(
        request,
        "network/overview.html",
        {
            "overview": overview,
            "charts": charts.overview_charts(overview=overview),
            "sections": page_sections(page="overview", subject=request.GET, viewer=request.user),
        },
    )


def knowledge_bank_chart(request: HttpRequest, dimension: str) -> HttpResponse:
    """One of the overview's charts on its own, as an SVG file (network/charts.py)."""
    chosen = charts.dimension_get(dimension)
    rows = getattr(selectors.knowledge_bank_overview(), chosen.attribute)
    response = render(
        request,
        "network/chart.svg",
        {"chart": charts.bar_chart(dimension=chosen, rows=rows)},
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Cache-Control"] = "max-age=60"
    return response


# Organisations ---------------------------------------------------------------------------


def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationSearchForm(request.GET or None)
    filters = selectors.OrganisationFilters(
        q=form.query,
        kinds=form.values("kind"),
        themes=form.values("theme"),
        target_groups=form.values("target_group"),
        municipalities=form.values("municipality"),
    )
    return directory_render(
        request,
        template="network/organisation_list.html",
        partial="network/_organisation_results.html",
        form=form,
        results=selectors.organisation_search(filters),
    )


def organisation_detail(request: HttpRequest, ref: str) -> HttpResponse:
    organisation = selectors.organisation_get(ref)
    role = permissions.membership_role(request.user, organisation)
    return render(
        request,
        "network/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_members(organisation, viewer=request.user),
            "initiatives": organisation.initiatives.select_related("municipality").order_by(
                "-updated_at"
            ),
            "partner_in": organisation.partner_in.select_related("organisation").order_by(
                "-updated_at"
            ),
            "membership_role": role,
            "can_edit": permissions.can_edit_organisation(request.user, organisation),
            "can_add_initiative": permissions.can_add_initiative(request.user, organisation),
            "sections": page_sections(
                page="organisation", subject=organisation, viewer=request.user
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_register(request: HttpRequest) -> HttpResponse:
    return form_submit(
        request,
        OrganisationForm(request.POST or None),
        save=lambda data: organisation_services.organisation_register(
            creator=request.user, data=data
        ),
        success=_("Your organisation is registered; you are its admin."),
        done=lambda organisation: redirect("network:organisation_detail", ref=organisation.ref),
        template="network/organisation_form.html",
        context={},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, ref: str) -> HttpResponse:
    organisation = selectors.organisation_get(ref)
    if not permissions.can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    return form_submit(
        request,
        OrganisationForm(request.POST or None, instance=organisation),
        save=lambda data: organisation_services.organisation_update(
            organisation=organisation, actor=request.user, data=data
        ),
        success=_("Your changes are saved."),
        done=lambda saved: redirect("network:organisation_detail", ref=saved.ref),
        template="network/organisation_form.html",
        context={"organisation": organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_members(request: HttpRequest, ref: str) -> HttpResponse:
    organisation = selectors.organisation_get(ref)
    if not permissions.can_manage_members(request.user, organisation):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_services.membership_invite(
                organisation=organisation,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("network:organisation_members", ref=organisation.ref)
    return render(
        request,
        "network/organisation_members.html",
        {
            "organisation": organisation,
            "form": form,
            "memberships": Membership.objects.filter(organisation=organisation)
            .select_related("person", "person__user")
            .order_by("role", "person__name"),
            "invitations": organisation.invitations.filter(accepted_at__isnull=True),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def organisation_member_remove(request: HttpRequest, ref: str, person_ref: str) -> HttpResponse:
    organisation = selectors.organisation_get(ref)
    # Permission first, then only among this organisation's members: whoever may not manage
    # them can't learn from a 404 or a 403 which refs exist.
    if not permissions.can_manage_members(request.user, organisation):
        raise PermissionDenied
    person = get_object_or_404(Person, ref=person_ref, memberships__organisation=organisation)
    try:
        organisation_services.membership_remove(
            organisation=organisation, actor=request.user, person=person
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is no longer a member.") % {"name": person.name})
    return redirect("network:organisation_members", ref=organisation.ref)


@login_required
@require_POST
def organisation_leave(request: HttpRequest, ref: str) -> HttpResponse:
    organisation = selectors.organisation_get(ref)
    try:
        organisation_services.membership_leave(organisation=organisation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You have left %(name)s.") % {"name": organisation.name})
    return redirect("network:organisation_detail", ref=organisation.ref)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = organisation_services.invitation_for_token(token)
    if invitation is None:
        return render(request, "network/invitation_accept.html", {"invalid": True}, status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.path}")
        try:
            organisation_services.invitation_accept(token=token, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return render(
                request, "network/invitation_accept.html", {"invitation": invitation}, status=400
            )
        messages.success(
            request, _("Welcome to %(name)s.") % {"name": invitation.organisation.name}
        )
        return redirect("network:organisation_detail", ref=invitation.organisation.ref)
    return render(request, "network/invitation_accept.html", {"invitation": invitation})


def _login_url() -> str:
    from django.urls import reverse

    return reverse("account_login")


# People ----------------------------------------------------------------------------------


def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    filters = selectors.PersonFilters(
        q=form.query,
        roles=form.values("role"),
        themes=form.values("theme"),
        target_groups=form.values("target_group"),
        languages=form.values("language"),
        municipalities=form.values("municipality"),
    )
    return directory_render(
        request,
        template="network/person_list.html",
        partial="network/_person_results.html",
        form=form,
        results=selectors.person_search(filters, viewer=request.user),
    )


def person_detail(request: HttpRequest, ref: str) -> HttpResponse:
    person = selectors.person_get(ref, viewer=request.user)
    return render(
        request,
        "network/person_detail.html",
        {"person": person, "can_edit": permissions.can_edit_person(request.user, person)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    person = selectors.person_for_user(request.user)
    creating = person is None
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            if person is None:
                person = people_services.person_ensure_for_user(user=request.user)
            people_services.person_update(person=person, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("network:person_detail", ref=person.ref)
    return render(
        request,
        "network/profile_form.html",
        {"form": form, "person": person, "creating": creating},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_claim(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            person = people_services.person_claim(token=token, user=request.user)
        except ValidationError as error:
            return render(
                request,
                "network/person_claim.html",
                {"error": " ".join(error.messages)},
                status=400,
            )
        messages.success(request, _("This profile is now yours."))
        return redirect("network:person_detail", ref=person.ref)
    return render(request, "network/person_claim.html", {"token": token})


@never_cache
@require_GET
def name_suggest(request: HttpRequest) -> HttpResponse:
    """Options for a people-and-organisations picker (htmx): `?q=` as typed, `?kind=person`
    or `organisation` to narrow. Who may be seen is the selector's business; never cached,
    because the answer depends on who asks."""
    kinds = tuple(k for k in request.GET.getlist("kind") if k in selectors.SUGGEST_KINDS)
    text = request.GET.get("q", "")
    suggestions = selectors.people_and_organisations_suggest(
        viewer=request.user, text=text, kinds=kinds or selectors.SUGGEST_KINDS
    )
    return render(
        request,
        "network/_name_suggestions.html",
        {"suggestions": suggestions, "searched": name_query_usable(text)},
    )


# Funds -----------------------------------------------------------------------------------


def fund_list(request: HttpRequest) -> HttpResponse:
    form = FundSearchForm(request.GET or None)
    return directory_render(
        request,
        template="network/fund_list.html",
        partial="network/_fund_results.html",
        form=form,
        results=selectors.fund_search(q=form.query, themes=form.values("theme")),
    )


def fund_detail(request: HttpRequest, ref: str) -> HttpResponse:
    fund = selectors.fund_get(ref)
    return render(
        request,
        "network/fund_detail.html",
        {
            "fund": fund,
            "initiatives": fund.initiatives.select_related("organisation").order_by("-updated_at"),
        },
    )
