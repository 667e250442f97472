"""API shapes of personas: a persona with its current and approved versions, a version with
its criteria and approvals, and the bodies of writes (checked here for shape, by the models'
full_clean for the rest, through personas.services)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from personas.calculations import MAX_CRITERIA, MAX_WEIGHT, CriterionError, clean_params
from personas.discovery import DIMENSIONS, MAX_DIMENSIONS
from personas.models import KIND_CHOICES, Approval, Criterion, Persona, PersonaVersion, Side
from smarketing.lib.api_conventions import WholeItem, bounded_date

PARAMS_SCHEMA = {
    "type": "object",
    "description": (
        'By kind: {"values": ["Software", "Retail"]} for industry_in, country_in, channel_in, '
        'product_in and title_words; {"min": "10", "max": "500"} for employees_between and '
        'annual_revenue_between (either may be null; both ends included); {"field": "segment", '
        '"values": ["enterprise"]} for custom_field.'
    ),
    "additionalProperties": {},
    "example": {"values": ["Software", "Retail"]},
}


@extend_schema_field(PARAMS_SCHEMA)
class ParamsField(serializers.JSONField):
    pass


class CriterionSerializer(WholeItem, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    weight = serializers.IntegerField(min_value=1, max_value=MAX_WEIGHT, default=1)
    params = ParamsField()

    class Meta:
        model = Criterion
        fields = ["kind", "weight", "params"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["params"] = clean_params(attrs["kind"], attrs["params"])
        except CriterionError as error:
            raise serializers.ValidationError({"params": [error.message]}) from error
        return attrs


class ApprovalSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = ["side", "by", "at", "stood_in_as_admin"]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        }
    )
    def get_by(self, approval: Approval) -> dict[str, Any] | None:
        user = approval.by
        return None if user is None else {"id": user.pk, "name": str(user)}


class VersionSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)
    approvals = ApprovalSerializer(many=True, read_only=True)
    is_approved = serializers.BooleanField(read_only=True)

    class Meta:
        model = PersonaVersion
        fields = [
            "number",
            *PersonaVersion.PROFILE_FIELDS,
            "criteria",
            "approvals",
            "is_approved",
            "approved_at",
            "created_at",
        ]
        read_only_fields = fields


class PersonaSerializer(serializers.ModelSerializer):
    current_version = VersionSerializer(read_only=True)
    approved_version = VersionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Persona
        fields = ["id", "created_at", "archived_at", "current_version", "approved_version"]
        read_only_fields = fields


class PersonaWriteSerializer(serializers.ModelSerializer):
    """The body of a create (name required) or a PATCH (every field optional). `criteria`,
    when given, replace the version's criteria as a whole."""

    criteria = CriterionSerializer(
        many=True,
        required=False,
        max_length=MAX_CRITERIA,  # type: ignore[call-arg]  # a ListSerializer argument
    )

    class Meta:
        model = PersonaVersion
        fields = [*PersonaVersion.PROFILE_FIELDS, "criteria"]
        extra_kwargs: dict[str, Any] = {"threshold": {"min_value": 0, "max_value": 100}}

    def get_validators(self) -> list[Any]:
        return []  # the version's unique number is the service's, not the caller's


class ApproveSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The version approved, as read: refused unless it is still the current one.",
    )


class DiscoveryQuerySerializer(serializers.Serializer):
    """The query of /api/v1/personas/discovery/."""

    dimension = serializers.CharField(
        max_length=100,
        help_text=(
            "One dimension, or two separated by a comma (a pair): " + ", ".join(DIMENSIONS) + "."
        ),
    )
    start = bounded_date(required=False, help_text="deals closed on or after this day")
    end = bounded_date(required=False, help_text="deals closed on or before this day")

    def validate_dimension(self, value: str) -> list[str]:
        names = [name.strip() for name in value.split(",")]
        unknown = [name for name in names if name not in DIMENSIONS]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown dimension: %(names)s. Choose among %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(DIMENSIONS)}
            )
        if len(names) > MAX_DIMENSIONS:
            raise serializers.ValidationError(
                _("At most %(count)d dimensions.") % {"count": MAX_DIMENSIONS}
            )
        if len(set(names)) < len(names):
            raise serializers.ValidationError(_("A dimension is given twice."))
        return names

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The period must end after it starts.")]})
        return attrs


class PersonaSettingsSerializer(serializers.Serializer):
    qualify_new_leads = serializers.BooleanField(
        help_text="A lead that enters the funnel from now on and fits an approved persona moves "
        "to the hand-off stage (an MQL), its stage history naming the persona."
    )
    qualifying_since = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)
