from __future__ import annotations

from django.contrib import admin

from outreach.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Staff see invitations and their counts, never the responders' names or contacts:
    those are for the key figure who was given them (docs/outreach.md)."""

    list_display = ("title", "initiative", "key_figure", "starts_at", "expires_at", "withdrawn_at")
    list_filter = ("language",)
    search_fields = ("title", "initiative__title", "key_figure__name")
    readonly_fields = ("key_figure", "initiative", "created_at", "expires_at")
    fields = (
        "key_figure",
        "initiative",
        "title",
        "starts_at",
        "place",
        "note",
        "language",
        "created_at",
        "expires_at",
        "withdrawn_at",
    )
    list_select_related = ("initiative", "key_figure")
