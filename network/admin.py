from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from network.forms import vocabularies_forget
from network.models import (
    Fund,
    Initiative,
    Invitation,
    Language,
    Membership,
    Municipality,
    Obstacle,
    Organisation,
    Person,
    RetiredRef,
    Role,
    SuccessFactor,
    TargetGroup,
    Theme,
)
from network.search import (
    VECTOR_FIELDS,
    search_results_changed,
    search_vectors_refresh,
    vocabularies_changed,
)
from network.services import initiatives as initiative_services
from network.services import organisations as organisation_services
from network.services import people as people_services
from network.services.initiatives import INITIATIVE_FIELDS, INITIATIVE_STAFF_FIELDS
from network.services.organisations import ORGANISATION_FIELDS, ORGANISATION_STAFF_FIELDS
from network.services.people import PERSON_FIELDS, PERSON_STAFF_FIELDS
from network.services.refs import ref_retire


class NetworkRecordAdmin(admin.ModelAdmin):
    """Edits in the admin keep search current, and deleted records' refs are retired so
    they are never reused (docs/contracts.md §1). For funds: they have no service, and nothing
    else (matching) hears of them."""

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if self.model in VECTOR_FIELDS:
            search_vectors_refresh(self.model, [form.instance.pk])

    def delete_model(self, request, obj) -> None:
        ref_retire(ref=obj.ref, kind=self.model._meta.model_name)
        super().delete_model(request, obj)
        search_results_changed()

    def delete_queryset(self, request, queryset) -> None:
        for ref in queryset.values_list("ref", flat=True):
            ref_retire(ref=ref, kind=self.model._meta.model_name)
        super().delete_queryset(request, queryset)
        search_results_changed()


def _declared(model, writable: frozenset[str]) -> list[str]:
    """The admin page's fields: the ones the service declares, in the model's order, between
    the read-only ref and dates."""
    declared = [f.name for f in model._meta.get_fields() if f.name in writable]
    return ["ref", *declared, "created_at", "updated_at"]


def _adopt(obj, saved) -> None:
    """The admin goes on with the instance its form built (for the change log and the
    redirect): give it the row the service saved."""
    obj.__dict__.update({key: value for key, value in saved.__dict__.items() if key != "_state"})
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceAdmin(admin.ModelAdmin):
    """An admin that writes through the services, as the pages and the API do: the same
    declared fields, permission checks, search refresh and `profile_changed` notice (so the
    matching index hears of every edit). The form shows only the declared fields."""

    readonly_fields = ["ref", "created_at", "updated_at"]

    def create(self, *, actor, data: dict):
        raise NotImplementedError

    def update(self, *, record, actor, data: dict):
        raise NotImplementedError

    def delete(self, *, record, actor) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
        if change:
            # A fresh copy: the form has already written its values onto `obj`, and a service
            # compares before with after (an initiative's previous leader hears of the change).
            saved = self.update(
                record=self.model.objects.get(pk=obj.pk), actor=request.user, data=data
            )
        else:
            saved = self.create(actor=request.user, data=data)
        _adopt(obj, saved)

    def save_related(self, request, form, formsets, change) -> None:
        # The service has set the many-to-many fields already: only inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj) -> None:
        self.delete(record=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for record in queryset:
            self.delete(record=record, actor=request.user)


class VocabularyAdmin(admin.ModelAdmin):
    """Taxonomies and municipalities: their names are in the knowledge bank's cached filter
    form and results (network.search.fragments_cached), so a change makes them stale."""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        self.changed()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        self.changed()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        self.changed()

    @staticmethod
    def changed() -> None:
        vocabularies_forget()
        vocabularies_changed()


class TaxonomyAdmin(VocabularyAdmin):
    list_display = ["slug", "name_nl", "name_en", "name_ar", "name_tr", "position"]
    ordering = ["position"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # The slugs are a public contract (docs/contracts.md §2): never removed.
        return False


for model in (Theme, TargetGroup, SuccessFactor, Obstacle, Role, Language):
    admin.site.register(model, TaxonomyAdmin)


@admin.register(Municipality)
class MunicipalityAdmin(VocabularyAdmin):
    list_display = ["name", "province", "latitude", "longitude"]
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    """Shown, not edited here: members join by invitation and leave or change role on the
    organisation's members page (which staff may use), where the last admin is kept."""

    model = Membership
    extra = 0
    fields = ["person", "role", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    list_display = ["name", "ref", "kind", "municipality", "verified", "open_to_matching"]
    list_filter = ["verified", "kind", "open_to_matching", "municipality"]
    search_fields = ["name", "ref"]
    fields = _declared(Organisation, frozenset((*ORGANISATION_FIELDS, *ORGANISATION_STAFF_FIELDS)))
    filter_horizontal = ["themes", "target_groups", "languages"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as on the site
    inlines = [MembershipInline]
    actions = ["mark_verified"]

    def create(self, *, actor, data: dict) -> Organisation:
        return organisation_services.organisation_create(actor=actor, data=data)

    def update(self, *, record, actor, data: dict) -> Organisation:
        return organisation_services.organisation_update(
            organisation=record, actor=actor, data=data
        )

    def delete(self, *, record, actor) -> None:
        organisation_services.organisation_delete(organisation=record, actor=actor)

    @admin.action(description=_("Mark as verified"))
    def mark_verified(self, request, queryset: QuerySet[Organisation]) -> None:
        for organisation in queryset:
            organisation_services.organisation_update(
                organisation=organisation, actor=request.user, data={"verified": True}
            )


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
    list_display = ["name", "ref", "municipality", "visibility", "open_to_matching", "user"]
    list_filter = ["visibility", "open_to_matching", "roles", "municipality"]
    search_fields = ["name", "ref", "email", "user__email"]
    fields = _declared(Person, frozenset((*PERSON_FIELDS, *PERSON_STAFF_FIELDS)))
    raw_id_fields = ["user"]
    filter_horizontal = ["roles", "languages", "themes", "target_groups"]

    def create(self, *, actor, data: dict) -> Person:
        return people_services.person_create(actor=actor, data=data)

    def update(self, *, record, actor, data: dict) -> Person:
        return people_services.person_update(person=record, actor=actor, data=data)

    def delete(self, *, record, actor) -> None:
        people_services.person_erase(person=record)


@admin.register(Initiative)
class InitiativeAdmin(ServiceAdmin):
    list_display = ["title", "ref", "organisation", "municipality", "status", "updated_at"]
    list_filter = ["status", "themes", "municipality"]
    search_fields = ["title", "ref", "summary", "lessons"]
    fields = _declared(Initiative, frozenset((*INITIATIVE_FIELDS, *INITIATIVE_STAFF_FIELDS)))
    raw_id_fields = ["organisation", "leader"]
    filter_horizontal = ["themes", "target_groups", "success_factors", "funders"]
    autocomplete_fields = ["partners"]

    def create(self, *, actor, data: dict) -> Initiative:
        organisation = data.pop("organisation", None)
        return initiative_services.initiative_create(
            organisation=organisation, actor=actor, data=data
        )

    def update(self, *, record, actor, data: dict) -> Initiative:
        return initiative_services.initiative_update(initiative=record, actor=actor, data=data)

    def delete(self, *, record, actor) -> None:
        initiative_services.initiative_delete(initiative=record, actor=actor)


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
