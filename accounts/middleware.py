from __future__ import annotations

from django.utils import translation

from accounts.i18n import supported


class UserLanguageMiddleware:
    """The signed-in person's language setting wins over the cookie and Accept-Language
    that LocaleMiddleware read; without a setting LocaleMiddleware's choice stands. The
    switch (accounts.views.language_switch) saves a signed-in person's choice as their
    setting, so the two never disagree. Runs after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = supported(getattr(user, "language", ""))
            if language and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
