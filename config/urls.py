from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language

from accounts import views as account_views
from config.api import api
from config.api import not_found as api_not_found

urlpatterns = [
    path("", account_views.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("network.urls")),
    path("", include("matching.urls")),
    path("", include("messaging.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<unmatched>.*)$", api_not_found),
    path("admin/network/", include("network.admin_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Rendered without context processors; a database outage answers 503 (config/outage.py).
handler500 = "config.outage.server_error"
