"""The joint scorecard of a period: the list page (the whole page, or its table for htmx),
its export as CSV or XLSX, and the objectives proposed from a plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from objectives.forms import ScorecardForm
from objectives.metrics import BY_CODE
from objectives.models import Objective
from objectives.selectors import plan_of, plans_to_propose_from, scope_labels, scorecard
from objectives.services import objectives_from_plan
from objectives.words import objective_row, period, status, team_words, unit_name
from orgs.permissions import Action, can
from orgs.selectors import members_of
from orgs.tenancy import MemberRequest, member_required
from smarketing.lib.exports import export_response
from smarketing.lib.formatting import month_label
from smarketing.lib.months import add_months

GROUPS = {
    "shared": gettext_lazy("Shared by marketing and sales"),
    "marketing": gettext_lazy("Marketing's"),
    "sales": gettext_lazy("Sales'"),
    "other": gettext_lazy("Others"),
}


def _period(form: ScorecardForm, today: date) -> tuple[date, date]:
    """The months asked for, as the API's scorecard reads them: by default this calendar
    year; a first month alone runs twelve months."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    first = data.get("first_month") or today.replace(month=1, day=1)
    return first, data.get("last_month") or add_months(first, 11)


def _kept(objective: Objective, filters: dict[str, Any]) -> bool:
    if filters.get("status") and objective.status != filters["status"]:
        return False
    if filters.get("owner") and all(
        o.membership_id != filters["owner"] for o in objective.owners.all()
    ):
        return False
    shared = filters.get("shared")
    return not shared or objective.shared == (shared == "true")


def _scorecard(request: MemberRequest) -> dict[str, Any]:
    """The period's objectives in their groups (filtered), and each team's weights (over
    all of the period's objectives, whatever the filters)."""
    organization = request.organization
    members = {m.pk: m for m in members_of(organization)}
    today = timezone.localdate()
    default = {"first_month": today.replace(month=1, day=1), "last_month": today.replace(month=12, day=1)}  # fmt: skip
    form = ScorecardForm(request.GET or None, members=members, initial=default)
    first, last = _period(form, today)
    card = scorecard(organization, first=first, last=last)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    labels = scope_labels(organization, (o for group in card["groups"].values() for o in group))
    currency = organization.currency
    groups = [
        {
            "code": code,
            "label": GROUPS[code],
            "rows": [
                objective_row(o, currency, labels[o.pk]) for o in objectives if _kept(o, filters)
            ],
        }
        for code, objectives in card["groups"].items()
    ]
    query = urlencode([(k, str(v)) for k, v in request.GET.items() if k in form.fields and v])
    return {
        "form": form,
        "first": first,
        "last": last,
        "groups": [g for g in groups if g["rows"]],
        "teams": team_words(card["teams"]),
        "query": query,
    }


@require_GET
@member_required()
def objective_list(request: MemberRequest) -> HttpResponse:
    context = _scorecard(request)
    answer = 400 if context["form"].errors else 200
    if request.htmx:
        return render(request, "objectives/_scorecard.html", context, status=answer)
    return render(request, "objectives/list.html", _page(request, context), status=answer)


def _page(request: MemberRequest, context: dict[str, Any]) -> dict[str, Any]:
    can_edit = can(request.membership.role, Action.EDIT_OBJECTIVES)
    return context | {
        "can_edit": can_edit,
        "plans": plans_to_propose_from(request.organization) if can_edit else [],
    }


@require_GET
@member_required()
def objective_export(request: MemberRequest, fmt: str) -> HttpResponse:
    """The scorecard as shown (period and filters) in a file: figures as numbers in their
    unit, statuses, metrics and months in words."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    context = _scorecard(request)
    currency = request.organization.currency
    header = [
        _("Group"), _("Objective"), _("Metric"), _("Scope"), _("Period"), _("Direction"),
        _("Unit"), _("Target"), _("Actual"), _("Expected by now"), _("Projected"), _("Status"),
        _("Shared"), _("Owners (incentive weight)"),
    ]  # fmt: skip
    rows = []
    for group in context["groups"]:
        for row in group["rows"]:
            objective = row["objective"]
            progress = objective.progress or {}
            rows.append([
                str(group["label"]), objective.title, str(row["metric"]), row["scope"],
                period(objective), str(row["direction"]),
                unit_name(BY_CODE[objective.metric], currency), objective.target,
                *(_number(progress.get(k)) for k in ("actual", "expected", "projected")),
                str(status(objective.status)["label"]), _("yes") if objective.shared else _("no"),
                "; ".join(f"{o['name']} ({o['weight']})" for o in row["owners"]),
            ])  # fmt: skip
    name = f"objectives-{month_label(context['first'])}-{month_label(context['last'])}"
    return export_response(fmt, name, header, rows)


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@require_POST
@member_required(Action.EDIT_OBJECTIVES)
def objective_from_plan(request: MemberRequest) -> HttpResponse:
    """Propose the plan's shared objectives (without owners yet) and show its period."""
    raw = request.POST.get("plan", "")
    known = raw.isascii() and raw.isdigit() and len(raw) < 10
    plan = plan_of(request.organization, int(raw)) if known else None
    if plan is None:
        context = _page(request, _scorecard(request))
        context["from_plan_error"] = _("Choose one of the plans listed.")
        return render(request, "objectives/list.html", context, status=400)
    made = objectives_from_plan(plan=plan, by=request.user, today=timezone.localdate())
    if made:
        messages.success(request, ngettext(
            "%(n)s objective proposed from %(plan)s, with the plan's figure as its target: "
            "give it its owners and weights.",
            "%(n)s objectives proposed from %(plan)s, with the plan's figures as targets: "
            "give each its owners and weights.", len(made),
        ) % {"n": len(made), "plan": plan})  # fmt: skip
    else:
        messages.info(
            request,
            _("%(plan)s has nothing more to propose: its objectives exist.") % {"plan": plan},
        )
    months = {"first_month": f"{plan.first_month:%Y-%m}", "last_month": f"{plan.last_month:%Y-%m}"}
    return redirect(f"{reverse('objective-list')}?{urlencode(months)}")
