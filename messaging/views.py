"""Pages of messaging: the conversation list, a conversation (usable without JavaScript),
search, notifications, settings, unsubscribe and the moderation queue (docs/messaging.md).

Views are thin: parse with a form, authorise through the participation, call one service
or selector, render. Everything a participant may not see answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from messaging import notifications, selectors, services
from messaging.forms import (
    ConversationStartForm,
    MemberAddForm,
    MessageEditForm,
    MessageForm,
    MessagingSettingsForm,
    ReportForm,
    SearchForm,
)
from messaging.models import Attachment, Conversation, Message, Participant, Report
from network.models import Organisation, Person, Theme
from network.selectors import person_for_user, person_visible_to


def _person_or_redirect(request: HttpRequest) -> Person | None:
    person = person_for_user(request.user)
    if person is None:
        messages.info(request, _("Complete your profile before you take part in conversations."))
    return person


def _participation(request: HttpRequest, pk: int) -> tuple[Person, Participant]:
    person = person_for_user(request.user)
    participation = selectors.participation(conversation_id=pk, person=person) if person else None
    if participation is None:
        raise Http404(services.conversation_not_found().detail)
    return person, participation


@login_required
def conversation_list(request: HttpRequest) -> HttpResponse:
    person = _person_or_redirect(request)
    if person is None:
        return redirect("network:profile_edit")
    participations = list(selectors.conversations_for(person))
    return render(
        request,
        "messaging/conversation_list.html",
        {
            "participations": participations,
            "search_form": SearchForm(),
            "person": person,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation_start(request: HttpRequest) -> HttpResponse:
    person = _person_or_redirect(request)
    if person is None:
        return redirect("network:profile_edit")
    # "Send a message" on a profile links here with the person's ref; it is looked up
    # through the visibility rule like any other ref, and an unknown one is simply ignored.
    first = person_visible_to(viewer=request.user, ref=request.GET.get("with", ""))
    more = request.method == "POST" and "more" in request.POST
    form = ConversationStartForm(request.POST or None, viewer=request.user, first=first, more=more)
    if request.method == "POST" and not more and form.is_valid():
        people = form.people()
        without_account = [p for p in people if p.user_id is None]
        if without_account:
            form.add_error(
                None,
                _("%(names)s cannot receive messages yet: they have no account.")
                % {"names": ", ".join(p.name for p in without_account)},
            )
        else:
            try:
                conversation = services.conversation_start(
                    creator=person, participants=people, title=form.cleaned_data["title"]
                )
            except services.MessagingError as error:
                form.add_error(None, error.detail)
            else:
                return redirect("messaging:conversation_detail", pk=conversation.pk)
    return render(request, "messaging/conversation_start.html", {"form": form})


def _conversation_context(request, person, participation, form=None) -> dict:
    conversation = participation.conversation
    people = list(selectors.conversation_people(conversation.pk))
    history = selectors.messages_latest(conversation_id=conversation.pk)
    online = services.people_online(p.person_id for p in people)
    read_by = {p.person.ref: p.last_read_seq for p in people}
    return {
        "conversation": conversation,
        "participation": participation,
        "people": people,
        "online": online,
        "history": history,
        "form": form or MessageForm(),
        "person": person,
        "read_by": read_by,
        "last_seq": history[-1].seq if history else 0,
        "is_creator": conversation.created_by_id == person.pk,
        "member_form": MemberAddForm(viewer=request.user),
    }


@login_required
@require_http_methods(["GET", "POST"])
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person, participation = _participation(request, pk)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data.get("attachment")
            try:
                result = services.message_send(
                    conversation_id=pk,
                    author=person,
                    body=form.cleaned_data["body"],
                    client_id=form.cleaned_data["client_id"],
                    attachments=[upload] if upload else [],
                )
            except services.MessagingError as error:
                form.add_error(None, error.detail)
            else:
                url = reverse("messaging:conversation_detail", args=[pk])
                return redirect(f"{url}#m{result.message.seq}")
        status = 422 if form.errors else 200
        return render(
            request,
            "messaging/conversation_detail.html",
            _conversation_context(request, person, participation, form),
            status=status,
        )
    context = _conversation_context(request, person, participation)
    if context["last_seq"]:
        services.read_mark(conversation_id=pk, person=person, seq=context["last_seq"])
    return render(request, "messaging/conversation_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def conversation_members(request: HttpRequest, pk: int) -> HttpResponse:
    person, participation = _participation(request, pk)
    if request.method == "POST":
        conversation = participation.conversation
        try:
            if "remove" in request.POST:
                other = get_object_or_404(Person, ref=request.POST["remove"])
                services.group_member_remove(conversation=conversation, actor=person, person=other)
            else:
                form = MemberAddForm(request.POST, viewer=request.user)
                if not form.is_valid():
                    return _members_form_again(request, person, participation, form)
                other = form.cleaned_data["person"]
                if other.user_id is None:
                    raise services.NotFound(
                        _("%(names)s cannot receive messages yet: they have no account.")
                        % {"names": other.name}
                    )
                services.group_member_add(conversation=conversation, actor=person, person=other)
        except services.MessagingError as error:
            messages.error(request, error.detail)
    return redirect("messaging:conversation_detail", pk=pk)


def _members_form_again(request, person, participation, form) -> HttpResponse:
    """The conversation page again with the add-someone form as it was sent: its error, or
    "Which one do you mean?" with the people of that name to choose from."""
    context = _conversation_context(request, person, participation)
    context["member_form"] = form
    return render(request, "messaging/conversation_detail.html", context, status=422)


@login_required
@require_POST
def conversation_leave(request: HttpRequest, pk: int) -> HttpResponse:
    person, participation = _participation(request, pk)
    conversation = participation.conversation
    try:
        if conversation.kind == Conversation.Kind.TOPIC:
            services.topic_leave(conversation=conversation, person=person)
        else:
            services.group_member_remove(conversation=conversation, actor=person, person=person)
    except services.MessagingError as error:
        messages.error(request, error.detail)
        return redirect("messaging:conversation_detail", pk=pk)
    messages.success(request, _("You left the conversation."))
    return redirect("messaging:conversation_list")


def _own_message(request: HttpRequest, pk: int, message_id: int) -> tuple[Person, Message]:
    person, _participation_row = _participation(request, pk)
    message = get_object_or_404(Message, pk=message_id, conversation_id=pk)
    return person, message


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    person, message = _own_message(request, pk, message_id)
    form = MessageEditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.message_edit(
                message_id=message.pk, editor=person, body=form.cleaned_data["body"]
            )
        except services.MessagingError as error:
            form.add_error(None, error.detail)
        else:
            return redirect(
                reverse("messaging:conversation_detail", args=[pk]) + f"#m{message.seq}"
            )
    return render(
        request,
        "messaging/message_edit.html",
        {"form": form, "message": message, "conversation_id": pk},
    )


@login_required
@require_POST
def message_delete(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    person, message = _own_message(request, pk, message_id)
    try:
        services.message_delete(message_id=message.pk, editor=person)
    except services.MessagingError as error:
        messages.error(request, error.detail)
    return redirect(reverse("messaging:conversation_detail", args=[pk]) + f"#m{message.seq}")


@login_required
@require_http_methods(["GET", "POST"])
def message_report(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    person, message = _own_message(request, pk, message_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.message_report(
            message=message, reporter=person, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Thank you. The moderators will look at this message."))
        return redirect("messaging:conversation_detail", pk=pk)
    return render(
        request,
        "messaging/message_report.html",
        {"form": form, "message": message, "conversation_id": pk},
    )


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """Only participants get a conversation's files; never rendered inline as HTML."""
    _participation(request, pk)
    attachment = get_object_or_404(
        Attachment.objects.select_related("message"),
        pk=attachment_id,
        message__conversation_id=pk,
        message__deleted_at__isnull=True,
        message__hidden_at__isnull=True,
    )
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def message_search(request: HttpRequest) -> HttpResponse:
    person = _person_or_redirect(request)
    if person is None:
        return redirect("network:profile_edit")
    form = SearchForm(request.GET or None)
    results = []
    if form.is_valid():
        results = list(selectors.message_search(person=person, q=form.cleaned_data["q"]))
    return render(request, "messaging/search.html", {"form": form, "results": results})


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    person = _person_or_redirect(request)
    if person is None:
        return redirect("network:profile_edit")
    if request.method == "POST":
        services.notifications_mark_read(person=person)
        return redirect("messaging:notifications")
    return render(
        request,
        "messaging/notification_list.html",
        {"notifications": list(selectors.notifications_for(person))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def messaging_settings(request: HttpRequest) -> HttpResponse:
    person = _person_or_redirect(request)
    if person is None:
        return redirect("network:profile_edit")
    row = services.messaging_settings_for(person)
    form = MessagingSettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        services.messaging_settings_update(
            person=person,
            who_may_message=form.cleaned_data["who_may_message"],
            email_frequency=form.cleaned_data["email_frequency"],
        )
        messages.success(request, _("Your messaging settings are saved."))
        return redirect("messaging:settings")
    return render(request, "messaging/settings.html", {"form": form})


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    person = _person_or_redirect(request)
    if person is None:
        return redirect("network:profile_edit")
    joined = dict(
        Participant.objects.filter(
            person=person, conversation__kind=Conversation.Kind.TOPIC
        ).values_list("conversation__theme_id", "conversation_id")
    )
    themes = list(Theme.objects.order_by("slug"))
    for theme in themes:
        theme.conversation_id = joined.get(theme.pk)
    return render(request, "messaging/topic_list.html", {"themes": themes})


@login_required
@require_POST
def topic_join(request: HttpRequest, slug: str) -> HttpResponse:
    person = _person_or_redirect(request)
    if person is None:
        return redirect("network:profile_edit")
    theme = get_object_or_404(Theme, slug=slug)
    conversation = services.topic_join(theme=theme, person=person)
    return redirect("messaging:conversation_detail", pk=conversation.pk)


@login_required
def team_conversation(request: HttpRequest, ref: str) -> HttpResponse:
    person = _person_or_redirect(request)
    if person is None:
        return redirect("network:profile_edit")
    organisation = get_object_or_404(Organisation, ref=ref)
    try:
        conversation = services.team_conversation_open(organisation=organisation, person=person)
    except services.Forbidden:
        raise Http404(_("No such conversation.")) from None
    return redirect("messaging:conversation_detail", pk=conversation.pk)


def _staff(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return render(
        request, "messaging/moderation.html", {"reports": list(selectors.reports_open()[:200])}
    )


@login_required
@require_POST
def moderation_decide(request: HttpRequest, report_id: int) -> HttpResponse:
    _staff(request)
    report = get_object_or_404(Report.objects.select_related("message"), pk=report_id)
    if request.POST.get("decision") == "hide":
        services.message_hide(message=report.message, moderator=request.user)
        messages.success(request, _("The message is hidden."))
    else:
        services.report_dismiss(report=report, moderator=request.user)
        messages.success(request, _("The report is dismissed."))
    return redirect("messaging:moderation")


@csrf_exempt  # a mail client's one-click POST (RFC 8058) has no CSRF token; the link is signed
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from an email: GET shows what happens, POST (also RFC 8058's one-click
    POST from a mail client) turns the email off. No sign-in needed; the token is signed."""
    person = notifications.unsubscribe_person(token)
    if person is None:
        return render(request, "messaging/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        try:
            notifications.email_unsubscribe(person=person)
        except ValidationError:  # pragma: no cover - choices are fixed
            raise Http404 from None
        done = True
    return render(request, "messaging/unsubscribe.html", {"done": done, "token": token})
