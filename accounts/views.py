from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from accounts import selectors, services
from accounts.forms import AccountDeleteForm, ApiTokenForm, LanguageForm
from accounts.i18n import supported


def _profile_context(request: HttpRequest, **extra) -> dict:
    return {
        "tokens": selectors.api_token_list(user=request.user),
        "token_form": ApiTokenForm(),
        "language_form": LanguageForm(initial={"language": request.user.language}),
        "mfa_types": set(
            Authenticator.objects.filter(user=request.user).values_list("type", flat=True)
        ),
        **extra,
    }


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", _profile_context(request))


@login_required
@require_POST
@reauthentication_required
def token_create(request: HttpRequest) -> HttpResponse:
    """A token acts for the person: making one asks for the password again when the last
    authentication is older than allauth's window (ACCOUNT_REAUTHENTICATION_TIMEOUT);
    allauth then replays this POST."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                scopes=form.cleaned_data["scopes"],
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            context = _profile_context(request, new_token=token, new_secret=secret)
            response = render(request, "accounts/profile.html", context)
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request, "accounts/profile.html", _profile_context(request, token_form=form), status=400
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if services.api_token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("The token is revoked; it no longer works."))
    else:
        messages.error(request, _("That token does not exist (any more)."))
    return redirect("accounts:profile")


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    data = services.personal_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"bruggen-personal-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = AccountDeleteForm(request.POST, user=user)
        if form.is_valid():
            services.account_delete(user=user)
            logout(request)
            messages.success(request, _("Your account and personal data have been deleted."))
            return redirect("home")
        return render(request, "accounts/delete.html", {"form": form}, status=400)
    return render(request, "accounts/delete.html", {"form": AccountDeleteForm(user=user)})


@login_required
@require_POST
def language_save(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/profile.html",
            _profile_context(request, language_form=form),
            status=400,
        )
    language = form.cleaned_data["language"]
    services.user_language_set(user=request.user, language=language)
    response = redirect("accounts:profile")
    if language:
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    messages.success(request, _("Your language is saved."))
    return response


def language_switch(request: HttpRequest) -> HttpResponse:
    """The switch in the header (URL name `set_language`): Django's set_language sets the
    cookie; for a signed-in person the choice also becomes their setting, so pages and
    mail follow it on every device."""
    response = set_language(request)
    language = supported(request.POST.get("language")) if request.method == "POST" else None
    if language and request.user.is_authenticated and request.user.language != language:
        services.user_language_set(user=request.user, language=language)
    return response
