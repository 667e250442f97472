"""The metric dictionary: the page that says what every KPI counts."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kpis.dictionary import METRICS
from orgs.tenancy import MemberRequest, member_required
from smarketing.lib import page_sections


@require_GET
@member_required()
def metric_dictionary(request: MemberRequest) -> HttpResponse:
    """Every KPI the dashboards and the API show: what it counts, its month, what it leaves out."""
    return render(
        request,
        "kpis/metrics.html",
        {
            "metrics": METRICS,
            "window_hours": request.organization.response_window_hours,
            "sections": page_sections.rendered("metric-dictionary", request),
        },
    )
