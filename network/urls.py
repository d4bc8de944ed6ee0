from __future__ import annotations

from django.urls import path

from network import views

app_name = "network"

urlpatterns = [
    path("initiatives/", views.initiative_list, name="initiative_list"),
    path("initiatives/overview/", views.knowledge_bank_overview, name="overview"),
    path("initiatives/overview/<slug:dimension>.svg", views.knowledge_bank_chart, name="chart"),
    path("initiatives/<str:ref>/", views.initiative_detail, name="initiative_detail"),
    path("initiatives/<str:ref>/edit/", views.initiative_edit, name="initiative_edit"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_register, name="organisation_register"),
    path("organisations/<str:ref>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<str:ref>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<str:ref>/members/", views.organisation_members, name="organisation_members"
    ),
    path(
        "organisations/<str:ref>/members/<str:person_ref>/remove/",
        views.organisation_member_remove,
        name="organisation_member_remove",
    ),
    path("organisations/<str:ref>/leave/", views.organisation_leave, name="organisation_leave"),
    path(
        "organisations/<str:ref>/initiatives/new/",
        views.initiative_create,
        name="initiative_create",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("names/suggest/", views.name_suggest, name="name_suggest"),
    path("people/", views.person_list, name="person_list"),
    path("people/claim/<str:token>/", views.person_claim, name="person_claim"),
    path("people/<str:ref>/", views.person_detail, name="person_detail"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("funds/", views.fund_list, name="fund_list"),
    path("funds/<str:ref>/", views.fund_detail, name="fund_detail"),
]
