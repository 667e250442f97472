"""The SMART check of an objective, letter by letter, pure: each letter is a verdict (`ok`),
a code saying why, and the figures behind it (`params`, plain JSON), so a saved check is
explained again in whatever language its reader uses (objectives.reasons)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from objectives.calculations import (
    Achievability,
    Parts,
    achievability,
    history_window,
    period_months,
)
from objectives.metrics import Direction, Kind, Need, ObjectiveMetric
from smarketing.lib.bounds import MAX_PERIOD_MONTHS
from smarketing.lib.decimals import plain_decimal
from smarketing.lib.months import add_months, months_spanned

# An objective of at least so many whose target is below this share of the plan's figure
# for the same metric, scope and months is flagged: it would not carry the plan.
BELOW_PLAN = Decimal("0.9")
LETTERS = ("specific", "measurable", "achievable", "relevant", "time_bound")


@dataclass(frozen=True)
class PlanFigure:
    plan_id: int
    plan_name: str
    figure: Decimal | None  # what the plan asks of this metric, scope and months; None: nothing


@dataclass(frozen=True)
class CheckInput:
    metric: ObjectiveMetric
    target: Decimal
    direction: Direction
    first: date
    last: date
    scopes: Sequence[str]  # the scope kinds given (more than one is not specific)
    scope_label: str
    owner_teams: Sequence[str | None]  # the team of each owner (None: neither)
    history: Mapping[date, Parts]  # the history window's months and the period's so far
    today: date
    plan: PlanFigure | None  # the plan the objective serves (given, else the active one)
    persona_approved: bool  # the persona in scope is approved; for fit shares: any is


def _text(value: Decimal | None) -> str | None:
    return None if value is None else plain_decimal(value)


def letter(ok: bool, code: str, **params: Any) -> dict[str, Any]:
    return {"ok": ok, "code": code, "params": params}


def shared(owner_teams: Sequence[str | None]) -> bool:
    return "marketing" in owner_teams and "sales" in owner_teams


def specific(data: CheckInput) -> dict[str, Any]:
    if len(data.scopes) > 1:
        return letter(False, "scopes", scopes=list(data.scopes))
    if data.scopes and data.scopes[0] not in data.metric.scopes:
        return letter(False, "scope_unsupported", scope=data.scopes[0])
    if data.target == 0 and data.direction == Direction.AT_LEAST:
        return letter(False, "zero")
    return letter(
        True,
        "specific",
        metric=data.metric.code,
        direction=str(data.direction),
        target=str(data.target),
        scope=data.scopes[0] if data.scopes else "",
        scope_label=data.scope_label,
        first=f"{data.first:%Y-%m}",
        last=f"{data.last:%Y-%m}",
    )


def _has(need: Need, metric: ObjectiveMetric, months: Sequence[Parts], persona: bool) -> bool:
    def any_of(part: str) -> bool:
        return any(m.get(part) for m in months)

    return {
        Need.LEADS: lambda: any_of("leads"),
        Need.STAGES: lambda: any_of(metric.numerator if metric.kind == Kind.SUM else "mqls"),
        Need.CLOSED_DEALS: lambda: any_of("closed_deals"),
        Need.WON_DEALS: lambda: any_of("won_deals") or any_of("new_customers"),
        Need.COSTS: lambda: any_of("cost"),
        Need.FIRST_TOUCHES: lambda: any_of("response_minutes"),
        Need.APPROVED_PERSONA: lambda: persona,
    }[need]()


def measurable(data: CheckInput) -> dict[str, Any]:
    start, end = history_window(data.today)
    months = [data.history[m] for m in period_months(start, end) if m in data.history]
    needs = list(data.metric.needs)
    if data.scopes and data.scopes[0] == "persona":
        needs.append(Need.APPROVED_PERSONA)
    missing = [
        str(n)
        for n in dict.fromkeys(needs)
        if not _has(n, data.metric, months, data.persona_approved)
    ]
    if missing:
        return letter(False, "missing", needs=missing, first=f"{start:%Y-%m}", last=f"{end:%Y-%m}")
    return letter(True, "measurable", months=len(months))


def achievable(data: CheckInput) -> tuple[dict[str, Any], Achievability]:
    found = achievability(
        data.metric, target=data.target, direction=data.direction, first=data.first,
        last=data.last, history=data.history, today=data.today,
    )  # fmt: skip
    multiple = None
    if found.best:
        multiple = (found.needed / found.best).quantize(Decimal("0.1"))
    params = {
        "verdict": found.verdict,
        "probability": _text(found.probability),
        "needed": _text(found.needed),
        "best": _text(found.best),
        "median": _text(found.median),
        "p90": _text(found.p90),
        "same_months_last_year": _text(found.same_months_last_year),
        "actual_so_far": _text(found.actual_so_far),
        "history_months": found.history_months,
        "months_left": _text(found.months_left),
        "multiple_of_best": _text(multiple),
        "per_month": data.metric.kind == Kind.SUM,
    }
    ok = found.verdict in ("achievable", "stretch")
    return letter(ok, found.verdict, **params), found


def relevant(data: CheckInput) -> dict[str, Any]:
    plan = data.plan
    if plan is not None and plan.figure is not None:
        gap = data.target - plan.figure
        params = {"plan": plan.plan_name, "plan_id": plan.plan_id, "figure": str(plan.figure),
                  "gap": str(gap)}  # fmt: skip
        if data.direction == Direction.AT_LEAST and data.target < plan.figure * BELOW_PLAN:
            return letter(False, "below_plan", **params)
        return letter(True, "plan", **params)
    if data.persona_approved and (
        (data.scopes and data.scopes[0] == "persona") or data.metric.code.startswith("fit_share")
    ):
        return letter(True, "persona", scope_label=data.scope_label)
    if plan is not None:
        return letter(True, "plan_other", plan=plan.plan_name, plan_id=plan.plan_id)
    return letter(False, "none")


def time_bound(data: CheckInput) -> dict[str, Any]:
    months = months_spanned(data.first, data.last)
    if months > MAX_OBJECTIVE_MONTHS:
        return letter(False, "too_long", months=months, most=MAX_OBJECTIVE_MONTHS)
    if add_months(data.last, 1) <= data.today:
        return letter(False, "over", last=f"{data.last:%Y-%m}")
    return letter(True, "time_bound", months=months, last=f"{data.last:%Y-%m}")


MAX_OBJECTIVE_MONTHS = min(24, MAX_PERIOD_MONTHS)


def smart_check(data: CheckInput) -> dict[str, Any]:
    """{"smart": {letter: {"ok", "code", "params"}}, "shared": bool}."""
    measured = measurable(data)
    letters = {
        "specific": specific(data),
        "measurable": measured,
        "achievable": achievable(data)[0] if measured["ok"] else letter(False, "no_data"),
        "relevant": relevant(data),
        "time_bound": time_bound(data),
    }
    return {"smart": letters, "shared": shared(data.owner_teams)}
