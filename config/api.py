"""The HTTP API at /api/v1/ (docs/contracts.md §5; docs/api.md).

Each app contributes a django-ninja router from its `api.py`; this module mounts them and
makes every error a JSON body with `detail`.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from accounts.api import api_auth
from accounts.services import api_token_scope_required
from config.api_docs import examples
from config.health import HealthOut, readiness
from network.selectors import person_for_user


class BodyNotAnObject(ValueError):
    """A JSON body that is valid JSON but not an object (an array, a number, a string)."""


class ObjectBodyParser(Parser):
    """Every operation that takes a body takes a JSON object. Without this, an array was
    read as an object with no fields: a PATCH of `[]` answered 200 as "no changes"."""

    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise BodyNotAnObject(type(data).__name__)
        return data


class BruggenAPI(NinjaAPI):
    """The schema says, per operation, which token scope it needs (`x-scope`, in its
    `security` and in its description). The rule itself is one function,
    accounts.services.api_token_scope_required, which the authentication applies: the
    schema states it, it does not decide it."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for item in schema["paths"].values():
            for method, operation in item.items():
                if not isinstance(operation, dict):
                    continue
                scope = api_token_scope_required(method)
                operation["x-scope"] = scope
                if "security" in operation:
                    operation["security"] = [
                        {name: [scope] if name == "BearerTokenAuth" else scopes}
                        for requirement in operation["security"]
                        for name, scopes in requirement.items()
                    ]
                    note = f"Token scope: `{scope}`."
                else:
                    note = f"No authentication needed; a token, when sent, needs scope `{scope}`."
                description = operation.get("description", "")
                if note not in description:
                    operation["description"] = f"{description}\n\n{note}".strip()
        return schema


api = BruggenAPI(
    title="Bruggen API",
    version="1",
    description="Partners, volunteers, key figures and experience for integration projects.",
    auth=api_auth,
    urls_namespace="api-v1",
    parser=ObjectBodyParser(),
    openapi_url="/openapi.json",
    # No Swagger UI: it loads its assets from a CDN, and every asset must come from the app.
    docs_url=None,
)


def _detail(request: HttpRequest, detail, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _detail(
        request, "Not authenticated: sign in, or send a valid 'Authorization: Bearer' token.", 401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _detail(request, exc.errors, 422)


@api.exception_handler(DjangoValidationError)
def _invalid_model(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return _detail(request, detail, 422)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _detail(request, "Not found.", 404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _detail(request, str(exc) or "You may not do this.", 403)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, BodyNotAnObject):
        # ninja wraps every parser error as 400; a body of the wrong JSON type is a 422
        # like any other wrongly typed input (docs/api.md, Errors).
        problem = {
            "type": "dict_type",
            "loc": ["body"],
            "msg": "The body must be a JSON object, not a JSON " + str(exc.__cause__) + ".",
        }
        return _detail(request, [problem], 422)
    return _detail(request, str(exc), exc.status_code)


api.add_router("/", "network.api.router")
api.add_router("/", "matching.api.router")
api.add_router("/", "messaging.api.router")
api.add_router("/", "sources.api.router")
api.add_router("/", "stories.api.router")


HEALTH_EXAMPLE = {
    "status": "ok",
    "database": {"status": "ok", "backend": "postgresql", "error": None},
    "channel_layer": {"status": "ok", "backend": "PubSubChannelLayer", "error": None},
    "cache": {"status": "ok", "backend": "FailOpenRedisCache", "error": None},
}


class LiveOut(Schema):
    status: str


@api.get(
    "/health/live",
    auth=None,
    response=LiveOut,
    tags=["platform"],
    openapi_extra=examples(response={"status": "ok"}),
)
def health_live(request: HttpRequest):
    """Liveness: 200 while the process answers; touches neither the database nor Redis."""
    return LiveOut(status="ok")


def _readiness_response():
    body = readiness()
    return Status(200 if body.status == "ok" else 503, body)


@api.get(
    "/health/ready",
    auth=None,
    response={200: HealthOut, 503: HealthOut},
    tags=["platform"],
    openapi_extra=examples(response=HEALTH_EXAMPLE),
)
def health_ready(request: HttpRequest):
    """Readiness: the state of the database, the channel layer and the cache; 503 when one is
    down. Kept a few seconds per process (config/health.py)."""
    return _readiness_response()


@api.get(
    "/health",
    auth=None,
    response={200: HealthOut, 503: HealthOut},
    tags=["platform"],
    openapi_extra=examples(response=HEALTH_EXAMPLE),
)
def health(request: HttpRequest):
    """The state of the database, the channel layer and the cache; 503 when one is down.
    The same answer as /health/ready, kept for the callers that know this path."""
    return _readiness_response()


class MeOut(Schema):
    email: str
    name: str
    person: str | None
    is_staff: bool
    language: str
    person_name: str | None = None


@api.get(
    "/me",
    response=MeOut,
    tags=["platform"],
    openapi_extra=examples(
        response={
            "email": "annelies@demo.bruggen.nl",
            "name": "Annelies Verhoef",
            "person": "p-annelies-v",
            "is_staff": False,
            "language": "nl",
            "person_name": "Annelies Verhoef",
        }
    ),
)
def me(request: HttpRequest):
    """Who the caller is: email, their person `ref` and the name on their profile (both null
    until they have a profile)."""
    user = request.auth
    person = person_for_user(user)
    return MeOut(
        email=user.email,
        name=user.name,
        person=person.ref if person else None,
        is_staff=user.is_staff,
        language=getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        person_name=person.name if person else None,
    )


def not_found(request: HttpRequest, unmatched: str = "") -> JsonResponse:
    """Unknown paths under /api/v1/ answer JSON too, not the HTML 404 page."""
    return JsonResponse({"detail": "Not found."}, status=404)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def _buffer_body(request: HttpRequest) -> HttpResponse | None:
    """Read the body before anything parses it.

    The CSRF check reads `request.POST`, which for a form or multipart Content-Type consumes
    the body stream; django-ninja then reads `request.body` for the JSON and Django raises
    RawPostDataException (a 500). Read once here, both work on the buffered copy: the API
    answers such a body 400 (not JSON) and a malformed multipart one 400 too."""
    try:
        request.body  # noqa: B018 (reading it buffers it)
    except RequestDataTooBig:
        return JsonResponse({"detail": "Request body too large."}, status=413)
    except UnreadablePostError:
        return JsonResponse({"detail": "The request body could not be read."}, status=400)
    if request.content_type == "multipart/form-data":
        try:
            request.POST  # noqa: B018 (parsed here so that a bad one is answered here)
        except MultiPartParserError:
            return JsonResponse(
                {"detail": "Malformed multipart body; the API takes JSON."}, status=400
            )
    return None


class ApiJsonErrorsMiddleware:
    """Errors Django answers itself under /api/ (405, 413, 400 for a bad Host) become JSON
    with `detail`, like every other API error."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and request.method not in SAFE_METHODS:
            refused = _buffer_body(request)
            if refused is not None:
                return refused
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = response.reason_phrase or "Error"
            if response.status_code == 405:
                detail = f"Method not allowed; use {response.get('Allow', 'another method')}."
            json_response = JsonResponse({"detail": detail}, status=response.status_code)
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if header in response:
                    json_response[header] = response[header]
            return json_response
        return response
