"""The send path and the rules around it (messaging.services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from messaging import selectors, services
from messaging.formatting import body_to_html
from messaging.models import Conversation, Message, MessagingSettings, Notification, Participant
from network.models import Membership
from network.services.blocks import block_create
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def send(conversation, author, body="Hallo", client_id=""):
    return services.message_send(
        conversation_id=conversation.pk, author=author, body=body, client_id=client_id
    )


def test_seq_counts_up_per_conversation(alice, bob, carol, direct):
    other = services.conversation_start(creator=alice, participants=[carol])
    assert [send(direct, alice, client_id=f"{n}").message.seq for n in range(3)] == [1, 2, 3]
    assert send(other, carol).message.seq == 1
    direct.refresh_from_db()
    assert direct.last_seq == 3


def test_same_client_id_is_stored_once_and_answers_the_stored_message(alice, direct):
    first = send(direct, alice, "Eén", "same")
    again = send(direct, alice, "Anders", "same")
    assert first.created and not again.created
    assert again.message.pk == first.message.pk and again.message.body == "Eén"
    assert Message.objects.count() == 1


def test_direct_conversation_is_reused(alice, bob, direct):
    assert services.conversation_start(creator=bob, participants=[alice]).pk == direct.pk


def test_body_is_sanitised_and_links_are_clickable():
    html = body_to_html('<script>alert(1)</script> zie https://bruggen.nl/a?b=1 en <b onclick="x">')
    assert "<script" not in html and "<b " not in html
    assert '<a href="https://bruggen.nl/a?b=1"' in html
    assert "&lt;script&gt;" in html
    assert body_to_html("javascript:alert(1)") == "javascript:alert(1)"
    assert (
        body_to_html("**vet** _schuin_ `code`")
        == "<strong>vet</strong> <em>schuin</em> <code>code</code>"
    )


def test_mentions_of_participants_are_highlighted_and_notified(alice, bob, carol, direct):
    message = send(direct, alice, f"Hoi @{bob.ref}, en @{carol.ref}").message
    assert list(message.mentions.all()) == [bob]
    assert "bruggen-mention" in message.body_html
    assert Notification.objects.filter(person=bob, kind="mention", message=message).exists()
    assert not Notification.objects.filter(person=carol, kind="mention").exists()


def test_edit_and_delete_own_message_within_fifteen_minutes(alice, bob, direct):
    message = send(direct, alice, "Eerst").message
    services.message_edit(message_id=message.pk, editor=alice, body="Daarna")
    message.refresh_from_db()
    assert message.body == "Daarna" and message.edited_at
    with pytest.raises(services.Forbidden):
        services.message_edit(message_id=message.pk, editor=bob, body="Niet van jou")
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(minutes=16))
    with pytest.raises(services.Forbidden):
        services.message_delete(message_id=message.pk, editor=alice)
    fresh = send(direct, alice, "Weg ermee").message
    services.message_delete(message_id=fresh.pk, editor=alice)
    frame = services.message_frame(Message.objects.select_related("author").get(pk=fresh.pk))
    assert frame["deleted"] is True and frame["body"] == "" and frame["body_html"] == ""


def test_blocked_person_cannot_message_or_start_a_conversation(alice, bob, direct):
    block_create(blocker=bob, blocked=alice)
    with pytest.raises(services.Forbidden):
        send(direct, alice, "Hallo?")
    with pytest.raises(services.Forbidden):
        send(direct, bob, "Ook ik niet")
    with pytest.raises(services.Forbidden):
        services.conversation_start(creator=alice, participants=[bob], title="Groep")


def test_only_connected_people_may_start_a_conversation_when_chosen(alice, bob, carol):
    services.messaging_settings_update(
        person=bob,
        who_may_message=MessagingSettings.WhoMayMessage.CONNECTED,
        email_frequency=MessagingSettings.EmailFrequency.NEVER,
    )
    assert not services.may_start_conversation(sender=alice, recipient=bob)
    with pytest.raises(services.Forbidden):
        services.conversation_start(creator=alice, participants=[bob])
    organisation = OrganisationFactory(municipality=None)
    Membership.objects.create(organisation=organisation, person=alice)
    Membership.objects.create(organisation=organisation, person=bob)
    assert services.may_start_conversation(sender=alice, recipient=bob)
    # An introduction (a match) connects too; a shared topic channel does not.
    assert not services.may_start_conversation(sender=carol, recipient=bob)
    services.conversation_open_introduction(
        participants=[carol, bob], title="Maatje gezocht", body="Stel je voor!"
    )
    assert services.may_start_conversation(sender=carol, recipient=bob)


def test_introduction_opens_with_a_system_message(alice, bob):
    conversation = services.conversation_open_introduction(
        participants=[alice, bob], title="Vrijwilliger taalcafé", body="Jullie zeiden allebei ja."
    )
    assert conversation.kind == Conversation.Kind.INTRODUCTION
    message = conversation.messages.get()
    assert (
        message.seq == 1 and message.author is None and message.body == "Jullie zeiden allebei ja."
    )
    assert set(conversation.participants.values_list("person", flat=True)) == {alice.pk, bob.pk}
    assert Notification.objects.filter(kind="introduction").count() == 2


def test_group_members_are_managed_by_the_creator(alice, bob, carol):
    group = services.conversation_start(creator=alice, participants=[bob], title="Kookclub")
    services.group_member_add(conversation=group, actor=alice, person=carol)
    with pytest.raises(services.Forbidden):
        services.group_member_remove(conversation=group, actor=bob, person=carol)
    services.group_member_remove(conversation=group, actor=alice, person=carol)
    services.group_member_remove(conversation=group, actor=bob, person=bob)  # leaving
    assert list(group.participants.values_list("person", flat=True)) == [alice.pk]


def test_team_and_topic_conversations(alice, bob, carol):
    from network.models import Theme

    organisation = OrganisationFactory(municipality=None)
    Membership.objects.create(organisation=organisation, person=alice)
    Membership.objects.create(organisation=organisation, person=bob)
    team = services.team_conversation_open(organisation=organisation, person=alice)
    assert team.kind == "team" and team.participants.count() == 2
    with pytest.raises(services.Forbidden):
        services.team_conversation_open(organisation=organisation, person=carol)
    theme = Theme.objects.get(slug="food")
    topic = services.topic_join(theme=theme, person=carol)
    assert services.topic_join(theme=theme, person=alice).pk == topic.pk
    services.topic_leave(conversation=topic, person=carol)
    assert list(topic.participants.values_list("person", flat=True)) == [alice.pk]


def test_read_marker_moves_forward_only_and_unread_counts(alice, bob, direct):
    for n in range(3):
        send(direct, alice, f"{n}", f"{n}")
    assert selectors.unread_total(bob) == 3 and selectors.unread_total(alice) == 0
    assert services.read_mark(conversation_id=direct.pk, person=bob, seq=2) == 2
    assert services.read_mark(conversation_id=direct.pk, person=bob, seq=1) == 2
    assert services.read_mark(conversation_id=direct.pk, person=bob, seq=99) == 3
    assert Participant.objects.get(person=bob).last_read_seq == 3


def test_conversation_list_newest_first_with_fixed_queries(
    alice, bob, carol, make_person, django_assert_num_queries
):
    first = services.conversation_start(creator=alice, participants=[bob])
    second = services.conversation_start(creator=alice, participants=[carol])
    for _ in range(3):
        services.conversation_start(creator=alice, participants=[make_person()])
    send(first, bob, "nieuwste")
    with django_assert_num_queries(2):
        rows = list(selectors.conversations_for(alice))
        [p.person.name for row in rows for p in row.conversation.participants.all()]
    assert rows[0].conversation == first and rows[0].unread == 1
    assert second in [row.conversation for row in rows]


@override_settings(MESSAGING_RATE_LIMIT=(2, 60))
def test_rate_limit_stores_nothing(alice, direct):
    send(direct, alice, "1", "1")
    send(direct, alice, "2", "2")
    with pytest.raises(services.RateLimited):
        send(direct, alice, "3", "3")
    assert send(direct, alice, "1", "1").created is False  # a retry is no new message
    assert Message.objects.count() == 2


def test_search_finds_only_own_conversations(alice, bob, carol, direct):
    send(direct, alice, "We zoeken een subsidie voor de buurtmaaltijd")
    other = services.conversation_start(creator=carol, participants=[bob])
    send(other, carol, "Geheime subsidie")
    found = list(selectors.message_search(person=alice, q="subsidie"))
    assert [m.conversation_id for m in found] == [direct.pk]


def test_every_store_path_leaves_the_same_state(alice, bob, carol):
    """Plain text (one statement on PostgreSQL), a mention and a file (the ORM path) each
    take the next seq, mark the author's own message read and never email them about it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    group = services.conversation_start(creator=alice, participants=[bob, carol], title="Drie")
    plain = send(group, alice, "Gewoon tekst", "plain")
    mention = send(group, alice, f"Hoi @{bob.ref}", "mention")
    upload = SimpleUploadedFile("notulen.txt", b"notulen", content_type="text/plain")
    with_file = services.message_send(
        conversation_id=group.pk, author=alice, body="", client_id="file", attachments=[upload]
    )
    assert [r.message.seq for r in (plain, mention, with_file)] == [1, 2, 3]
    assert plain.frame["author"] == alice.ref and plain.frame["attachments"] == []
    assert plain.frame["body_html"] == body_to_html("Gewoon tekst")
    mine = Participant.objects.get(conversation=group, person=alice)
    assert (mine.last_read_seq, mine.emailed_seq) == (3, 3)
    theirs = Participant.objects.get(conversation=group, person=bob)
    assert (theirs.last_read_seq, theirs.emailed_seq) == (0, 0)
    group.refresh_from_db()
    assert group.last_seq == 3 and group.last_message_at == with_file.message.sent_at
    stored = Message.objects.get(conversation=group, seq=1)
    assert (stored.body, stored.author, stored.client_id) == ("Gewoon tekst", alice, "plain")


