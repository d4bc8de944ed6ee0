from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from allauth.account.authentication import get_authentication_records
from allauth.account.decorators import secure_admin_login
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import AdminSite
from django.contrib.auth import logout
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User


def _staff_second_step(request: HttpRequest) -> str:
    """Where a signed-in staff member stands with two-factor authentication for the admin:
    "ok", "sign_in_again" (TOTP is on but this session never passed it, for example one
    made before the admin moved behind allauth) or "set_up" (BRUGGEN_STAFF_REQUIRE_MFA is
    on and the person has no authenticator app)."""
    user = request.user
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        records = get_authentication_records(request, user)
        return "ok" if any(r.get("method") == "mfa" for r in records) else "sign_in_again"
    return "set_up" if getattr(settings, "BRUGGEN_STAFF_REQUIRE_MFA", False) else "ok"


def _admin_login(login_view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The admin's sign-in is allauth's (its rate limits and second step apply); a staff
    member who still needs the second step is sent where they can take it."""
    secured = secure_admin_login(login_view)

    @wraps(login_view)
    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            step = _staff_second_step(request)
            if step == "set_up":
                messages.warning(
                    request,
                    gettext(
                        "The admin asks for two-factor authentication. Turn on an "
                        "authenticator app first; then open the admin again."
                    ),
                )
                return redirect("mfa_activate_totp")
            if step == "sign_in_again":
                logout(request)
                messages.warning(
                    request,
                    gettext(
                        "Sign in again with the code from your authenticator app to open the admin."
                    ),
                )
                return secured(request, *args, **kwargs)
        return secured(request, *args, **kwargs)

    return view


def admin_site_secure(site: AdminSite) -> None:
    """Put the admin behind allauth's sign-in with two-factor authentication
    (docs/accounts.md). config/urls.py calls this for the default site."""
    site.login = _admin_login(site.login)
    has_permission = site.has_permission

    def has_permission_with_second_step(request: HttpRequest) -> bool:
        return has_permission(request) and _staff_second_step(request) == "ok"

    site.has_permission = has_permission_with_second_step


def staff_area(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff page outside the admin (the import, matching rounds): the same gate as the
    admin itself, so its sign-in, rate limits and second step apply there too. Anyone else
    is sent to the admin's sign-in, as the admin does."""

    @wraps(view)
    def gated(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # admin.site is looked up per request: config/urls.py secures it after import.
        return admin.site.admin_view(view)(request, *args, **kwargs)

    return gated


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["name"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "scopes", "created_at", "last_used_at", "expires_at"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["prefix", "key_hash", "scopes", "created_at", "last_used_at"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request) -> bool:
        # Tokens are made on the account page or with `manage.py create_api_token`,
        # which show the secret once; the admin could not.
        return False
