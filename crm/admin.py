"""Staff's view of CRM records; lifecycle and pipeline stages are configured here per organisation."""

from django.contrib import admin

from crm.models import (
    Activity,
    Campaign,
    Channel,
    Company,
    Deal,
    ImportJob,
    ImportPreset,
    Lead,
    LeadStageChange,
    LifecycleStage,
    PipelineStage,
)


@admin.register(LifecycleStage, PipelineStage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["organization", "position", "code", "name"]
    list_filter = ["organization"]
    ordering = ["organization", "position"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["organization", "code", "name"]
    list_filter = ["organization"]
    search_fields = ["code", "name"]


class StageChangeInline(admin.TabularInline):
    model = LeadStageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "at", "by", "source"]
    can_delete = False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "stage", "channel", "created_at"]
    list_filter = ["organization", "stage"]
    search_fields = ["name", "email", "external_id"]
    raw_id_fields = ["company", "campaign", "owner", "channel"]
    readonly_fields = [
        "stage",
        "stage_changed_at",
    ]  # stages change through the product, which records them
    inlines = [StageChangeInline]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "status", "kind", "amount", "closed_at"]
    list_filter = ["organization", "status", "kind"]
    search_fields = ["name", "external_id"]
    raw_id_fields = ["lead", "company", "owner"]


@admin.register(Company, Campaign, Activity, ImportPreset)
class RecordAdmin(admin.ModelAdmin):
    list_filter = ["organization"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "organization",
        "kind",
        "status",
        "created",
        "updated",
        "rejected",
        "created_at",
    ]
    list_filter = ["organization", "status"]
    readonly_fields = ["mapping", "error", "error_report"]