def test_deferred_broadcast_names_every_participant(alice, bob, carol):
    group = services.conversation_start(creator=alice, participants=[bob, carol], title="Drie")
    result = services.message_send(
        conversation_id=group.pk, author=bob, body="Wie hoort dit?", defer_broadcast=True
    )
    assert sorted(result.recipients) == sorted([alice.pk, bob.pk, carol.pk])


def test_sending_where_you_may_not_says_why_and_takes_no_seq(alice, bob, carol, direct):
    with pytest.raises(services.NotFound):
        send(direct.__class__(pk=direct.pk + 10_000), alice, "Niemand")
    with pytest.raises(services.NotFound) as refused:
        send(direct, carol, "Ik hoor hier niet")
    # Someone else's conversation looks exactly like one that does not exist.
    assert refused.value.detail == services.conversation_not_found().detail
    block_create(blocker=bob, blocked=alice)
    with pytest.raises(services.Forbidden):
        send(direct, alice, "Na de blokkade")
    direct.refresh_from_db()
    assert direct.last_seq == 0 and not Message.objects.exists()


def test_a_block_stops_direct_messages_but_not_a_group(alice, bob, carol):
    group = services.conversation_start(creator=carol, participants=[alice, bob], title="Buurt")
    block_create(blocker=bob, blocked=alice)
    assert send(group, alice, "In de groep mag het").created


