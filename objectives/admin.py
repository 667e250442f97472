"""Staff read objectives, their owners and rep targets here; they change them through the
pages or the API, whose services check weights and refresh the check and the progress.
Deleting one is allowed: nothing else depends on it."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from objectives.models import Objective, Owner, RepTarget
from objectives.services import objective_delete


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OwnerInline(ReadOnlyInline):
    model = Owner
    fields = ("membership", "weight")


class RepTargetInline(ReadOnlyInline):
    model = RepTarget
    fields = ("membership", "target", "status")


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "metric", "target", "first_month", "last_month",
                    "shared", "status")  # fmt: skip
    list_filter = ("status", "shared", "metric")
    search_fields = ("title",)
    inlines = (OwnerInline, RepTargetInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Objective) -> None:
        objective_delete(objective=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for objective in queryset:
            objective_delete(objective=objective)
