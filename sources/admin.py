from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from network.search import search_results_changed, search_vectors_refresh
from sources import services
from sources.models import Source, SourceLink


class SourceLinkInline(admin.TabularInline):
    model = SourceLink
    extra = 1
    autocomplete_fields = ["initiative", "organisation"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """Staff edit sources here; approving goes through the service (as on the review page at
    /kennisbronnen/review/, where a rejection gets its reason)."""

    list_display = ["title", "author", "year", "kind", "status", "suggested_by", "created_at"]
    list_filter = ["status", "kind", "themes"]
    search_fields = ["title", "author", "ref"]
    # The state changes only through the services: the action below or the review page.
    readonly_fields = [
        "ref",
        "status",
        "rejection_reason",
        "suggested_by",
        "reviewed_by",
        "reviewed_at",
        "created_at",
        "updated_at",
    ]
    filter_horizontal = ["themes", "target_groups", "success_factors"]
    inlines = [SourceLinkInline]
    actions = ["approve"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.ref = services.source_ref_generate()
            obj.reviewed_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        search_vectors_refresh(Source, [form.instance.pk])

    def delete_model(self, request, obj) -> None:
        services.source_delete(source=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for source in queryset:
            services.source_delete(source=source, actor=request.user)
        search_results_changed()

    @admin.action(description=_("Approve the selected sources"))
    def approve(self, request, queryset) -> None:
        count = 0
        for source in queryset.exclude(status=Source.Status.APPROVED):
            services.source_approve(source=source, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d source approved.", "%(count)d sources approved.", count)
            % {"count": count},
            messages.SUCCESS,
        )
