"""Celery reliability (docs/operations.md, Celery): tasks are put back when a worker dies,
mail tasks retry with backoff and never mail twice, periodic tasks never overlap."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django.utils import timezone

from config import mail as config_mail
from config.celery import app
from matching import tasks as matching_tasks
from messaging import notifications, services
from messaging import tasks as messaging_tasks
from messaging.models import Message, MessagingSettings
from stories import tasks as stories_tasks
from tests.messaging.conftest import IN_CI, person_with_account

PERIODIC = [
    messaging_tasks.unread_emails_task,
    messaging_tasks.daily_digests_task,
    matching_tasks.proposals_housekeeping_task,
    stories_tasks.stories_housekeeping_task,
]
MAIL_TASKS = [
    messaging_tasks.unread_emails_task,
    messaging_tasks.daily_digests_task,
    config_mail.mail_send_task,
]


def test_a_task_whose_worker_dies_goes_back_on_the_queue():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True


def test_producers_give_up_quickly_when_the_broker_is_down():
    assert app.conf.task_publish_retry_policy["max_retries"] <= 1
    assert app.conf.broker_transport_options["socket_connect_timeout"] <= 2


def test_every_task_has_time_limits():
    ours = [
        task
        for name, task in app.tasks.items()
        if name.split(".")[0] in ("matching", "messaging", "stories", "config")
    ]
    assert "config.mail.mail_send_task" in app.tasks
    assert len(ours) >= 7
    for task in ours:
        assert task.soft_time_limit and task.time_limit, task.name


@pytest.mark.parametrize("task", MAIL_TASKS, ids=lambda task: task.name)
def test_mail_tasks_retry_with_exponential_backoff_on_smtp_and_connection_errors(task):
    assert issubclass(SMTPServerDisconnected, task.autoretry_for)
    assert issubclass(ConnectionRefusedError, task.autoretry_for)
    assert task.retry_backoff and task.retry_jitter
    assert task.max_retries >= 3


class FlakyBackend(EmailBackend):
    """An SMTP server that drops the connection on the first mail to one address."""

    failing: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if address in self.failing:
                    self.failing.discard(address)
                    raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@override_settings(EMAIL_BACKEND="tests.test_celery.FlakyBackend")
def test_an_invitation_sent_while_the_mail_server_drops_the_connection_goes_out_on_the_retry(
    db, django_capture_on_commit_callbacks
):
    # Before config.mail, the after-commit callback sent it, the mail server's error was
    # logged and the invitation was never mailed, while the page said it was. Now it is
    # queued, and the worker's attempt that fails is retried.
    from network.models import Membership
    from network.services.organisations import membership_invite
    from tests.factories import OrganisationFactory, member_user

    organisation = OrganisationFactory()
    admin = member_user(organisation, role=Membership.Role.ADMIN)
    task = config_mail.mail_send_task
    with (
        mock.patch.object(task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        membership_invite(organisation=organisation, actor=admin, email="nieuw@voorbeeld.nl")
    ((subject, body, recipients),) = [call.args for call in delay.call_args_list]
    assert recipients == ["nieuw@voorbeeld.nl"] and "/invitations/" in body
    assert not mail.outbox  # queued, not yet sent

    FlakyBackend.failing = {"nieuw@voorbeeld.nl"}
    with pytest.raises(task.autoretry_for):  # the worker's first attempt: retried later
        task.run(subject, body, recipients)
    assert task.run(subject, body, recipients) == 1  # the retry
    assert [(sent.subject, sent.to) for sent in mail.outbox] == [(subject, recipients)]


def test_a_mail_is_sent_at_once_when_the_queue_cannot_be_reached(db, caplog):
    from kombu.exceptions import OperationalError

    with (
        mock.patch.object(
            config_mail.mail_send_task, "delay", side_effect=OperationalError("refused")
        ),
        caplog.at_level(logging.WARNING, logger="config.mail"),
    ):
        config_mail.mail_send(subject="Hallo", body="Tekst", recipients=["a@voorbeeld.nl", ""])
    assert [(sent.subject, sent.to) for sent in mail.outbox] == [("Hallo", ["a@voorbeeld.nl"])]
    assert "mail queue unreachable" in caplog.text


def test_a_mail_without_an_address_is_not_queued(db):
    with mock.patch.object(config_mail.mail_send_task, "delay") as delay:
        config_mail.mail_send(subject="Hallo", body="Tekst", recipients=["", None])
    delay.assert_not_called()


def _unread_for(*people, author):
    for person in people:
        conversation = services.conversation_start(creator=author, participants=[person])
        message = services.message_send(
            conversation_id=conversation.pk, author=author, body="Hoi", client_id="x"
        ).message
        Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(minutes=11))


@override_settings(EMAIL_BACKEND="tests.test_celery.FlakyBackend")
def test_a_retried_unread_mail_run_mails_everyone_exactly_once(db):
    author, first, second, third = (person_with_account() for _ in range(4))
    _unread_for(first, second, third, author=author)
    FlakyBackend.failing = {second.user.email}
    task = messaging_tasks.unread_emails_task

    with pytest.raises(task.autoretry_for):  # a worker retries this attempt later
        task.run()
    assert task.run() == 2  # the retry

    recipients = sorted(address for sent in mail.outbox for address in sent.to)
    assert recipients == sorted(p.user.email for p in (first, second, third))
    assert task.run() == 0


def test_two_overlapping_runs_never_mail_anyone_twice(db):
    """Each mail is claimed before it is sent: a run that starts while another is sending
    (a second worker, or a retry of a run that was thought lost) skips what is claimed."""
    author, *readers = (person_with_account() for _ in range(4))
    _unread_for(*readers, author=author)
    real_send = notifications._send
    overlapping = []

    def send_while_another_run_starts(unread, *, digest):
        if not overlapping:
            overlapping.append(notifications.unread_emails_send())
        real_send(unread, digest=digest)

    with mock.patch.object(notifications, "_send", side_effect=send_while_another_run_starts):
        notifications.unread_emails_send()
    recipients = sorted(address for sent in mail.outbox for address in sent.to)
    assert recipients == sorted(p.user.email for p in readers)


@override_settings(EMAIL_BACKEND="tests.test_celery.FlakyBackend")
def test_a_failed_mail_gives_its_claim_back_and_a_sent_one_keeps_it(db):
    author, first, second = (person_with_account() for _ in range(3))
    _unread_for(first, second, author=author)
    FlakyBackend.failing = {second.user.email}
    with pytest.raises(SMTPServerDisconnected):
        notifications.unread_emails_send()
    assert notifications.unread_emails_send() == 1
    assert sorted(a for sent in mail.outbox for a in sent.to) == sorted(
        [first.user.email, second.user.email]
    )


@override_settings(EMAIL_BACKEND="tests.test_celery.FlakyBackend")
def test_a_failed_digest_is_sent_on_the_retry_once(db):
    author, reader = person_with_account(), person_with_account()
    MessagingSettings.objects.create(
        person=reader, email_frequency=MessagingSettings.EmailFrequency.DAILY
    )
    _unread_for(reader, author=author)
    FlakyBackend.failing = {reader.user.email}
    task = messaging_tasks.daily_digests_task
    with pytest.raises(task.autoretry_for):
        task.run()
    assert task.run() == 1  # the retry
    assert [sent.to for sent in mail.outbox] == [[reader.user.email]]
    assert task.run() == 0


# Overlap: a lock in real Redis -------------------------------------------------------------


@pytest.fixture
def require_redis():
    if not settings.REDIS_URL:
        if IN_CI:
            pytest.fail("CI=true: REDIS_URL must be set for the task lock tests.")
        pytest.skip("REDIS_URL is not set: the task lock needs a real Redis.")


@pytest.mark.usefixtures("require_redis")
@pytest.mark.parametrize(
    ("task", "work"),
    [
        (messaging_tasks.unread_emails_task, "messaging.notifications.unread_emails_send"),
        (messaging_tasks.daily_digests_task, "messaging.notifications.daily_digests_send"),
        (
            matching_tasks.proposals_housekeeping_task,
            "matching.tasks.proposal_services",
        ),
        (stories_tasks.stories_housekeeping_task, "stories.tasks.services"),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_a_second_run_while_the_first_is_busy_skips(task, work, caplog):
    busy, release = threading.Event(), threading.Event()
    calls = []

    def slow_work(*args, **kwargs):
        calls.append(threading.current_thread().name)
        busy.set()
        release.wait(10)
        return 0

    results = {}
    if work.endswith("proposal_services"):
        patcher = mock.patch(work, **{"proposals_expire.side_effect": slow_work})
    elif work == "stories.tasks.services":
        patcher = mock.patch(work, **{"stories_ask_for_ended_initiatives.side_effect": slow_work})
    else:
        patcher = mock.patch(work, side_effect=slow_work)
    with patcher:
        first = threading.Thread(target=lambda: results.setdefault("first", task.run()))
        first.start()
        try:
            assert busy.wait(10)
            with caplog.at_level(logging.INFO, logger="config.locks"):
                assert task.run() is None
            assert "another run is still busy" in caplog.text
        finally:
            release.set()
            first.join(10)
    assert len(calls) == 1
    assert results["first"] is not None


@pytest.mark.usefixtures("require_redis")
def test_the_lock_is_released_after_a_run(db):
    assert messaging_tasks.unread_emails_task.run() == 0
    assert messaging_tasks.unread_emails_task.run() == 0


def test_a_run_skips_with_a_log_line_when_redis_is_down(caplog):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        override_settings(REDIS_URL=f"redis://127.0.0.1:{port}/0"),
        caplog.at_level(logging.WARNING, logger="config.locks"),
        mock.patch("messaging.notifications.unread_emails_send") as work,
    ):
        assert messaging_tasks.unread_emails_task.run() is None
    work.assert_not_called()
    assert "Redis is unreachable" in caplog.text
