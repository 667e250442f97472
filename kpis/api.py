"""/api/v1/kpis/: the KPIs read from the stored facts."""

from __future__ import annotations

import orjson
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kpis.selectors import kpi_freshness, kpi_table_json
from kpis.serializers import KpiQuerySerializer
from smarketing.lib.api_conventions import FastJSONRenderer


class KpiView(APIView):
    """The KPIs per month, channel or campaign, read from the stored facts (never computed
    here), each with the share of its leads and MQLs that fit an approved buyer persona
    (`fit_share_leads`, `fit_share_mqls`); or per buyer persona (`group_by=persona`: leads,
    MQLs, won and lost deals, won revenue, win rate and shares, "none" last). `as_of`: every change committed before it is counted; `waiting_cells`: cells
    marked as changed and not yet recomputed. Definitions: the metric dictionary page."""

    renderer_classes = [FastJSONRenderer]

    @extend_schema(
        operation_id="kpis",
        parameters=[KpiQuerySerializer],
        responses=OpenApiTypes.OBJECT,
        examples=[
            OpenApiExample(
                "By month",
                response_only=True,
                value={
                    "as_of": "2026-11-22T10:15:02Z",
                    "waiting_cells": 0,
                    "results": [
                        {
                            "month": "2026-10",
                            "leads": 412,
                            "mqls": 130,
                            "sqls": 61,
                            "opportunities": 40,
                            "won_deals": 12,
                            "lost_deals": 20,
                            "won_revenue": "301200.00",
                            "win_rate": "0.3750",
                            "avg_deal_size": "25100.00",
                            "new_customers": 9,
                            "arpu": "27381.82",
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        query = KpiQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organization = request.organization  # type: ignore[attr-defined]
        as_of, version, waiting = kpi_freshness(organization)
        rows = kpi_table_json(organization, version=version, **query.validated_data)
        return Response(
            {"as_of": as_of, "waiting_cells": waiting, "results": orjson.Fragment(rows)}
        )
