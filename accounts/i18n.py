"""The one place that knows which language a person reads (docs/languages.md).

Pages: `accounts.middleware.UserLanguageMiddleware` activates the signed-in person's
setting. Mail: every send renders inside `in_language_of(recipient)`, so it goes out in
the recipient's chosen language, and in Dutch, the platform's first language, when the
recipient has none (or has no account yet, as with an invitation)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

SUPPORTED = frozenset(code for code, _name in settings.LANGUAGES)


def supported(code: str | None) -> str | None:
    """`code` when Bruggen speaks it ("ar", "tr-TR" → "tr"), otherwise None."""
    if not code:
        return None
    code = code.lower().replace("_", "-")
    if code in SUPPORTED:
        return code
    base = code.split("-")[0]
    return base if base in SUPPORTED else None


def language_of(recipient) -> str:
    """The language to write to `recipient`: a User, a Person (with `.user`), an email
    address, or None. Falls back to settings.LANGUAGE_CODE."""
    from accounts.models import User

    user = recipient
    if isinstance(recipient, str):
        user = User.objects.filter(email__iexact=recipient.strip()).only("language").first()
    elif recipient is not None and not isinstance(recipient, User):
        user = getattr(recipient, "user", None)
    return supported(getattr(user, "language", None)) or settings.LANGUAGE_CODE


@contextmanager
def in_language_of(recipient) -> Iterator[str]:
    """Render (subject, body) for one recipient inside this block."""
    language = language_of(recipient)
    with translation.override(language):
        yield language


def by_language(emails: Iterable[str]) -> dict[str, list[str]]:
    """Group addresses by the language their owners read, so one mail per language goes
    out (a mail with several recipients is written once)."""
    from accounts.models import User

    emails = list(dict.fromkeys(emails))
    known = {
        email.lower(): supported(language)
        for email, language in User.objects.filter(
            email__in=[e.lower() for e in emails]
        ).values_list("email", "language")
    }
    groups: dict[str, list[str]] = {}
    for email in emails:
        language = known.get(email.lower()) or settings.LANGUAGE_CODE
        groups.setdefault(language, []).append(email)
    return groups


def switch_language_adopt(sender, request, user, **kwargs) -> None:
    """On sign-in (the `user_logged_in` signal): a person without a language setting who
    chose a language with the switch while signed out keeps that choice as their setting,
    so the page does not change language when they sign in, and mail follows it. Only the
    switch's cookie counts, an explicit choice; the browser's Accept-Language does not."""
    if request is None or getattr(user, "language", "x"):
        return
    language = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if language:
        from accounts.services import user_language_set

        user_language_set(user=user, language=language)
