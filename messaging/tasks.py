"""Celery tasks for messaging: thin, idempotent, with time limits (docs/development.md, style §4).

Scheduled by beat (config/settings/base.py CELERY_BEAT_SCHEDULE): unread mail every
minute, the daily digest once a day. Each runs alone (a Redis lock, config/locks.py) and
retries with exponential backoff when the mail server cannot be reached; the notifications
module claims each mail before sending it, so a retry never mails anyone twice."""

from __future__ import annotations

from celery import shared_task

from config.locks import run_alone
from config.mail import MAIL_RETRY
from messaging import notifications


@shared_task(soft_time_limit=120, time_limit=180, **MAIL_RETRY)
@run_alone("messaging.unread_emails", timeout=180)
def unread_emails_task() -> int:
    return notifications.unread_emails_send()


@shared_task(soft_time_limit=600, time_limit=900, **MAIL_RETRY)
@run_alone("messaging.daily_digests", timeout=900)
def daily_digests_task() -> int:
    return notifications.daily_digests_send()
