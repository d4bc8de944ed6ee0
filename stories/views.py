"""Pages for close-out stories: the questionnaire (signed in, or by its signed link), my
stories, the review queue. Thin: parse, authorise (stories.permissions), call a service
(docs/stories.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from network.pages import form_errors_add
from stories import selectors, services
from stories.forms import ReviewForm, StoryForm
from stories.links import StoryLinkExpired, StoryLinkInvalid, story_id_from_token
from stories.models import Story
from stories.permissions import can_answer_story, can_review_story


def _refused(request: HttpRequest, *, title: str, message: str, status: int) -> HttpResponse:
    return render(
        request, "stories/refused.html", {"title": title, "message": message}, status=status
    )


def _not_for_you(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        title=_("This questionnaire is not for you"),
        message=_(
            "Only the person we asked can answer this questionnaire. "
            "Did you get a mail from us? Then open the link in that mail."
        ),
        status=403,
    )


def _initial(story: Story) -> dict:
    return {
        **{name: getattr(story, name) for name in services.ANSWER_TEXTS},
        **{name: getattr(story, name) for name in services.ANSWER_NUMBERS},
        "success_factors": list(story.success_factors.all()),
        "obstacles": list(story.obstacles.all()),
        "consent": story.consent,
    }


def _questionnaire(
    request: HttpRequest, story: Story, *, link_story_id: int | None, action: str
) -> HttpResponse:
    if not story.is_open:
        return render(request, "stories/sent.html", {"story": story}, status=200)
    form = StoryForm(request.POST if request.method == "POST" else None, initial=_initial(story))
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.story_answer(
                story=story,
                actor=request.user,
                data=form.answers(),
                submit=submit,
                link_story_id=link_story_id,
            )
        except services.StoryConflict as error:
            messages.error(request, " ".join(error.messages))
            return redirect(action)
        except PermissionDenied:
            return _not_for_you(request)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            if submit:
                messages.success(
                    request, _("Thank you for your story! The organisation reads it first.")
                )
            else:
                messages.success(
                    request, _("Your answers are saved. You can carry on later with the same link.")
                )
            return redirect(action)
    return render(
        request,
        "stories/questionnaire.html",
        {"story": story, "form": form, "action": action},
        status=400 if form.errors else 200,
    )


@login_required
def story_list(request: HttpRequest) -> HttpResponse:
    stories = selectors.stories_of(request.user).order_by("-asked_at", "-pk")
    return render(
        request,
        "stories/story_list.html",
        {"stories": stories, "to_review": selectors.stories_to_review(request.user).count()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    story = selectors.story_get(pk)
    if not can_answer_story(request.user, story):
        return _not_for_you(request)
    return _questionnaire(
        request, story, link_story_id=None, action=reverse("stories:story_detail", args=[pk])
    )


@require_http_methods(["GET", "POST"])
def story_link(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire by its signed link, without signing in: this story only."""
    try:
        story_id = story_id_from_token(token)
    except StoryLinkExpired:
        return _refused(
            request,
            title=_("This link has expired"),
            message=_(
                "The link in our mail works for 30 days. Sign in and go to “My stories”, "
                "or wait for our reminder with a new link."
            ),
            status=410,
        )
    except StoryLinkInvalid:
        story_id = None
    story = Story.objects.filter(pk=story_id).first() if story_id else None
    if story is None:
        return _refused(
            request,
            title=_("This link does not work"),
            message=_(
                "The link is not complete or has been changed. Copy the whole link from our "
                "mail, or sign in and go to “My stories”."
            ),
            status=404,
        )
    return _questionnaire(
        request,
        selectors.story_get(story.pk),
        link_story_id=story.pk,
        action=reverse("stories:story_link", args=[token]),
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "stories/review_queue.html",
        {"stories": selectors.stories_to_review(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def story_review(request: HttpRequest, pk: int) -> HttpResponse:
    story = selectors.story_get(pk)
    if not can_review_story(request.user, story):
        return _refused(
            request,
            title=_("You cannot review this story"),
            message=_("Only the admins of the organisation review its stories."),
            status=403,
        )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("action") == "approve"
        try:
            services.story_review(
                story=story, actor=request.user, approve=approve, note=form.cleaned_data["note"]
            )
        except services.StoryConflict as error:
            messages.error(request, " ".join(error.messages))
            return redirect("stories:review_queue")
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            if approve:
                messages.success(request, _("The story is approved. Thank you!"))
            else:
                messages.success(request, _("The story is sent back to its author."))
            return redirect("stories:review_queue")
    return render(
        request,
        "stories/review.html",
        {"story": story, "form": form},
        status=400 if form.errors else 200,
    )
