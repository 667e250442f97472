from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from funnel.calculations import ChannelInput, FunnelInput
from funnel.models import Plan
from orgs.api_conventions import PlainDecimalField


def number(**options: Any) -> serializers.DecimalField:
    """A decimal input or output: exact, never a float, written without trailing zeros."""
    return PlainDecimalField(max_digits=24, decimal_places=10, **options)


class ChannelInputSerializer(serializers.Serializer):
    code = serializers.SlugField()
    share = number(required=False, allow_null=True, help_text="Of the leads; shares add up to 1.")
    cost_per_lead = number(required=False, default=Decimal(0))
    conversion = number(
        required=False,
        allow_null=True,
        help_text="Lead to customer; used to derive shares when none are given.",
    )


class CalculateSerializer(serializers.Serializer):
    revenue_goal = number(required=False, allow_null=True)
    baseline_revenue = number(required=False, allow_null=True)
    growth_pct = number(required=False, allow_null=True, help_text="25 for +25%.")
    average_deal_size = number()
    stages = serializers.ListField(
        child=serializers.SlugField(), help_text="From the top of the funnel to the customer."
    )
    conversion_rates = serializers.ListField(
        child=number(), help_text="conversion_rates[i] is the rate from stages[i] to stages[i+1]."
    )
    months = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="YYYY-MM, in order."
    )
    seasonality = serializers.ListField(child=number(), required=False, default=list)
    stage_days = serializers.ListField(
        child=number(),
        required=False,
        default=list,
        help_text="Days leads spend going from stages[i] to stages[i+1].",
    )
    channels = ChannelInputSerializer(many=True, required=False, default=list)

    def to_input(self) -> FunnelInput:
        data: dict[str, Any] = dict(self.validated_data)
        data["channels"] = [ChannelInput(**channel) for channel in data.get("channels", [])]
        return FunnelInput(**data)


class StageTargetSerializer(serializers.Serializer):
    stage = serializers.CharField()
    needed = serializers.IntegerField()
    by_month = serializers.DictField(child=serializers.IntegerField())
    by_channel = serializers.DictField(child=serializers.IntegerField())
    by_month_and_channel = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField())
    )


class CalculationSerializer(serializers.Serializer):
    revenue_goal = number()
    customers_needed = serializers.IntegerField()
    leads_needed = serializers.IntegerField()
    budget = number()
    budget_by_channel = serializers.DictField(child=number())
    channel_shares = serializers.DictField(child=number())
    month_shift = serializers.DictField(child=serializers.IntegerField())
    stages = StageTargetSerializer(many=True)
    assumptions = serializers.DictField()


@extend_schema_field(  # a month, not the date the schema would otherwise promise
    {"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$", "example": "2027-01"}
)
class MonthField(serializers.DateField):
    """A month written YYYY-MM (a full date is accepted and read as its month)."""

    def to_internal_value(self, value: Any) -> Any:
        text = str(value)
        return super().to_internal_value(f"{text}-01" if len(text) == 7 else text)

    def to_representation(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if value else None


class PlanSerializer(serializers.ModelSerializer):
    first_month = MonthField()
    last_month = MonthField()
    inputs = serializers.JSONField(help_text="The calculator's body; months come from the period.")

    class Meta:
        model = Plan
        fields = [
            "id",
            "series",
            "version",
            "name",
            "first_month",
            "last_month",
            "status",
            "mode",
            "inputs",
            "result",
            "created_at",
        ]
        read_only_fields = ["series", "version", "status", "result", "created_at"]


class PlanTargetSerializer(serializers.Serializer):
    month = MonthField()
    stage = serializers.CharField()
    channel = serializers.CharField(help_text="'' for all channels together")
    target = serializers.IntegerField()
    actual = serializers.IntegerField(
        help_text="leads that reached the stage in the month, from the KPI facts"
    )


class WhatIfSerializer(serializers.Serializer):
    rate_points = serializers.DictField(
        child=number(),
        required=False,
        default=dict,
        help_text='Changes in points per stage pair, for example {"mql->sql": "0.05"}.',
    )
    revenue_goal = number(required=False, allow_null=True)
    average_deal_size = number(required=False, allow_null=True)
