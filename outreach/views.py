"""Pages of key figures' reach. See docs/outreach.md."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from network.pages import form_errors_add
from network.selectors import initiative_get
from outreach import selectors, services
from outreach.flyer import flyer_pdf
from outreach.forms import InvitationForm, ResponseForm
from outreach.models import FlyerLanguage, Invitation
from outreach.permissions import can_manage_invitation, can_view_reach, key_figure_of

# The session remembers which invitations this browser answered: pressing "I'm coming"
# twice counts one person once.
ANSWERED_SESSION_KEY = "outreach_answered"


def _own_invitation(request: HttpRequest, pk: int) -> Invitation:
    invitation = get_object_or_404(
        Invitation.objects.select_related("initiative__organisation", "key_figure"), pk=pk
    )
    if not can_manage_invitation(request.user, invitation):
        raise Http404  # someone else's invitation: not even whether it exists
    return invitation


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    key_figure = key_figure_of(request.user)
    if key_figure is None:
        raise PermissionDenied(_("Only key figures can invite people to an activity."))
    return render(
        request,
        "outreach/invitation_list.html",
        {"invitations": selectors.invitations_of(key_figure)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request: HttpRequest) -> HttpResponse:
    if key_figure_of(request.user) is None:
        raise PermissionDenied(_("Only key figures can invite people to an activity."))
    initial = {}
    if request.GET.get("initiative"):
        initial["initiative"] = request.GET["initiative"]
    form = InvitationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.user, **form.service_arguments())
        except ValidationError as error:
            if hasattr(error, "error_dict") and "starts_at" in error.error_dict:
                error.error_dict["date"] = error.error_dict.pop("starts_at")  # the form's field
            form_errors_add(form, error)
        else:
            messages.success(
                request, _("Your invitation is ready. Print the flyer or share the link.")
            )
            return redirect("outreach:invitation_detail", pk=invitation.pk)
    return render(
        request,
        "outreach/invitation_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _own_invitation(request, pk)
    languages = [FlyerLanguage.NL]
    if invitation.language != FlyerLanguage.NL:
        languages.append(FlyerLanguage(invitation.language))
    return render(
        request,
        "outreach/invitation_detail.html",
        {
            "invitation": invitation,
            "link": services.invitation_link(invitation),
            "responses": selectors.invitation_responses(invitation),
            "flyer_languages": languages,
        },
    )


@login_required
def invitation_flyer(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    invitation = _own_invitation(request, pk)
    if language not in {FlyerLanguage.NL, invitation.language}:
        raise Http404
    pdf = flyer_pdf(invitation, link=services.invitation_link(invitation), language=language)
    # A closed invitation's flyer says so on the page itself. It is answered 200: a browser
    # cancels a download that comes with an error status, and this one must arrive.
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="uitnodiging-{invitation.pk}-{language}.pdf"'
    )
    return response


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _own_invitation(request, pk)
    services.invitation_withdraw(actor=request.user, invitation=invitation)
    messages.success(request, _("The invitation is withdrawn. Its link and flyer now say so."))
    return redirect("outreach:invitation_detail", pk=invitation.pk)


def _client_address(request: HttpRequest) -> str:
    """The responder's address for the rate limit. Behind deploy/nginx.conf every request
    comes from nginx, which appends the address it saw to X-Forwarded-For: the last entry
    is the one no client can forge. Without the header (no proxy), the socket's address."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded.strip():
        return forwarded.rsplit(",", 1)[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "-")


@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind the flyer's QR code: no account, nothing asked that is not needed."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "outreach/respond_closed.html", {"invalid": True}, status=404)
    if not invitation.is_open:
        return render(
            request, "outreach/respond_closed.html", {"invitation": invitation}, status=410
        )
    answered = invitation.pk in request.session.get(ANSWERED_SESSION_KEY, [])
    form = ResponseForm(request.POST if request.method == "POST" else None, invitation=invitation)
    if request.method == "POST" and not answered and form.is_valid():
        try:
            services.response_record(
                invitation=invitation,
                client_key=_client_address(request),
                **form.cleaned_data,
            )
        except services.ResponseRefused as error:
            status = 410 if not invitation.is_open else 429
            return render(
                request,
                "outreach/respond.html",
                {"invitation": invitation, "form": form, "refused": error.messages[0]},
                status=status,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            request.session[ANSWERED_SESSION_KEY] = [
                *request.session.get(ANSWERED_SESSION_KEY, []),
                invitation.pk,
            ]
            return redirect("outreach:respond", token=token)
    return render(
        request,
        "outreach/respond.html",
        {"invitation": invitation, "form": form, "answered": answered},
        status=400 if form.errors else 200,
    )


@login_required
def initiative_reach(request: HttpRequest, ref: str) -> HttpResponse:
    initiative = initiative_get(ref)
    if not can_view_reach(request.user, initiative):
        raise PermissionDenied(_("Only the initiative's own people see its reach."))
    rows = selectors.initiative_reach(initiative=initiative, viewer=request.user)
    return render(
        request,
        "outreach/initiative_reach.html",
        {
            "initiative": initiative,
            "rows": rows,
            "total": sum(row.responses for row in rows),
            "by_theme": selectors.key_figures_by_theme(
                themes=initiative.themes.all(), viewer=request.user
            ),
        },
    )
