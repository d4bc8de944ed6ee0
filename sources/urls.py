from __future__ import annotations

from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("kennisbronnen/", views.source_list, name="list"),
    path("kennisbronnen/suggest/", views.source_suggest, name="suggest"),
    path("kennisbronnen/review/", views.source_review, name="review"),
    path("kennisbronnen/review/<str:ref>/approve/", views.source_approve, name="approve"),
    path("kennisbronnen/review/<str:ref>/reject/", views.source_reject, name="reject"),
    path("kennisbronnen/<str:ref>/", views.source_detail, name="detail"),
]
