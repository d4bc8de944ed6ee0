from __future__ import annotations

from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("conversations/", views.conversation_list, name="conversation_list"),
    path("conversations/new/", views.conversation_start, name="conversation_start"),
    path("conversations/search/", views.message_search, name="search"),
    path("conversations/settings/", views.messaging_settings, name="settings"),
    path("conversations/topics/", views.topic_list, name="topic_list"),
    path("conversations/topics/<slug:slug>/join/", views.topic_join, name="topic_join"),
    path("conversations/team/<str:ref>/", views.team_conversation, name="team"),
    path("conversations/moderation/", views.moderation_queue, name="moderation"),
    path(
        "conversations/moderation/<int:report_id>/",
        views.moderation_decide,
        name="moderation_decide",
    ),
    path("conversations/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation_detail"),
    path("conversations/<int:pk>/members/", views.conversation_members, name="members"),
    path("conversations/<int:pk>/leave/", views.conversation_leave, name="leave"),
    path(
        "conversations/<int:pk>/messages/<int:message_id>/edit/",
        views.message_edit,
        name="message_edit",
    ),
    path(
        "conversations/<int:pk>/messages/<int:message_id>/delete/",
        views.message_delete,
        name="message_delete",
    ),
    path(
        "conversations/<int:pk>/messages/<int:message_id>/report/",
        views.message_report,
        name="message_report",
    ),
    path(
        "conversations/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("notifications/", views.notification_list, name="notifications"),
]
