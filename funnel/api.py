"""The stateless funnel calculator, for other tools."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any, cast

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from funnel.assumptions import learn_cached
from funnel.calculations import (
    FunnelInputError,
    Scenario,
    calculate,
    jsonable,
    parse_input,
    what_if,
)
from funnel.models import Plan
from funnel.selectors import plan_target_rows, with_actuals
from funnel.serializers import (
    CalculateSerializer,
    CalculationSerializer,
    PlanSerializer,
    PlanTargetSerializer,
    WhatIfSerializer,
)
from funnel.services import (
    plan_activate,
    plan_archive,
    plan_create,
    plan_delete,
    plan_learning_window,
    plan_update,
)
from orgs.api_base import OrgScopedViewSet
from orgs.models import User
from orgs.permissions import Action
from smarketing.lib.api_conventions import bounded_date
from smarketing.lib.months import add_months

MINIMAL = {
    "revenue_goal": "5000000",
    "average_deal_size": "25000",
    "stages": ["lead", "customer"],
    "conversion_rates": ["0.02"],
}
FULL = {
    "baseline_revenue": "4000000",
    "growth_pct": "25",
    "average_deal_size": "25000",
    "stages": ["lead", "mql", "sql", "opportunity", "customer"],
    "conversion_rates": ["0.4", "0.5", "0.5", "0.25"],
    "months": ["2027-01", "2027-02", "2027-03"],
    "seasonality": ["0.8", "1", "1.2"],
    "stage_days": ["7", "14", "21", "45"],
    "channels": [
        {"code": "paid_search", "share": "0.6", "cost_per_lead": "45"},
        {"code": "social", "share": "0.4", "cost_per_lead": "30"},
    ],
}


class FunnelCalculateView(APIView):
    """From a revenue goal back to the customers, opportunities, SQLs, MQLs and leads needed;
    with months, it spreads them by seasonality and shifts each stage earlier by the time
    leads take to get through; with channels, it splits them and prices the leads."""

    write_action = Action.VIEW  # a calculation changes nothing: every member may ask

    @extend_schema(
        operation_id="funnel_calculate",
        request=CalculateSerializer,
        responses=CalculationSerializer,
        examples=[
            OpenApiExample("Minimal", value=MINIMAL, request_only=True),
            OpenApiExample("Months, stage times and channels", value=FULL, request_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        body = CalculateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            result = calculate(body.to_input())
        except FunnelInputError as error:
            raise exceptions.ValidationError({error.field: [error.message]}) from error
        data: dict[str, Any] = asdict(result)
        data["assumptions"] = jsonable(data["assumptions"])
        return Response(CalculationSerializer(data).data)


class AssumptionsQuerySerializer(serializers.Serializer):
    start = bounded_date(required=False, help_text="first day of the window, from 1990-01-01")
    end = bounded_date(required=False, help_text="first day after the window, to 2100-12-31")


class AssumptionsView(APIView):
    """What the organisation's own history says: conversion by cohort and days between
    stages, average deal size and cost per lead (overall and per channel, each with its
    sample size and a warning when too small), and seasonality from won revenue.
    `?start=` and `?end=` (YYYY-MM-DD, end exclusive) choose the window: by default the last
    twelve complete months with data (never the month in progress), as a learned plan uses;
    `start` and `end` in the answer say which. Leads without a channel are the key
    `__none__`, which no channel code can take."""

    @extend_schema(
        operation_id="funnel_assumptions",
        parameters=[AssumptionsQuerySerializer],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        query = AssumptionsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organization = request.organization  # type: ignore[attr-defined]
        # By default the last twelve complete months with data, as a learned plan uses.
        default_start, default_end = plan_learning_window(organization, timezone.localdate())
        end = query.validated_data.get("end") or default_end
        start = query.validated_data.get("start") or (
            default_start if end == default_end else add_months(end.replace(day=1), -12)
        )
        if start >= end:
            raise exceptions.ValidationError({"end": ["The window must end after it starts."]})
        learned = learn_cached(organization=organization, start=start, end=end)
        return Response(jsonable(asdict(learned)))


class PlanListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Plan.Status.choices, required=False, help_text="Only the plans in this status."
    )


class PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    """Named plans per period. PATCHing an active plan makes a new version and archives the
    old one; `versions` lists every version; `targets` gives the stored targets."""

    model = Plan
    serializer_class = PlanSerializer
    write_action = Action.EDIT_PLANS

    def get_queryset(self) -> Any:
        plans = super().get_queryset().order_by("name", "-version")
        if self.action != "list":
            return plans
        # A tool asking for ?status=active must not get the drafts too, nor a typo all plans.
        query = PlanListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        status = query.validated_data.get("status")
        return plans.filter(status=status) if status else plans

    @extend_schema(parameters=[PlanListQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        organization = self.request.organization  # type: ignore[attr-defined]
        serializer.instance = plan_create(
            organization=organization, by=cast(User, self.request.user), **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = plan_update(
            plan=serializer.instance, by=cast(User, self.request.user), **serializer.validated_data
        )

    def perform_destroy(self, instance: Plan) -> None:
        plan_delete(plan=instance)

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        return Response(PlanSerializer(plan_activate(plan=self.get_object())).data)

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        return Response(PlanSerializer(plan_archive(plan=self.get_object())).data)

    @extend_schema(
        request=WhatIfSerializer,
        responses=OpenApiTypes.OBJECT,
        examples=[
            OpenApiExample(
                "MQL to SQL five points better",
                value={"rate_points": {"mql->sql": "0.05"}},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="what-if")
    def what_if(self, request: Request, pk: str | None = None) -> Response:
        """The plan beside a scenario: how many leads and how much budget a change saves or costs.
        Nothing is stored; any member may ask."""
        plan = self.get_object()
        body = WhatIfSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            comparison = what_if(
                parse_input(plan.result["inputs_used"]), Scenario(**body.validated_data)
            )
        except FunnelInputError as error:
            raise exceptions.ValidationError({error.field: [error.message]}) from error
        return Response(jsonable(comparison))

    def get_permissions(self) -> Any:
        if self.action == "what_if":  # a question, not a change
            self.write_action = Action.VIEW
        return super().get_permissions()

    @extend_schema(responses=PlanSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """Every version of the plan, newest first; paginated like every list."""
        plan = self.get_object()
        page = self.paginate_queryset(self.get_queryset().filter(series=plan.series))
        return self.get_paginated_response(PlanSerializer(page, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM"),
            OpenApiParameter("channel", OpenApiTypes.STR, description="a channel code, or 'all'"),
            OpenApiParameter("stage", OpenApiTypes.STR),
        ],
        responses=PlanTargetSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def targets(self, request: Request, pk: str | None = None) -> Response:
        """Rows of {month, channel, stage, target, actual}, a page at a time like every list;
        channel '' is all channels together."""
        params = request.query_params
        month = _parse_date("month", f"{params['month']}-01") if params.get("month") else None
        channel = params.get("channel")
        organization = request.organization  # type: ignore[attr-defined]
        plan = self.get_object()
        rows = plan_target_rows(
            organization,
            plan,
            month=month,
            channel="" if channel == "all" else channel,
            stage=params.get("stage") or None,
        )
        page = with_actuals(organization, plan, list(self.paginate_queryset(rows) or []))
        return self.get_paginated_response(PlanTargetSerializer(page, many=True).data)


def _parse_date(name: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise exceptions.ValidationError(
            {name: [f"Enter a month as YYYY-MM, not {raw[:-3]!r}."]}
        ) from None
