from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from accounts.admin import admin_site_secure
from accounts.views import language_switch
from config.api import api
from config.api import not_found as api_not_found
from home import views as home_views

# The admin signs in through allauth: its rate limits and two-factor authentication apply.
admin_site_secure(admin.site)

urlpatterns = [
    path("", home_views.home, name="home"),
    path("start/", include("home.urls")),
    path("i18n/setlang/", language_switch, name="set_language"),
    path("", include("network.urls")),
    path("", include("matching.urls")),
    path("", include("messaging.urls")),
    path("", include("sources.urls")),
    path("", include("outreach.urls")),
    path("", include("stories.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<unmatched>.*)$", api_not_found),
    path("admin/network/", include("network.admin_urls")),
    path("admin/", admin.site.urls),
]

# No static() for MEDIA_URL, not even with DEBUG: uploaded files are conversations'
# attachments, served only through messaging's participant-checked view.

# Rendered without context processors; a database outage answers 503 (config/outage.py).
handler500 = "config.outage.server_error"
