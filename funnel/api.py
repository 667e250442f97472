"""The stateless funnel calculator, for other tools."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from funnel.calculations import FunnelInputError, calculate
from funnel.serializers import CalculateSerializer, CalculationSerializer
from orgs.permissions import Action

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
        data["assumptions"] = _plain(data["assumptions"])
        return Response(CalculationSerializer(data).data)


def _plain(value: Any) -> Any:
    """Assumptions as JSON: Decimals as strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if not isinstance(value, (int, str, type(None))) else value
