"""The shapes of the review pack's API: the pack of a month (what GET answers; its numbers
as the other endpoints write them: rates as fractions 0 to 1, money in the organisation's
currency, decimals as exact strings), and a decision's body and answer."""

from __future__ import annotations

from functools import partial

from rest_framework import serializers

from funnel.serializers import MonthField
from objectives.serializers import ObjectiveSerializer
from reviews.models import Cadence, ReviewDecision
from reviews.models.decisions import DECISION_LENGTH
from reviews.serializers.drift import DriftSerializer
from reviews.serializers.pulse import IndexSerializer, PulseHeadSerializer, TeamsSerializer
from sla.serializers import BreachRecordSerializer, ComplianceSerializer
from smarketing.lib.api_conventions import bounded_date
from smarketing.lib.bounds import validate_business_date

MONEY = partial(serializers.DecimalField, max_digits=20, decimal_places=2)
RATE = partial(serializers.DecimalField, max_digits=20, decimal_places=4, allow_null=True,
               help_text="A fraction, 0.25 for 25 %; null when there is nothing to divide by.")  # fmt: skip


class ReviewPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReviewDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM: the review it was taken at.")
    text = serializers.CharField()
    owner = ReviewPersonSerializer(allow_null=True, help_text="A member; null once they left.")
    due = serializers.DateField()
    state = serializers.ChoiceField(choices=ReviewDecision.State.choices)
    done_at = serializers.DateTimeField(allow_null=True)
    created_by = ReviewPersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class ReviewDecisionQuerySerializer(serializers.Serializer):
    month = MonthField(required=False, validators=[validate_business_date], help_text="YYYY-MM")


class ReviewDecisionInputSerializer(serializers.Serializer):
    month = MonthField(validators=[validate_business_date],
                       help_text="YYYY-MM: the review it is taken at (from the first month with "
                                 "data to the current one).")  # fmt: skip
    text = serializers.CharField(max_length=DECISION_LENGTH)
    owner = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The member who sees it through (a member id)."
    )
    due = bounded_date(help_text="From the review's month to two years from today.")


class ReviewDecisionUpdateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=DECISION_LENGTH, required=False)
    owner = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    due = bounded_date(required=False)
    done = serializers.BooleanField(required=False, help_text="true: done; false: open again.")


class ReviewPlanRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    first_month = serializers.CharField()
    last_month = serializers.CharField()


class ReviewStageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    name = serializers.CharField()
    target = serializers.IntegerField(help_text="The month's.")
    due = serializers.IntegerField(
        help_text="Of it, due by `read_to` (pro-rated while the month runs)."
    )
    actual = serializers.IntegerField()
    variance = serializers.IntegerField()
    attainment = RATE()
    plan_due = serializers.IntegerField(help_text="The plan's targets due by `read_to`.")
    plan_actual = serializers.IntegerField()
    plan_variance = serializers.IntegerField()
    plan_attainment = RATE()
    plan_target = serializers.IntegerField(help_text="The whole plan's.")
    projected = serializers.IntegerField(allow_null=True)


class ReviewRevenueSerializer(serializers.Serializer):
    goal = MONEY()
    won = MONEY(help_text="From the plan's first month to `read_to`.")
    goal_to_date = MONEY()
    variance = MONEY()
    projected = MONEY(allow_null=True)
    attainment = RATE()


class ReviewPlanPartSerializer(serializers.Serializer):
    plan = ReviewPlanRefSerializer(allow_null=True, help_text="The active plan; null without one.")
    stages = ReviewStageSerializer(many=True)
    revenue = ReviewRevenueSerializer(allow_null=True)


class ReviewTeamWeightSerializer(serializers.Serializer):
    weight = serializers.DecimalField(max_digits=20, decimal_places=2)
    on_shared = serializers.DecimalField(max_digits=20, decimal_places=2)
    share_on_shared = RATE()


class ReviewTeamsSerializer(serializers.Serializer):
    marketing = ReviewTeamWeightSerializer()
    sales = ReviewTeamWeightSerializer()


class ReviewObjectiveSerializer(ObjectiveSerializer):
    group = serializers.ChoiceField(choices=["shared", "marketing", "sales", "other"])


class ReviewObjectivesPartSerializer(serializers.Serializer):
    teams = ReviewTeamsSerializer()
    objectives = ReviewObjectiveSerializer(many=True)


class ReviewSlaPartSerializer(serializers.Serializer):
    scorecard = ComplianceSerializer(allow_null=True, help_text="Null: no signed agreement covers the month.")  # fmt: skip
    breach_count = serializers.IntegerField()
    open_breaches = serializers.IntegerField()
    breaches = BreachRecordSerializer(many=True, help_text="The month's latest ten.")


class ReviewResultSerializer(serializers.Serializer):
    key = serializers.JSONField(
        help_text="A channel's code, a campaign's id, null (none) or \"all\"."
    )
    name = serializers.CharField()
    leads = serializers.IntegerField()
    mqls = serializers.IntegerField()
    new_customers = serializers.IntegerField()
    won_revenue = MONEY()
    cost = MONEY()
    cost_per_lead = MONEY(allow_null=True)
    roi = RATE()


class ReviewResultsPartSerializer(serializers.Serializer):
    channels = ReviewResultSerializer(many=True)
    campaigns = ReviewResultSerializer(many=True)
    total = ReviewResultSerializer()


class ReviewDriftPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    at_risk = serializers.BooleanField()
    computed_at = serializers.DateTimeField(allow_null=True, help_text="Null: not measured yet.")
    rows = DriftSerializer(many=True, help_text="Those at risk first, each in the funnel's order.")


class ReviewDriftPartSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text="When the latest plan was measured (drift is of now, not of "
        "the month: the plans' current measurement on their latest cohorts)."
    )  # fmt: skip
    plans = ReviewDriftPlanSerializer(many=True, help_text="The active plans, by name.")


class ReviewPulseSerializer(PulseHeadSerializer):
    teams = TeamsSerializer(
        help_text="While the pulse is open, or below `minimum_answers`, only how many answered."
    )


class ReviewPulsePartSerializer(serializers.Serializer):
    period = serializers.DateField(
        help_text="The first day of the period holding the month (its month's or its quarter's)."
    )
    cadence = serializers.ChoiceField(choices=Cadence.choices)
    minimum_answers = serializers.IntegerField()
    pulse = ReviewPulseSerializer(allow_null=True, help_text="Null: no pulse was held for the period.")  # fmt: skip
    index = IndexSerializer()


class ReviewDecisionsPartSerializer(serializers.Serializer):
    last_review = ReviewDecisionSerializer(many=True)
    carried_over = ReviewDecisionSerializer(many=True, help_text="Of earlier reviews, still open.")
    this_review = ReviewDecisionSerializer(many=True)


class ReviewPackSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    read_to = serializers.DateField(help_text="The month's last day, or today while it runs.")
    running = serializers.BooleanField()
    currency = serializers.CharField()
    first_month = serializers.CharField(help_text="The first month with a pack.")
    last_month = serializers.CharField(help_text="The last: the current month.")
    plan = ReviewPlanPartSerializer()
    objectives = ReviewObjectivesPartSerializer()
    sla = ReviewSlaPartSerializer()
    results = ReviewResultsPartSerializer()
    drift = ReviewDriftPartSerializer()
    pulse = ReviewPulsePartSerializer()
    decisions = ReviewDecisionsPartSerializer()
