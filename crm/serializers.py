"""API shapes of CRM records. Related records are named by id (channels by code) and must
belong to the caller's organisation; writes go through crm.services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from crm.models import Activity, Campaign, Channel, Company, Deal, ImportJob, Lead, LeadStageChange
from crm.selectors import related_choices
from smarketing.bounds import validate_business_date


class OrgScopedSerializer(serializers.ModelSerializer):
    """Limits every related field to rows of the caller's organisation (crm.selectors)."""

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        organization = getattr(self.context.get("request"), "organization", None)
        for name, field in fields.items():
            if isinstance(field, serializers.RelatedField) and not field.read_only:
                choices = related_choices(name, organization)
                if choices is not None:
                    field.queryset = choices
        return fields


class ChannelSerializer(OrgScopedSerializer):
    code = serializers.CharField(
        max_length=50, help_text="Normalised: 'Trade Fairs' becomes trade_fairs."
    )

    class Meta:
        model = Channel
        fields = ["id", "code", "name"]


def channel_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code", queryset=Channel.objects.none(), required=False, allow_null=True
    )


class CampaignSerializer(OrgScopedSerializer):
    channel = channel_field()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "external_id",
            "name",
            "channel",
            "start_date",
            "end_date",
            "budget",
            "actual_cost",
            "status",
            "owner",
        ]


class CompanySerializer(OrgScopedSerializer):
    class Meta:
        model = Company
        fields = [
            "id",
            "external_id",
            "name",
            "industry",
            "employees",
            "annual_revenue",
            "country",
            "parent",
        ]


class LeadSerializer(OrgScopedSerializer):
    channel = channel_field()
    stage = serializers.SlugField(required=False)

    class Meta:
        model = Lead
        fields = [
            "id",
            "external_id",
            "name",
            "email",
            "phone",
            "title",
            "company",
            "country",
            "city",
            "channel",
            "campaign",
            "owner",
            "created_at",
            "stage",
            "stage_changed_at",
            "updated_at",
        ]
        read_only_fields = ["stage_changed_at", "updated_at"]


class StageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadStageChange
        fields = ["id", "from_stage", "to_stage", "at", "by", "source"]


class StageMoveSerializer(serializers.Serializer):
    stage = serializers.SlugField()
    at = serializers.DateTimeField(
        required=False,
        validators=[validate_business_date],
        help_text="When the move happened; now by default; from 1990 to 2100.",
    )


class DealSerializer(OrgScopedSerializer):
    class Meta:
        model = Deal
        fields = [
            "id",
            "external_id",
            "name",
            "lead",
            "company",
            "owner",
            "product",
            "amount",
            "currency",
            "status",
            "pipeline_stage",
            "created_at",
            "closed_at",
            "lost_reason",
            "kind",
            "updated_at",
        ]
        read_only_fields = ["kind", "updated_at"]
        extra_kwargs = {"currency": {"required": False}}


class ActivitySerializer(OrgScopedSerializer):
    class Meta:
        model = Activity
        fields = ["id", "external_id", "lead", "deal", "kind", "at", "by", "outcome", "notes"]


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "file_name",
            "mapping",
            "status",
            "rows_total",
            "rows_done",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportStartSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX")
    mapping = serializers.JSONField(help_text="The mapping document, as in docs/import-examples/")


class MergeSerializer(OrgScopedSerializer):
    class Meta:
        model = Lead
        fields = ["duplicate"]

    duplicate = serializers.PrimaryKeyRelatedField(
        queryset=Lead.objects.none(), help_text="The lead merged into this one."
    )
