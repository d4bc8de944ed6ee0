from __future__ import annotations

from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path("reach/", views.invitation_list, name="invitation_list"),
    path("reach/new/", views.invitation_create, name="invitation_create"),
    path("reach/<int:pk>/", views.invitation_detail, name="invitation_detail"),
    path(
        "reach/<int:pk>/flyer-<str:language>.pdf", views.invitation_flyer, name="invitation_flyer"
    ),
    path("reach/<int:pk>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
    path("come/<str:token>/", views.respond, name="respond"),
    path("initiatives/<str:ref>/reach/", views.initiative_reach, name="initiative_reach"),
]
