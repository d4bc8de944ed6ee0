from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from network.models import (
    Fund,
    Initiative,
    Invitation,
    Language,
    Membership,
    Municipality,
    Organisation,
    Person,
    RetiredRef,
    Role,
    SuccessFactor,
    TargetGroup,
    Theme,
)
from network.search import VECTOR_FIELDS, search_vectors_refresh
from network.services.refs import ref_retire


class NetworkRecordAdmin(admin.ModelAdmin):
    """Edits in the admin keep search current, and deleted records' refs are retired so
    they are never reused (CONTRACTS.md §1)."""

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if self.model in VECTOR_FIELDS:
            search_vectors_refresh(self.model, [form.instance.pk])

    def delete_model(self, request, obj) -> None:
        ref_retire(ref=obj.ref, kind=self.model._meta.model_name)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for ref in queryset.values_list("ref", flat=True):
            ref_retire(ref=ref, kind=self.model._meta.model_name)
        super().delete_queryset(request, queryset)


class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_nl", "name_en", "position"]
    ordering = ["position"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # The slugs are a public contract (CONTRACTS.md §2): never removed.
        return False


for model in (Theme, TargetGroup, SuccessFactor, Role, Language):
    admin.site.register(model, TaxonomyAdmin)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "latitude", "longitude"]
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["person"]


@admin.register(Organisation)
class OrganisationAdmin(NetworkRecordAdmin):
    list_display = ["name", "ref", "kind", "municipality", "verified", "open_to_matching"]
    list_filter = ["verified", "kind", "open_to_matching", "municipality"]
    search_fields = ["name", "ref"]
    readonly_fields = ["ref", "created_at", "updated_at"]
    filter_horizontal = ["themes", "target_groups", "languages"]
    inlines = [MembershipInline]
    actions = ["mark_verified"]

    @admin.action(description=_("Mark as verified"))
    def mark_verified(self, request, queryset: QuerySet[Organisation]) -> None:
        queryset.update(verified=True)


@admin.register(Person)
class PersonAdmin(NetworkRecordAdmin):
    list_display = ["name", "ref", "municipality", "visibility", "open_to_matching", "user"]
    list_filter = ["visibility", "open_to_matching", "roles", "municipality"]
    search_fields = ["name", "ref", "email", "user__email"]
    readonly_fields = ["ref", "created_at", "updated_at"]
    raw_id_fields = ["user"]
    filter_horizontal = ["roles", "languages", "themes", "target_groups"]


@admin.register(Initiative)
class InitiativeAdmin(NetworkRecordAdmin):
    list_display = ["title", "ref", "organisation", "municipality", "status", "updated_at"]
    list_filter = ["status", "themes", "municipality"]
    search_fields = ["title", "ref", "summary", "lessons"]
    readonly_fields = ["ref", "created_at", "updated_at"]
    raw_id_fields = ["organisation", "leader"]
    filter_horizontal = ["themes", "target_groups", "success_factors", "funders"]
    autocomplete_fields = ["partners"]


@admin.register(Fund)
class FundAdmin(NetworkRecordAdmin):
    list_display = ["name", "ref", "website"]
    search_fields = ["name", "ref"]
    readonly_fields = ["ref", "created_at", "updated_at"]
    filter_horizontal = ["themes", "target_groups"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email", "organisation__name"]
    readonly_fields = ["token_hash"]


@admin.register(RetiredRef)
class RetiredRefAdmin(admin.ModelAdmin):
    list_display = ["ref", "kind", "retired_at"]
    search_fields = ["ref"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
