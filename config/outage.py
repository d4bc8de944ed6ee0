"""When PostgreSQL is unreachable: 503 with a short Dutch page (or JSON under /api/), no
stack trace, one warning line per request (docs/operations.md, When a service is down).

Two entry points share one response: `DatabaseOutageMiddleware` catches the error raised
by a view or while its template renders, and `server_error` (the project's handler500)
catches the same error raised in other middleware (loading the session, the user).
Neither touches the database: the page is rendered without a request, so no context
processor runs.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_ERRORS)


def database_unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    logger.warning("database unavailable for %s %s: %r", request.method, request.path, error)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": "The database is unavailable; try again in a moment.", "status": 503},
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_database_outage(exception):
            return database_unavailable_response(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage anywhere in the request answers 503; anything else the
    plain 500 page (rendered without context processors, which may need the database)."""
    error = sys.exc_info()[1]
    if is_database_outage(error):
        return database_unavailable_response(request, error)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return HttpResponseServerError(render_to_string("500.html"))
