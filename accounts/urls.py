from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("language/", views.language_save, name="language"),
    path("export/", views.data_export, name="export"),
    path("delete/", views.account_delete, name="delete"),
]
