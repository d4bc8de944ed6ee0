"""A WSGI app for benchmarks/matching_warm.py: Django loaded as in production
(config.wsgi), and GET /rank ranks one fixed need against the matching index, so that
the Gunicorn workers use (and touch) the index as real requests do. Not served anywhere."""

from __future__ import annotations

import json
import os

from config.wsgi import application as django_application  # noqa: F401 (sets Django up)
from matching.engine import NeedQuery
from matching.index import index_rank, vocabulary


def _need() -> NeedQuery:
    words = vocabulary()
    return NeedQuery(
        kind="volunteer",
        themes=frozenset(words.themes[:2]),
        target_groups=frozenset(words.target_groups[:1]),
        languages=frozenset(),
        languages_required=False,
        latitude=52.09,
        longitude=5.12,
        municipality="Utrecht",
        radius_km=None,
        hours_per_week=None,
        text="Vrijwilliger gezocht voor taalles en huiswerkbegeleiding in de wijk",
        asker_organisation_id=0,
        asker_themes=frozenset(),
        asker_text="",
    )


def application(environ, start_response):
    if environ.get("PATH_INFO") != "/rank":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    result = index_rank(_need())
    body = json.dumps({"pid": os.getpid(), "top": len(result.proposals)}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
