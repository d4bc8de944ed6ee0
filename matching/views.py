"""Pages for matching: needs, proposals with reasons, the candidate's requests, rounds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.admin import staff_area
from matching import permissions, selectors
from matching.forms import FeedbackForm, MatchingRoundForm, NeedForm, NeedSearchForm, WhyNotForm
from matching.index import index_explain, need_query
from matching.models import MatchingRound, Need, Proposal
from matching.reasons import reason_lines, reason_names, rule_explanation
from matching.services import needs as need_services
from matching.services import proposals as proposal_services
from matching.services import rounds as round_services
from network import selectors as network_selectors
from network.models import Organisation, Person
from network.pages import directory_render, form_errors_add, form_submit


def need_list(request: HttpRequest) -> HttpResponse:
    form = NeedSearchForm(request.GET or None)
    return directory_render(
        request,
        template="matching/need_list.html",
        partial="matching/_need_results.html",
        form=form,
        results=selectors.need_search(
            q=form.query,
            kinds=form.values("kind"),
            themes=form.values("theme"),
            municipalities=form.values("municipality"),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request: HttpRequest, ref: str) -> HttpResponse:
    organisation = network_selectors.organisation_get(ref)
    if not permissions.can_post_need(request.user, organisation):
        raise PermissionDenied
    return form_submit(
        request,
        NeedForm(
            request.POST or None,
            organisation=organisation,
            initial={"municipality": organisation.municipality_id, "radius_km": 25},
        ),
        save=lambda data: need_services.need_create(
            organisation=organisation, actor=request.user, data=data
        ),
        success=_("Your need is posted. These are the first proposals."),
        done=lambda need: redirect("matching:need_detail", ref=need.ref),
        template="matching/need_form.html",
        context={"organisation": organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, ref: str) -> HttpResponse:
    need = selectors.need_get(ref)
    if not permissions.can_manage_need(request.user, need):
        raise PermissionDenied
    return form_submit(
        request,
        NeedForm(request.POST or None, instance=need, organisation=need.organisation),
        save=lambda data: need_services.need_update(need=need, actor=request.user, data=data),
        success=_("Your changes are saved; the proposals are refreshed."),
        done=lambda saved: redirect("matching:need_detail", ref=saved.ref),
        template="matching/need_form.html",
        context={"organisation": need.organisation, "need": need},
    )


def need_detail(request: HttpRequest, ref: str) -> HttpResponse:
    need = selectors.need_get(ref)
    can_manage = permissions.can_manage_need(request.user, need)
    if not permissions.can_view_need(request.user, need):
        raise Http404
    context: dict = {"need": need, "can_manage": can_manage}
    if can_manage:
        if need.proposals_refreshed_at is None and need.status == Need.Status.OPEN:
            proposal_services.need_proposals_refresh(need=need)
        proposals = list(
            selectors.need_proposals(need).filter(permissions.proposal_visibility_q(request.user))
        )
        names = reason_names(proposal.reasons for proposal in proposals)
        for proposal in proposals:
            place = (
                proposal.candidate.municipality.name if proposal.candidate.municipality_id else None
            )
            proposal.reason_lines = reason_lines(proposal.reasons, municipality=place, names=names)
            proposal.past_initiatives = next(
                (
                    r["evidence"]
                    for r in proposal.reasons
                    if r.get("signal") == "track_record" and r.get("evidence")
                ),
                [],
            )
        context["proposals"] = [p for p in proposals if p.status == Proposal.Status.PROPOSED]
        context["in_progress"] = [p for p in proposals if p.status != Proposal.Status.PROPOSED]
        asked = any(key.startswith("candidate") for key in request.GET)
        context["why_form"] = WhyNotForm(request.GET if asked else None, viewer=request.user)
        if context["why_form"].is_bound and context["why_form"].is_valid():
            context["why"] = _why_not(need, context["why_form"].cleaned_data["candidate"])
    return render(request, "matching/need_detail.html", context)


def _why_not(need: Need, candidate: Person | Organisation) -> dict:
    """Why a person or organisation is not among the proposals. The candidate was chosen by
    name among what the asker may see (network.picker): a hidden profile gets the very
    answer a name nobody has gets, so the question can neither name a hidden person nor
    tell who exists."""
    kind = "person" if isinstance(candidate, Person) else "organisation"
    pk, name = candidate.pk, candidate.name
    explanation = index_explain(need_query(need, limit=10), kind, pk)
    if explanation.unknown:
        text = _("%(name)s is not in the matching index yet; try again in a minute.") % {
            "name": name
        }
    elif explanation.hard_rule:
        text = _("%(name)s %(reason)s.") % {
            "name": name,
            "reason": rule_explanation(explanation.hard_rule),
        }
    elif explanation.rank is not None and explanation.rank <= 10:
        text = _("%(name)s is proposed, at place %(rank)d.") % {
            "name": name,
            "rank": explanation.rank,
        }
    else:
        text = _(
            "%(name)s fits, but %(count)d others fit better (place %(rank)s, score %(score)s)."
        ) % {
            "name": name,
            "count": (explanation.rank or 1) - 1,
            "rank": explanation.rank,
            "score": f"{(explanation.score or 0):.2f}",
        }
    return {"text": text}


@login_required
@require_POST
def need_close(request: HttpRequest, ref: str) -> HttpResponse:
    need = selectors.need_get(ref)
    if need.status == Need.Status.OPEN:
        need_services.need_close(need=need, actor=request.user)
        messages.success(request, _("The need is closed; no more proposals are made."))
    else:
        need_services.need_reopen(need=need, actor=request.user)
        messages.success(request, _("The need is open again."))
    return redirect("matching:need_detail", ref=need.ref)


PROPOSAL_ACTIONS = {
    "accept": lambda proposal, user: proposal_services.proposal_accept(
        proposal=proposal, actor=user
    ),
    "dismiss": lambda proposal, user: proposal_services.proposal_dismiss(
        proposal=proposal, actor=user
    ),
    "yes": lambda proposal, user: proposal_services.proposal_respond(
        proposal=proposal, actor=user, accept=True
    ),
    "no": lambda proposal, user: proposal_services.proposal_respond(
        proposal=proposal, actor=user, accept=False
    ),
}
ACTION_MESSAGES = {
    "accept": lambda: _("We asked them. They have seven days to answer."),
    "dismiss": lambda: _("Dismissed; they will not be proposed again for this need."),
    "yes": lambda: _("You said yes: you are introduced to each other."),
    "no": lambda: _("You declined. Thank you for answering."),
}


@login_required
@require_POST
def proposal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    proposal = get_object_or_404(Proposal.objects.select_related("need"), pk=pk)
    if action not in PROPOSAL_ACTIONS:
        raise Http404
    try:
        PROPOSAL_ACTIONS[action](proposal, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        status = 409
    else:
        messages.success(request, ACTION_MESSAGES[action]())
        status = None
    target = request.POST.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = "/requests/" if action in ("yes", "no") else f"/needs/{proposal.need.ref}/"
    response = redirect(target)
    if status:
        response["X-Bruggen-Conflict"] = "1"
    return response


@login_required
def requests(request: HttpRequest) -> HttpResponse:
    matches = list(selectors.matches_for(request.user))
    return render(
        request,
        "matching/requests.html",
        {
            "asked": selectors.requests_for(request.user),
            "matches": matches,
            "feedback_form": FeedbackForm(),
        },
    )


@login_required
@require_POST
def proposal_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose yes, partly or no."))
        return redirect("matching:requests")
    try:
        proposal_services.proposal_feedback(
            proposal=proposal,
            actor=request.user,
            answer=form.cleaned_data["answer"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: this helps others find what works."))
    return redirect("matching:requests")


@staff_area
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponse:
    form = MatchingRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            matching_round = round_services.matching_round_run(
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                theme=form.cleaned_data["theme"],
                actor=request.user,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return redirect("matching:round_detail", pk=matching_round.pk)
    return render(
        request,
        "matching/round_list.html",
        {
            "form": form,
            "rounds": MatchingRound.objects.all()[:50],
            "feedback": selectors.feedback_summary(),
        },
        status=400 if form.errors else 200,
    )


@staff_area
@require_http_methods(["GET", "POST"])
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    matching_round = get_object_or_404(MatchingRound, pk=pk)
    if request.method == "POST":
        try:
            created = round_services.matching_round_publish(
                matching_round=matching_round, actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Published: %(count)d proposals made.") % {"count": created}
            )
        return redirect("matching:round_detail", pk=matching_round.pk)
    people = {
        p.pk: p
        for p in Person.objects.filter(
            pk__in=[a["id"] for a in matching_round.assignments if a["kind"] == "person"]
        )
    }
    organisations = {
        o.pk: o
        for o in Organisation.objects.filter(
            pk__in=[a["id"] for a in matching_round.assignments if a["kind"] == "organisation"]
        )
    }
    rows = [
        {**a, "candidate": (people if a["kind"] == "person" else organisations).get(a["id"])}
        for a in matching_round.assignments
    ]
    return render(request, "matching/round_detail.html", {"round": matching_round, "rows": rows})
