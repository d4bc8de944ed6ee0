"""The Content-Security-Policy header on every response (docs/security.md).

Every script and stylesheet Bruggen uses is served by the app itself (no CDN), and no
template holds inline script, so scripts may come from this origin only; nothing may frame
a page, plugins are off, and a `<base>` element cannot redirect relative links. Styles
allow inline attributes: htmx adds its indicator style, and Django's admin uses a few; a
style cannot run code. WebSockets go to this origin (`connect-src 'self'` includes ws and
wss of the same host).

Django 5.2 has no CSP support of its own (6.0 adds it); this middleware is the whole of it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def policy_header(policy: dict[str, str]) -> str:
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = policy_header(getattr(settings, "BRUGGEN_CSP", DEFAULT_POLICY))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response
