from __future__ import annotations

from django.contrib import admin

from messaging.models import Conversation, Message, Report


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "last_seq", "last_message_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    raw_id_fields = ["created_by", "organisation", "theme"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["message", "reporter", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["message", "reporter", "resolved_by"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "sent_at", "hidden_at", "deleted_at"]
    raw_id_fields = ["conversation", "author", "mentions"]
    readonly_fields = ["body_html"]
