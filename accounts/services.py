"""Writes for identity: API tokens, personal data export and account deletion.

Domain apps hold personal data too (profiles, memberships, messages). `accounts` imports no
domain app, so each registers a provider here from its AppConfig.ready(): `export` returns
its part of a person's data, `erase` removes it before the account goes.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User

TOKEN_PREFIX = "brg_"  # noqa: S105 - a public marker, not a secret
TOKEN_MAX_PER_USER = 20


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """Save the person's interface language ("" follows the switch and the browser)."""
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["language"])
    return user


def api_token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


API_TOKEN_SCOPES = tuple(ApiToken.Scope.values)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    expires_in_days: int | None = None,
    scopes: Sequence[str] = API_TOKEN_SCOPES,
) -> tuple[ApiToken, str]:
    """Make a token; returns it with its secret, which is never stored and shown once.

    The account page asks for recent authentication before it calls this
    (accounts.views.token_create); the command line is trusted as the server's operator."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, so you recognise it later.")})
    if user.api_tokens.count() >= TOKEN_MAX_PER_USER:
        raise ValidationError(
            _("You have %(max)d tokens already; revoke one first.") % {"max": TOKEN_MAX_PER_USER}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        key_hash=api_token_hash(secret),
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
        scopes=" ".join(scopes),
    )
    token.full_clean()
    token.save()
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> bool:
    deleted, _details = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


def api_token_scope_required(method: str) -> str:
    """The one rule for scopes: reading needs `read`, any change needs `write`."""
    return ApiToken.Scope.READ if method.upper() in SAFE_METHODS else ApiToken.Scope.WRITE


def api_token_authenticate(*, secret: str, method: str = "GET") -> User | None:
    """The active user a token belongs to, or None for an unknown, expired or malformed one.

    A valid token without the scope that `method` needs raises PermissionDenied (the API
    answers 403 with its message), before anything is read or written. The user comes
    back with `api_token_scopes`, so endpoints can ask for finer scopes later."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=api_token_hash(secret), user__is_active=True)
        .first()
    )
    if token is None or token.is_expired:
        return None
    now = timezone.now()
    # Write at most once a minute: a busy script must not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    needed = api_token_scope_required(method)
    if needed not in token.scope_set:
        if needed == ApiToken.Scope.WRITE:
            raise PermissionDenied(
                "This token may only read (scope 'read'): it cannot change anything. "
                "Make a token with the 'write' scope on your account page."
            )
        raise PermissionDenied(
            "This token may only write (scope 'write'): it cannot read. "
            "Make a token with the 'read' scope on your account page."
        )
    user = token.user
    user.api_token_scopes = token.scope_set
    return user


@dataclass(frozen=True)
class PersonalDataStep:
    """One app's part of a person's data: what it exports and how it erases it.

    `before` and `after` name the steps this one must run before or after when erasing:
    a step that finds the person through another app's rows runs before that app's step
    removes them (messaging and matching find the person through the network's profile).
    """

    name: str
    export: Callable[[User], Any]
    erase: Callable[[User], None]
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


_steps: dict[str, PersonalDataStep] = {}


def personal_data_register(
    *,
    name: str,
    export: Callable[[User], Any],
    erase: Callable[[User], None],
    before: Sequence[str] = (),
    after: Sequence[str] = (),
) -> None:
    """Called by a domain app's AppConfig.ready(); registering a name again replaces it.

    The order is checked when the plan is computed: by `manage.py check` and `migrate`
    (accounts.checks, run before any server starts) and on every export and deletion."""
    _steps[name] = PersonalDataStep(
        name=name, export=export, erase=erase, before=tuple(before), after=tuple(after)
    )


def personal_data_plan() -> list[PersonalDataStep]:
    """The registered steps in the order erasure runs them: every `before`/`after` holds;
    otherwise registration order. A name that is not registered, or a cycle, is an
    ImproperlyConfigured error: a half-erased person must not be possible."""
    must_follow: dict[str, set[str]] = {name: set() for name in _steps}
    for step in _steps.values():
        for other in (*step.before, *step.after):
            if other not in _steps:
                raise ImproperlyConfigured(
                    f"Personal data step {step.name!r} refers to {other!r}, which no app "
                    f"registers (known: {', '.join(sorted(_steps))})."
                )
        for other in step.before:
            must_follow[other].add(step.name)
        for other in step.after:
            must_follow[step.name].add(other)
    ordered: list[PersonalDataStep] = []
    done: set[str] = set()
    while len(ordered) < len(_steps):
        ready = [
            step for name, step in _steps.items() if name not in done and must_follow[name] <= done
        ]
        if not ready:
            stuck = sorted(name for name in _steps if name not in done)
            raise ImproperlyConfigured(
                f"Personal data steps {', '.join(stuck)} wait for each other in a cycle."
            )
        ordered.append(ready[0])
        done.add(ready[0].name)
    return ordered


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about a person, as JSON-ready data."""
    data: dict[str, Any] = {
        "format": "bruggen-personal-data/1",
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "name": user.name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_staff": user.is_staff,
            "language": user.language,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "two_factor_authentication": [
            {
                "type": auth.type,
                "created_at": _iso(auth.created_at),
                "last_used_at": _iso(auth.last_used_at),
            }
            for auth in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created_at": _iso(token.created_at),
                "last_used_at": _iso(token.last_used_at),
                "expires_at": _iso(token.expires_at),
            }
            for token in user.api_tokens.all()
        ],
    }
    for step in personal_data_plan():
        data[step.name] = step.export(user)
    return data


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete a person's account and personal data; organisations' own data stays.

    Each app's step runs in the plan's order (docs/accounts.md says what each removes and
    what stays, and why), then the account goes with its addresses, MFA and tokens."""
    for step in personal_data_plan():
        step.erase(user)
    user.delete()
