"""Plan pages: the list, the editor with its live preview, a plan against its actuals, its
assumptions, and the export of its targets."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.selectors import channel_codes, funnel_stage_codes
from funnel.assumptions import NO_CHANNEL, learn_cached
from funnel.calculations import FunnelInputError
from funnel.charts import target_and_actual_by_stage
from funnel.forms import PlanForm
from funnel.models import Plan
from funnel.selectors import (
    display_names,
    plan_budget,
    plan_progress,
    plan_revenue,
    plan_targets,
)
from funnel.services import (
    plan_activate,
    plan_archive,
    plan_calculate,
    plan_create,
    plan_learning_window,
    plan_update,
)
from kpis.selectors import kpis_as_of
from orgs.permissions import Action, can
from orgs.tenancy import MemberRequest, member_required
from smarketing.lib.exports import export_response
from smarketing.lib.extensions import record_panels
from smarketing.lib.months import add_months


def _plan(request: MemberRequest, pk: int) -> Plan:
    return get_object_or_404(Plan.objects.for_org(request.organization), pk=pk)


def _form(request: MemberRequest, **kwargs: Any) -> PlanForm:
    return PlanForm(
        stages=funnel_stage_codes(request.organization),
        channels=channel_codes(request.organization),
        **kwargs,
    )


@require_GET
@member_required()
def plan_list(request: MemberRequest) -> HttpResponse:
    plans = Plan.objects.for_org(request.organization).order_by("name", "-version")
    can_edit = can(request.membership.role, Action.EDIT_PLANS)
    return render(request, "funnel/plan_list.html", {"plans": plans, "can_edit": can_edit})


@require_http_methods(["GET", "POST"])
@member_required(Action.EDIT_PLANS)
def plan_edit(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    plan = _plan(request, pk) if pk else None
    initial = PlanForm.initial_from(plan) if plan else {"mode": Plan.Mode.LEARNED}
    form = _form(request, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in ("name", "first_month", "last_month", "mode")}
        try:
            if plan:
                plan = plan_update(plan=plan, by=request.user, inputs=form.inputs(), **values)
            else:
                plan = plan_create(
                    organization=request.organization,
                    by=request.user,
                    inputs=form.inputs(),
                    **values,
                )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(None, f"{field}: {' '.join(problems)}")
        else:
            messages.success(request, _("Plan saved: its targets are computed."))
            return redirect("plan-detail", pk=plan.pk)
    context = {"form": form, "plan": plan, **display_names(request.organization)}
    return render(request, "funnel/plan_edit.html", context)


@require_POST
@member_required(Action.EDIT_PLANS)
def plan_preview(request: MemberRequest) -> HttpResponse:
    """The editor's live preview (htmx): what the inputs give, or what is wrong with them."""
    form = _form(request, data=request.POST)
    context: dict[str, Any] = {"form": form, **display_names(request.organization)}
    if form.is_valid():
        try:
            used, result = plan_calculate(
                organization=request.organization,
                first_month=form.cleaned_data["first_month"],
                last_month=form.cleaned_data["last_month"],
                mode=form.cleaned_data["mode"],
                inputs=form.inputs(),
            )
            context |= {"result": result, "used": used}
        except FunnelInputError as error:
            context["problem"] = f"{error.field}: {error.message}"
    return render(request, "funnel/_preview.html", context)