@override_settings(MESSAGING_RATE_LIMIT=(2, 60))
def test_a_repeat_does_not_count_towards_the_rate_limit(alice, direct):
    send(direct, alice, "1", "1")
    send(direct, alice, "1", "1")  # the client retried: no new message
    assert send(direct, alice, "2", "2").created
    with pytest.raises(services.RateLimited):
        send(direct, alice, "3", "3")


def test_a_repeat_inside_a_transaction_leaves_the_transaction_usable(alice, direct):
    from django.db import transaction

    with transaction.atomic():
        send(direct, alice, "Eén", "same")
        assert not send(direct, alice, "Eén", "same").created
        assert send(direct, alice, "Twee", "other").message.seq == 2
    assert Message.objects.count() == 2


@override_settings(MESSAGING_CONVERSATION_START_LIMIT=(3, 600))
def test_starting_conversations_is_limited_per_person(make_person, alice):
    from django.core.cache import cache

    cache.clear()
    people = [make_person(name=f"Buur {n}") for n in range(5)]
    for person in people[:3]:
        services.conversation_start(creator=alice, participants=[person])
    with pytest.raises(services.RateLimited):
        services.conversation_start(creator=alice, participants=[people[3]])
    # Someone else is not held back by Alice's starts.
    services.conversation_start(creator=people[4], participants=[alice])


@override_settings(MESSAGING_CONVERSATION_START_LIMIT=(1, 600))
def test_the_api_answers_429_when_conversations_start_too_fast(make_person, alice, bob, carol):
    from django.core.cache import cache

    from tests.messaging.conftest import client_for

    cache.clear()
    client = client_for(alice)
    first = client.post(
        "/api/v1/conversations", {"participants": [bob.ref]}, content_type="application/json"
    )
    assert first.status_code in (200, 201), first.content
    second = client.post(
        "/api/v1/conversations", {"participants": [carol.ref]}, content_type="application/json"
    )
    assert second.status_code == 429 and "detail" in second.json()
