"""Celery tasks for messaging: thin, idempotent, with time limits (STYLE.md §4).

Scheduled by beat (config/settings/base.py CELERY_BEAT_SCHEDULE): unread mail every
minute, the daily digest once a day."""

from __future__ import annotations

from celery import shared_task

from messaging import notifications


@shared_task(soft_time_limit=120, time_limit=180)
def unread_emails_task() -> int:
    return notifications.unread_emails_send()


@shared_task(soft_time_limit=600, time_limit=900)
def daily_digests_task() -> int:
    return notifications.daily_digests_send()
