from __future__ import annotations

from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("needs/", views.need_list, name="need_list"),
    path("needs/<str:ref>/", views.need_detail, name="need_detail"),
    path("needs/<str:ref>/edit/", views.need_edit, name="need_edit"),
    path("needs/<str:ref>/close/", views.need_close, name="need_close"),
    path("organisations/<str:ref>/needs/new/", views.need_create, name="need_create"),
    path("proposals/<int:pk>/feedback/", views.proposal_feedback, name="proposal_feedback"),
    path("proposals/<int:pk>/<slug:action>/", views.proposal_action, name="proposal_action"),
    path("requests/", views.requests, name="requests"),
    path("matching/rounds/", views.round_list, name="round_list"),
    path("matching/rounds/<int:pk>/", views.round_detail, name="round_detail"),
]
