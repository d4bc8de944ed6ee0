"""Mail that survives the mail server being away (docs/operations.md, When a service is
down and Celery).

Every mail a service sends (invitations, proposals, stories; messaging's unread mails and
digests have tasks of their own with the same retries) goes through `mail_send`: it hands
the mail to Celery, whose worker sends it and, while the mail server cannot be reached,
tries again with exponential backoff (`MAIL_RETRY`: after about 30 s, 1, 2, 4, 8 and 16
minutes, then gives up and logs it). Before this, a mail was sent in the request's
after-commit callback and, with the mail server down, lost with a line in the log while the
page said it was sent.

When the queue itself cannot be reached (Redis down), the mail is sent at once, as
before; when that fails too it is logged. Without Redis (development, tests) Celery runs
the task in the process (`CELERY_TASK_ALWAYS_EAGER`).

The queued message holds the mail's text until a worker takes it, in Redis, which holds the
sessions and the cache already: an invitation's link is in it, as it is in the mail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from smtplib import SMTPException

from celery import shared_task
from django.core.mail import send_mail
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# SMTP errors and the socket errors under them (refused, reset, timed out, DNS).
MAIL_ERRORS = (SMTPException, OSError)
MAIL_RETRY = {
    "autoretry_for": MAIL_ERRORS,
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(soft_time_limit=60, time_limit=90, **MAIL_RETRY)
def mail_send_task(subject: str, body: str, recipients: list[str]) -> int:
    """Send one mail; a mail server that cannot be reached makes Celery try again later."""
    return send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)


def mail_send(*, subject: str, body: str, recipients: Iterable[str]) -> None:
    """Send a plain-text mail from the default sender, retried while the mail server is
    away. Call it after the commit (`config.after_commit.on_commit_safe`), as services do."""
    recipients = [address for address in recipients if address]
    if not recipients:
        return
    try:
        mail_send_task.delay(subject, body, recipients)
    except OperationalError as error:  # the queue (Redis) is away: send now, as before
        logger.warning("mail queue unreachable (%s): sending at once", error)
        send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
