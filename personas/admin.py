"""Staff's view of personas: read-mostly. Versions change and are approved through the
product (personas.services), which keeps an approved version fixed and records who approved
which side; the admin shows them and archives through the service."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from personas.models import Approval, Criterion, Persona, PersonaVersion
from personas.services import persona_archive


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ["position", "kind", "weight", "params"]


class ApprovalInline(ReadOnlyInline):
    model = Approval
    fields = ["side", "by", "at", "stood_in_as_admin"]


class VersionInline(ReadOnlyInline):
    model = PersonaVersion
    fields = ["number", "name", "threshold", "approved_at", "created_at"]
    show_change_link = True


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "created_at", "archived_at"]
    list_filter = ["organization"]
    readonly_fields = ["organization", "created_by", "created_at", "archived_at"]
    inlines = [VersionInline]
    actions = ["archive"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a persona starts in the product, where both teams approve it

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Archive the selected personas"))
    def archive(self, request: HttpRequest, queryset: QuerySet[Persona]) -> None:
        for persona in queryset:
            persona_archive(persona=persona)


@admin.register(PersonaVersion)
class PersonaVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "number", "threshold", "approved_at"]
    list_filter = ["organization"]
    search_fields = ["name"]
    inlines = [CriterionInline, ApprovalInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # history: what both teams agreed stays readable
