"""Outreach's scheduled work (Celery beat, config/settings/base.py)."""

from __future__ import annotations

from celery import shared_task

from config.locks import run_alone
from outreach.services import responder_details_forget


@shared_task(soft_time_limit=120, time_limit=180)
@run_alone("outreach.responder_details_forget", timeout=180)
def responder_details_forget_task() -> int:
    """Daily: responders' names and contacts go some time after the activity."""
    return responder_details_forget()
