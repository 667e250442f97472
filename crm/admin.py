"""Staff's view of CRM records; lifecycle and pipeline stages are configured here per organisation."""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

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
from crm.services.deletes import record_delete, records_delete
from crm.services.records import record_save_as_staff
from crm.services.stages import Stage, stage_delete, stage_removal_refused, stage_update


class DeletesThroughServices(admin.ModelAdmin):
    """Saves and deletes, of one record or of a selection (the bulk action), go through the
    services: they mark the KPI cells the records counted in, which a plain save or delete
    would leave stale and claiming to be fresh."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        record_save_as_staff(obj)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        record_delete(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # Staff select across organisations; each delete is within one.
        selected: dict[int, list[int]] = {}
        for organization_id, pk in queryset.values_list("organization_id", "pk"):
            selected.setdefault(organization_id, []).append(pk)
        for organization_id, ids in sorted(selected.items()):
            records_delete(self.model, organization_id=organization_id, ids=ids)


@admin.register(LifecycleStage, PipelineStage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["organization", "position", "code", "name"]
    list_filter = ["organization"]
    ordering = ["organization", "position"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """A stage's code stays (history refers to it), and so does its role here: the roles
        are the organisation's configuration, set with its stages."""
        roles = ["role"] if self.model is LifecycleStage else []
        return ["organization", "code", *roles] if obj else roles

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """A change goes through stage_update, as on the stages page: an exit stage or a
        move reshapes every count by stage, so every KPI cell is marked."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        stored = type(obj).objects.get(pk=obj.pk)
        stage_update(
            stage=stored,
            name=obj.name,
            position=obj.position,
            is_exit=getattr(obj, "is_exit", False),
        )

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """A stage the product would keep (in use, or the customer stage) is listed as
        protected: the admin then refuses, as it does for a channel in use."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = [refusal for stage in objs if (refusal := stage_removal_refused(stage))]
        return deleted, counts, perms_needed, [*protected, *refusals]

    def delete_model(self, request: HttpRequest, obj: Stage) -> None:
        stage_delete(stage=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for stage in queryset:
            stage_delete(stage=stage)


@admin.register(Channel)
class ChannelAdmin(DeletesThroughServices):
    list_display = ["organization", "code", "name"]
    list_filter = ["organization"]
    search_fields = ["code", "name"]


class StageChangeInline(admin.TabularInline):
    model = LeadStageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "at", "by", "source"]
    can_delete = False


@admin.register(Lead)
class LeadAdmin(DeletesThroughServices):
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
class DealAdmin(DeletesThroughServices):
    list_display = ["__str__", "organization", "status", "kind", "amount", "closed_at"]
    list_filter = ["organization", "status", "kind"]
    search_fields = ["name", "external_id"]
    raw_id_fields = ["lead", "company", "owner"]


@admin.register(Company, Campaign, Activity)
class RecordAdmin(DeletesThroughServices):
    list_filter = ["organization"]


@admin.register(ImportPreset)
class ImportPresetAdmin(admin.ModelAdmin):
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
