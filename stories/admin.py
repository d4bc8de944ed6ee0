from django.contrib import admin

from stories.models import Story


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    """Staff look stories up here; reviewing goes through the review page (its service
    merges an approved story into the knowledge bank)."""

    list_display = ["title", "person", "organisation", "trigger", "status", "asked_at"]
    list_filter = ["status", "trigger"]
    list_select_related = ["person", "organisation"]
    search_fields = ["title", "person__name", "organisation__name"]
    raw_id_fields = ["person", "need", "proposal", "initiative", "organisation", "reviewed_by"]
    readonly_fields = [
        "subject",
        "status",
        "asked_at",
        "reminders_sent",
        "last_mailed_at",
        "saved_at",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "merged_at",
    ]
