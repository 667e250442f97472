from django.contrib import admin

from objectives.models import Objective, Owner, RepTarget


class OwnerInline(admin.TabularInline):
    model = Owner
    extra = 0
    raw_id_fields = ("membership",)


class RepTargetInline(admin.TabularInline):
    model = RepTarget
    extra = 0
    raw_id_fields = ("membership",)
    readonly_fields = ("status", "progress")


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "metric", "target", "first_month", "last_month",
                    "shared", "status")  # fmt: skip
    list_filter = ("status", "shared", "metric")
    search_fields = ("title",)
    raw_id_fields = ("organization", "channel", "campaign", "persona", "plan", "created_by")
    readonly_fields = ("smart", "checked_at", "progress", "progress_as_of", "status")
    inlines = (OwnerInline, RepTargetInline)
