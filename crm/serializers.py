"""API shapes of CRM records. Related records are named by id (channels by code) and must
belong to the caller's organisation; writes go through crm.services."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers

from crm.models import Activity, Campaign, Channel, Company, Deal, ImportJob, Lead, LeadStageChange
from crm.models.fields import validate_custom
from crm.selectors import related_choices
from smarketing.lib.api_parsers import refuse_nul
from smarketing.lib.bounds import validate_business_date
from smarketing.lib.extensions import extended_values


class OrgScopedSerializer(serializers.ModelSerializer):
    """Limits every related field to rows of the caller's organisation (crm.selectors).

    DRF builds a ModelSerializer's fields from the model for every instance, a millisecond
    a request; they depend on the class alone, so they are built once per class and each
    instance gets a copy (DRF's own deep copy). A related field is looked up only when the
    request sends it: those sent are scoped to the organisation (a queryset built each), the
    others find nothing."""

    # class -> its fields as built, and the related fields it scopes, each with no rows
    _built: ClassVar[dict[type, tuple[dict[str, Any], dict[str, QuerySet[Any]]]]] = {}

    def get_fields(self) -> dict[str, Any]:
        if type(self) not in OrgScopedSerializer._built:
            OrgScopedSerializer._built[type(self)] = self._build_fields()
        built, nothing = OrgScopedSerializer._built[type(self)]
        fields: dict[str, Any] = {name: _copy(field) for name, field in built.items()}
        sent = getattr(self, "initial_data", None)
        organization = getattr(self.context.get("request"), "organization", None)
        for name, empty in nothing.items():
            if sent is not None and (not isinstance(sent, Mapping) or name in sent):
                fields[name].queryset = related_choices(name, organization)
            else:
                fields[name].queryset = empty
        return fields

    def _build_fields(self) -> tuple[dict[str, Any], dict[str, QuerySet[Any]]]:
        fields = super().get_fields()
        nothing = {
            name: related_choices(name, None)
            for name, field in fields.items()
            if isinstance(field, serializers.RelatedField) and not field.read_only
        }
        return fields, {name: rows for name, rows in nothing.items() if rows is not None}


def _copy(field: serializers.Field) -> serializers.Field:
    """A field of its own for a serializer instance to bind: a field holding no other field
    (a child or a nested serializer) is copied shallow, its state (validators, choices) shared
    as read only; DRF's deep copy builds it again from its arguments (a third of a deal's
    write). Either copy keeps the queryset it was built with: get_fields resets it."""
    if (
        isinstance(field, serializers.BaseSerializer)
        or hasattr(field, "child")
        or hasattr(field, "child_relation")
    ):
        return copy.deepcopy(field)
    return copy.copy(field)


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


class CustomFieldsField(serializers.JSONField):
    """Checked as the model checks them (validate_custom), their names in lower case, as
    they are stored."""

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        try:
            validate_custom(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return {k.lower(): v for k, v in value.items()} if isinstance(value, dict) else value


def custom_fields() -> serializers.JSONField:
    return CustomFieldsField(
        required=False,
        allow_null=True,
        help_text="The record's own fields: a JSON object of at most 50 names, each a text "
        "(up to 100 characters), a number, true or false, or a list of at most 20 of them. "
        "Buyer personas' custom_field criteria read them (a lead's, else its company's).",
    )


class CompanySerializer(OrgScopedSerializer):
    custom = custom_fields()

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
            "custom",
        ]


class LeadSerializer(OrgScopedSerializer):
    channel = channel_field()
    stage = serializers.SlugField(required=False)
    custom = custom_fields()

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
            "custom",
            "channel",
            "campaign",
            "owner",
            "created_at",
            "stage",
            "stage_changed_at",
            "updated_at",
        ]
        read_only_fields = ["stage_changed_at", "updated_at"]

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        # What apps above add (the persona fit): read for a whole page by the list's view,
        # else here, for the one lead written.
        extended = self.context.get("extended")
        if extended is None:
            organization = getattr(self.context.get("request"), "organization", None)
            extended = extended_values("leads", organization, [instance.pk]) if organization else {}
        for name, values in extended.items():
            data[name] = values.get(instance.pk)
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # What the lead will hold: a PATCH keeps the fields it leaves out.
        held = {f: attrs.get(f, getattr(self.instance, f, "")) for f in Lead.IDENTITY}
        if not any(str(v or "").strip() for v in held.values()):
            raise serializers.ValidationError({"name": [Lead.NO_IDENTITY]})
        return attrs


class StageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadStageChange
        fields = ["id", "from_stage", "to_stage", "at", "by", "source", "detail"]


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
            "unassigned",
            "unassigned_owners",
            "channels_created",
            "sales_reps_created",
            "first_date",
            "last_date",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportStartSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX")
    mapping = serializers.JSONField(
        help_text="The mapping document, as in docs/import-examples/", validators=[refuse_nul]
    )


class MergeSerializer(OrgScopedSerializer):
    class Meta:
        model = Lead
        fields = ["duplicate"]

    duplicate = serializers.PrimaryKeyRelatedField(
        queryset=Lead.objects.none(), help_text="The lead merged into this one."
    )


# --- Query parameters of the lists: each is validated, so a bad one is a 400 naming it ---


def _id_filter(what: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, help_text=f"a {what}'s id")


def _code_filter(what: str, max_length: int) -> serializers.SlugField:
    return serializers.SlugField(required=False, max_length=max_length, help_text=f"a {what} code")


class RecordQuerySerializer(serializers.Serializer):
    """`?q=`: the records whose searched fields contain the text."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="search")


