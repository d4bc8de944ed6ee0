"""Authentication for /api/v1/: a Bearer token, or the session cookie with CSRF.

Both leave `request.auth_scopes`: a token's scopes, or every scope for the signed-in
browser (the person themself). accounts.services.api_token_authenticate refuses a token
whose scopes do not allow the request's method, so no endpoint has to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from accounts import services


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer brg_…`; tokens are made on the account page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.api_token_authenticate(secret=token.strip(), method=request.method)
        if user is not None:
            request.user = user
            request.auth_scopes = user.api_token_scopes
        return user


class SessionCookieAuth(APIKeyCookie):
    """The browser's session; unsafe methods need the CSRF token, as on the pages."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header.")
        # The name in settings, not param_name: production names it __Host-sessionid.
        return request.COOKIES.get(settings.SESSION_COOKIE_NAME)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        request.auth_scopes = frozenset(services.API_TOKEN_SCOPES)
        return request.user


api_auth = [BearerTokenAuth(), SessionCookieAuth()]
