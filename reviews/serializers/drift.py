"""API shapes of the reviews app."""

from __future__ import annotations

from functools import partial
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews import drift
from reviews.models import PlanDrift
from reviews.models.drift import MAX_WINDOW_DAYS, MIN_WINDOW_DAYS
from smarketing.lib.api_conventions import PlainDecimalField
from smarketing.lib.formatting import pair_named

FIGURE = partial(PlainDecimalField, max_digits=12, decimal_places=4)


class DriftQuerySerializer(serializers.Serializer):
    plan = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False,
        help_text="A plan's id: its drift only (another organisation's answers 404).",
    )  # fmt: skip


class DriftSerializer(serializers.Serializer):
    """One assumption of an active plan against its latest cohorts. Rates are shares (0.25
    for 25 %), stage times days; the interval is 95 %."""

    plan = serializers.IntegerField(source="plan_id")
    plan_name = serializers.CharField(source="plan.name")
    stage = serializers.CharField(help_text='The stage pair\'s codes: "mql->sql".')
    stage_name = serializers.SerializerMethodField(help_text="The pair as people read it.")
    metric = serializers.ChoiceField(choices=PlanDrift.Metric.choices)
    direction = serializers.ChoiceField(
        choices=PlanDrift.Direction.choices,
        help_text="below / above: the interval lies wholly on that side of the assumption.",
    )
    at_risk = serializers.BooleanField(help_text="The direction is below or above.")
    assumed = FIGURE()
    measured = FIGURE(allow_null=True)
    low = FIGURE(allow_null=True, help_text="The interval's lower bound.")
    high = FIGURE(allow_null=True, help_text="The interval's upper bound.")
    confidence = serializers.SerializerMethodField()
    sample = serializers.IntegerField(
        help_text="Leads that entered the stage (a rate) or moved on from it (a stage time)."
    )
    customers_delta = serializers.IntegerField(
        help_text="Customers the plan would gain (negative: miss) at the measured figure."
    )
    revenue_delta = PlainDecimalField(max_digits=18, decimal_places=2)
    currency = serializers.SerializerMethodField()
    window_days = serializers.IntegerField()
    window_start = serializers.DateField(help_text="The cohorts of the leads that entered the")
    window_end = serializers.DateField(help_text="stage from window_start, before window_end.")
    since = serializers.DateField(
        allow_null=True, help_text="The day this drift first showed; null when none."
    )
    computed_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField())
    def get_stage_name(self, row: PlanDrift) -> str:
        return pair_named(row.stage, self.context["stage_names"])

    @extend_schema_field(PlainDecimalField(max_digits=3, decimal_places=2))
    def get_confidence(self, row: PlanDrift) -> Any:
        return str(drift.CONFIDENCE)

    @extend_schema_field(serializers.CharField(help_text="ISO 4217, of revenue_delta."))
    def get_currency(self, row: PlanDrift) -> str:
        return str(self.context["currency"])


class DriftSettingsSerializer(serializers.Serializer):
    window_days = serializers.IntegerField(
        min_value=MIN_WINDOW_DAYS, max_value=MAX_WINDOW_DAYS,
        help_text="The latest cohorts measured: leads that entered a stage in these many days.",
    )  # fmt: skip
