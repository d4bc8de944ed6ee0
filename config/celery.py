"""The Celery application. Workers: `celery -A config worker`; beat: `celery -A config beat`."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("bruggen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _matching_index_warm(**kwargs) -> None:
    """Workers rank (matching's tasks refresh proposals), so the worker's main process
    builds the matching index before it forks its pool; the children share its pages.
    Not in `worker_process_init`: a child must finish that within 4 s
    (`worker_proc_alive_timeout`) or is killed, and a build at scale takes longer."""
    from matching.index import index_warm

    index_warm(before_fork=True)
