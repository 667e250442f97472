from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from funnel.calculations import ChannelInput, FunnelInput
from funnel.models import Plan
from smarketing.lib.api_conventions import PlainDecimalField
from smarketing.lib.bounds import (
    CHANNEL_CODE_LENGTH,
    MAX_CHANNELS,
    MAX_MONTHS,
    MAX_STAGES,
    STAGE_CODE_LENGTH,
)
from smarketing.lib.months import MONTH_INPUT, month_start


def number(**options: Any) -> serializers.DecimalField:
    """A decimal input or output: exact, never a float, written without trailing zeros."""
    return PlainDecimalField(max_digits=24, decimal_places=10, **options)


class BoundedListField(serializers.ListField):
    """A list whose length is checked before its items: a million numbers would take seconds
    to validate one by one, only to be refused for their count."""

    def to_internal_value(self, data: Any) -> Any:
        if self.max_length is not None and isinstance(data, list) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class ChannelInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=CHANNEL_CODE_LENGTH)
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
    stages = BoundedListField(
        child=serializers.SlugField(max_length=STAGE_CODE_LENGTH),
        max_length=MAX_STAGES,
        help_text="From the top of the funnel to the customer.",
    )
    conversion_rates = BoundedListField(
        child=number(),
        max_length=MAX_STAGES - 1,
        help_text="conversion_rates[i] is the rate from stages[i] to stages[i+1].",
    )
    months = BoundedListField(
        child=serializers.CharField(max_length=7),
        max_length=MAX_MONTHS,
        required=False,
        default=list,
        help_text="YYYY-MM, in order, from 1990-01 to 2100-12.",
    )
    seasonality = BoundedListField(
        child=number(), max_length=MAX_MONTHS, required=False, default=list
    )
    stage_days = BoundedListField(
        child=number(),
        max_length=MAX_STAGES - 1,
        required=False,
        default=list,
        help_text="Days leads spend going from stages[i] to stages[i+1]; at most 1826 in all.",
    )
    channels = ChannelInputSerializer(
        many=True,
        max_length=MAX_CHANNELS,  # type: ignore[call-arg]  # a ListSerializer argument
        required=False,
        default=list,
    )

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
        if not MONTH_INPUT.fullmatch(text):
            self.fail("invalid", format="YYYY-MM")
        return month_start(super().to_internal_value(f"{text}-01" if len(text) == 7 else text))

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
