from __future__ import annotations

from django.urls import path

from home import views

app_name = "home"

urlpatterns = [
    path("", views.start, name="start"),
    path("dismiss/", views.start_dismiss, name="start_dismiss"),
    path("<slug:step>/", views.start_step, name="start_step"),
    path("<slug:step>/draft/", views.start_draft, name="start_draft"),
]