@require_GET
@member_required()
def plan_detail(request: MemberRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    channel = request.GET.get("channel", "")
    today = timezone.localdate()
    progress = plan_progress(request.organization, plan, today=today, channel=channel)
    rows = plan_targets(request.organization, plan, channel=channel)
    months = sorted({row["month"] for row in rows})
    stages = [stage for stage, _ in progress]
    grid = {(row["month"], row["stage"]): row for row in rows}
    names = display_names(request.organization)
    context = {
        "plan": plan,
        "progress": progress,
        "revenue": plan_revenue(request.organization, plan, today=today),
        "budget": plan_budget(request.organization, plan, today=today),
        "moved": _moved(plan),
        "started_before_today": plan.first_month < today.replace(day=1),
        **names,
        "channel": channel,
        "channels": sorted({c for c in plan.targets.values_list("channel", flat=True) if c}),
        "stages": stages,
        "table": [(m, [grid.get((m, s)) for s in stages]) for m in months],
        "chart": target_and_actual_by_stage(progress, names["stage_names"]),
        "as_of": kpis_as_of(request.organization),
        "can_edit": can(request.membership.role, Action.EDIT_PLANS),
    }
    if not request.htmx:  # what the apps above add to the page (drift), not to the grid
        context["panels"] = record_panels("plans", request, plan)
    template = "funnel/_plan_grid.html" if request.htmx else "funnel/plan_detail.html"
    return render(request, template, context)


def _moved(plan: Plan) -> list[dict[str, Any]]:
    """The plan's targets moved out of months already over, with their months as dates."""
    return [
        {
            "stage": m["stage"],
            "count": m["count"],
            "from_months": [date.fromisoformat(f"{month}-01") for month in m["from_months"]],
            "into": [(date.fromisoformat(f"{month}-01"), n) for month, n in m["into"].items()],
        }
        for m in plan.result.get("moved", [])
    ]


@require_GET
@member_required()
def plan_export(request: MemberRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    plan = _plan(request, pk)
    rows = plan_targets(request.organization, plan)
    header = [_("Month"), _("Stage"), _("Channel"), _("Target"), _("Actual")]
    return export_response(
        fmt,
        f"{plan.name}-v{plan.version}-targets",
        header,
        (
            [
                r["month"].strftime("%Y-%m"),
                r["stage"],
                _("No channel") if r["channel"] == NO_CHANNEL else r["channel"] or _("all"),
                r["target"],
                r["actual"],
            ]
            for r in rows
        ),
    )


@require_GET
@member_required()
def plan_assumptions(request: MemberRequest, pk: int) -> HttpResponse:
    """What history says beside what the plan uses, and what the user set by hand."""
    plan = _plan(request, pk)
    window = plan.result.get("inputs_used", {}).get("learned_from")
    if window:
        start, end = date.fromisoformat(window["start"]), date.fromisoformat(window["end"])
    else:
        start, end = plan_learning_window(request.organization, plan.first_month)
    learned = learn_cached(organization=request.organization, start=start, end=end)
    used, given = plan.result.get("inputs_used", {}), plan.inputs
    stages = used.get("stages") or funnel_stage_codes(request.organization)
    pairs = [f"{a}->{b}" for a, b in itertools.pairwise(stages)]
    rows = []
    for i, pair in enumerate(pairs):
        rate, days = (
            learned.conversion.get(pair, {}).get("__all__"),
            learned.stage_days.get(pair, {}).get("__all__"),
        )
        rows.append(
            {
                "pair": pair,
                "learned_rate": rate,
                "used_rate": _at(used.get("conversion_rates"), i),
                "given_rate": _at(given.get("conversion_rates"), i),
                "learned_days": days,
                "used_days": _at(used.get("stage_days"), i),
                "given_days": _at(given.get("stage_days"), i),
            }
        )
    context = {
        "plan": plan,
        "learned": learned,
        "rows": rows,
        "deal_size": (
            learned.average_deal_size.get("__all__"),
            used.get("average_deal_size"),
            given.get("average_deal_size"),
        ),
        "cost_per_lead": sorted((k, v) for k, v in learned.cost_per_lead.items() if k != "__all__"),
        "last_month": add_months(end, -1),
        **display_names(request.organization),
        "seasonality": [
            (date(2000, m, 1), w, m in learned.seasonality_fallback)
            for m, w in sorted(learned.seasonality.items())
        ],
    }
    return render(request, "funnel/plan_assumptions.html", context)


def _at(values: list[Any] | None, i: int) -> Any:
    return values[i] if values and i < len(values) and values[i] != "" else None


@require_POST
@member_required(Action.EDIT_PLANS)
def plan_status(request: MemberRequest, pk: int, status: str) -> HttpResponse:
    plan = _plan(request, pk)
    if status == "activate":
        plan_activate(plan=plan)
        messages.success(request, _("The plan is active: dashboards measure against it."))
    elif status == "archive":
        plan_archive(plan=plan)
        messages.success(request, _("The plan is archived."))
    else:
        raise Http404
    return redirect("plan-detail", pk=plan.pk)
