"""Celery tasks for close-out stories: thin, idempotent, with time limits
(docs/development.md, style §4)."""

from __future__ import annotations

from celery import shared_task

from config.locks import run_alone
from stories import services


@shared_task(soft_time_limit=120, time_limit=180)
@run_alone("stories.housekeeping", timeout=180)
def stories_housekeeping_task() -> dict[str, int]:
    """Daily (Celery beat): ask about initiatives whose end date passed, and remind. Runs
    alone; asking is one story per person and subject, reminders are marked before they
    are mailed, so a rerun asks and mails nobody twice."""
    return {
        "asked_for_ended": services.stories_ask_for_ended_initiatives(),
        "reminded": services.stories_remind(),
    }