class DatedRecordQuerySerializer(RecordQuerySerializer):
    """Adds the period the records were created (or happened) in."""

    created_after = serializers.CharField(
        required=False, max_length=40, help_text="YYYY-MM-DD or ISO 8601; inclusive"
    )
    created_before = serializers.CharField(
        required=False, max_length=40, help_text="YYYY-MM-DD or ISO 8601; exclusive"
    )

    def validate_created_after(self, raw: str) -> datetime:
        return moment(raw)

    def validate_created_before(self, raw: str) -> datetime:
        return moment(raw)


def moment(raw: str) -> datetime:
    """A date (YYYY-MM-DD, the day's start) or date-time (ISO 8601), in UTC; naive ones are UTC."""
    try:
        value = parse_datetime(raw) or _day_start(parse_date(raw))
        if value is not None:
            # Converted here: an offset at the ends of the calendar (0001-01-01T00:00+05:00)
            # fails now, as a bad value, rather than in the query.
            return value.astimezone(UTC) if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        pass  # well formed, but no such day (2026-02-30) or past the calendar's ends
    raise serializers.ValidationError(
        _("Enter a date (YYYY-MM-DD) or an ISO 8601 date-time, not %(raw)r.") % {"raw": raw}
    )


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min) if day else None


class CompanyQuerySerializer(RecordQuerySerializer):
    industry = serializers.CharField(required=False, max_length=100)
    country = serializers.CharField(required=False, max_length=100)


class CampaignQuerySerializer(DatedRecordQuerySerializer):
    channel = _code_filter("channel", 50)
    status = serializers.ChoiceField(required=False, choices=Campaign.Status.choices)


class LeadQuerySerializer(DatedRecordQuerySerializer):
    channel = _code_filter("channel", 50)
    stage = _code_filter("lifecycle stage", 32)
    company = _id_filter("company")
    campaign = _id_filter("campaign")
    owner = _id_filter("member")


class DealQuerySerializer(DatedRecordQuerySerializer):
    status = serializers.ChoiceField(required=False, choices=Deal.Status.choices)
    kind = serializers.ChoiceField(required=False, choices=Deal.Kind.choices)
    channel = _code_filter("channel", 50)
    company = _id_filter("company")
    lead = _id_filter("lead")
    owner = _id_filter("member")


class ActivityQuerySerializer(DatedRecordQuerySerializer):
    kind = serializers.ChoiceField(required=False, choices=Activity.Kind.choices)
    lead = _id_filter("lead")
    deal = _id_filter("deal")
    by = _id_filter("member")
