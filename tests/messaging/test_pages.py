"""The pages work without JavaScript; only participants see a conversation."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from messaging import services
from messaging.models import Attachment, Message, Report
from network.picker import PersonPickerField
from tests.messaging.conftest import client_for

NOT_FOUND = PersonPickerField.default_error_messages["not_found"]

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_conversation_list_shows_unread_counts(alice, bob, direct):
    services.message_send(conversation_id=direct.pk, author=alice, body="Hoi!", client_id="x")
    page = client_for(bob).get("/conversations/")
    assert page.status_code == 200
    assert f'data-unread="{direct.pk}"' in page.content.decode()
    assert f"/conversations/{direct.pk}/" in page.content.decode()


def test_the_form_posts_a_message_without_javascript(alice, bob, direct):
    client = client_for(alice)
    page = client.get(f"/conversations/{direct.pk}/")
    assert page.status_code == 200
    client_id = page.context["form"].initial["client_id"]
    data = {"body": "Zonder **JavaScript**", "client_id": client_id}
    response = client.post(f"/conversations/{direct.pk}/", data)
    assert response.status_code == 302 and response.url.endswith("#m1")
    # Pressing send twice (or the browser re-posting) stores one message.
    client.post(f"/conversations/{direct.pk}/", data)
    assert Message.objects.count() == 1
    history = client_for(bob).get(f"/conversations/{direct.pk}/").content.decode()
    assert "Zonder <strong>JavaScript</strong>" in history


def test_non_participants_get_404_everywhere(alice, bob, carol, direct):
    message = services.message_send(
        conversation_id=direct.pk,
        author=alice,
        body="Met bijlage",
        client_id="a",
        attachments=[SimpleUploadedFile("foto.png", PNG, content_type="image/png")],
    ).message
    attachment = Attachment.objects.get(message=message)
    outsider = client_for(carol)
    for url in [
        f"/conversations/{direct.pk}/",
        f"/conversations/{direct.pk}/attachments/{attachment.pk}/",
        f"/conversations/{direct.pk}/messages/{message.pk}/report/",
    ]:
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/conversations/{direct.pk}/", {"body": "x"}).status_code == 404
    download = client_for(bob).get(f"/conversations/{direct.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PNG


def test_attachments_of_other_types_or_too_big_are_refused(alice, direct):
    client = client_for(alice)
    html = SimpleUploadedFile("x.html", b"<script>", content_type="text/html")
    response = client.post(f"/conversations/{direct.pk}/", {"body": "", "attachment": html})
    assert response.status_code == 422
    fake = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    assert (
        client.post(f"/conversations/{direct.pk}/", {"body": "", "attachment": fake}).status_code
        == 422
    )
    big = SimpleUploadedFile(
        "big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    assert (
        client.post(f"/conversations/{direct.pk}/", {"body": "", "attachment": big}).status_code
        == 422
    )
    assert Message.objects.count() == 0


def test_report_and_staff_hide(alice, bob, direct, staff_user):
    message = services.message_send(
        conversation_id=direct.pk, author=alice, body="Onaardig", client_id="r"
    ).message
    client_for(bob).post(
        f"/conversations/{direct.pk}/messages/{message.pk}/report/", {"reason": "Kwetsend"}
    )
    report = Report.objects.get()
    from django.test import Client

    staff = Client()
    staff.force_login(staff_user)
    assert client_for(bob).get("/conversations/moderation/").status_code == 403
    queue = staff.get("/conversations/moderation/")
    assert "Kwetsend" in queue.content.decode()
    staff.post(f"/conversations/moderation/{report.pk}/", {"decision": "hide"})
    message.refresh_from_db()
    report.refresh_from_db()
    assert message.hidden_at and report.status == "hidden"
    assert "Onaardig" not in client_for(bob).get(f"/conversations/{direct.pk}/").content.decode()


def test_start_a_conversation_from_the_form(alice, bob):
    response = client_for(alice).post(
        "/conversations/new/", {"person_1": "", "person_1_ref": bob.ref, "title": ""}
    )
    assert response.status_code == 302
    assert client_for(bob).get(response.url).status_code == 200


def test_unread_email_after_ten_minutes_with_one_click_unsubscribe(alice, bob, direct):
    from datetime import timedelta

    from django.utils import timezone

    from messaging.notifications import daily_digests_send, unread_emails_send

    message = services.message_send(
        conversation_id=direct.pk, author=alice, body="Hoi", client_id="m"
    ).message
    assert unread_emails_send() == 0  # not yet ten minutes
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(minutes=11))
    assert unread_emails_send() == 1
    assert unread_emails_send() == 0  # never twice about the same message
    sent = mail.outbox[-1]
    assert sent.to == [bob.user.email]
    unsubscribe = sent.extra_headers["List-Unsubscribe"].strip("<>")
    path = unsubscribe.split("://", 1)[1].split("/", 1)[1]
    assert client_for(alice).get("/" + path).status_code == 200
    from django.test import Client

    assert Client(enforce_csrf_checks=True).post("/" + path).status_code == 200  # one click
    bob.messaging_settings.refresh_from_db()
    assert bob.messaging_settings.email_frequency == "never"
    assert daily_digests_send() == 0


def test_no_email_while_reading(alice, bob, direct):
    from datetime import timedelta

    from django.utils import timezone

    from messaging.notifications import unread_emails_send

    services.read_mark(conversation_id=direct.pk, person=bob, seq=0)  # bob has it open
    message = services.message_send(
        conversation_id=direct.pk, author=alice, body="Hoi", client_id="m"
    ).message
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(minutes=11))
    assert unread_emails_send() == 0


def test_starting_a_conversation_with_a_hidden_person_reads_as_unknown(alice, make_person):
    hidden = make_person(visibility="hidden")
    client = client_for(alice)
    answers = [
        client.post("/conversations/new/", {"person_1": "", "person_1_ref": ref, "title": ""})
        for ref in (hidden.ref, "p-nobody-has-this")
    ]
    assert [a.status_code for a in answers] == [200, 200]
    errors = [a.context["form"].errors["person_1"] for a in answers]
    assert errors[0] == errors[1] == [str(NOT_FOUND)]
    assert b"p-nobody-has-this" not in answers[1].content
    assert hidden.ref.encode() not in answers[0].content
    assert not Message.objects.exists()
    from messaging.models import Conversation

    assert not Conversation.objects.exists()


def test_adding_a_hidden_person_to_a_group_reads_as_unknown(alice, bob, make_person):
    from django.contrib.messages import get_messages

    group = services.conversation_start(creator=alice, participants=[bob], title="Kookclub")
    hidden = make_person(visibility="hidden")
    said = []
    for ref in (hidden.ref, "p-nobody-has-this"):
        response = client_for(alice).post(
            f"/conversations/{group.pk}/members/", {"person": "", "person_ref": ref}
        )
        assert response.status_code == 422
        assert not list(get_messages(response.wsgi_request))
        said.append(response.context["member_form"].errors["person"])
        assert ref.encode() not in response.content
    assert said[0] == said[1] == [str(NOT_FOUND)]
    assert group.participants.count() == 2


def test_services_answer_not_found_for_a_conversation_you_cannot_see(alice, bob, carol, direct):
    message = services.message_send(conversation_id=direct.pk, author=alice, body="Hoi").message
    missing = direct.pk + 1000
    for call in [
        lambda cid: services.message_send(conversation_id=cid, author=carol, body="x"),
        lambda cid: services.sync_messages(conversation_id=cid, person=carol, after_seq=0),
        lambda cid: services.read_mark(conversation_id=cid, person=carol, seq=1),
        lambda cid: services.typing_signal(conversation_id=cid, person=carol),
    ]:
        errors = []
        for conversation_id in (direct.pk, missing):
            try:
                call(conversation_id)
            except services.MessagingError as error:
                errors.append((error.code, error.detail))
        assert errors[0] == errors[1] and errors[0][0] == "not_found"
    try:
        services.message_report(message=message, reporter=carol)
    except services.MessagingError as error:
        assert error.code == "not_found"
    else:
        raise AssertionError("a report from outside was accepted")
