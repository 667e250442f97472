"""A SMART check's letters in words, in the active language, with every figure formatted
for its reader: money with the organisation's currency, rates as percentages, months by
name. Checks are stored as codes and figures (objectives.checks) and explained on read."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from objectives.metrics import BY_CODE, NEED_TEXT, Direction, Need, ObjectiveMetric, Unit
from smarketing.lib.formatting import money, month_label, number, percent

SCOPE_NAMES = {
    "channel": gettext_lazy("channel"),
    "campaign": gettext_lazy("campaign"),
    "persona": gettext_lazy("buyer persona"),
    "product": gettext_lazy("product"),
}


def amount(metric: ObjectiveMetric, value: Any, currency: str) -> str:
    """A value of `metric` as its reader reads it: 1,200 / €120,000 / 25.0% / 4.5 hours."""
    if value is None or value == "":
        return "—"
    value = Decimal(str(value))
    if metric.unit == Unit.MONEY:
        return money(value, currency)
    if metric.unit == Unit.PERCENT:
        return percent(value / 100, 1)
    if metric.unit == Unit.HOURS:
        return _("%(n)s hours") % {"n": number(value, 1)}
    if metric.unit == Unit.DAYS:
        return _("%(n)s days") % {"n": number(value, 1)}
    return number(value, 0 if value == value.to_integral_value() else 1)


def direction_text(direction: str) -> str:
    return str(Direction(direction).label)


def explain(name: str, check: dict[str, Any], metric_code: str, currency: str) -> str:
    """The reason of one letter (`name`) of a stored check."""
    metric = BY_CODE[metric_code]
    params = check.get("params") or {}
    explainer = {
        "specific": _specific,
        "measurable": _measurable,
        "achievable": _achievable,
        "relevant": _relevant,
        "time_bound": _time_bound,
    }[name]
    return explainer(check.get("code", ""), params, metric, currency)


def _specific(code: str, p: dict[str, Any], metric: ObjectiveMetric, currency: str) -> str:
    if code == "scopes":
        return _("Name one scope, not %(scopes)s: an objective measures one thing.") % {
            "scopes": ", ".join(str(SCOPE_NAMES.get(s, s)) for s in p["scopes"])
        }
    if code == "scope_unsupported":
        return _("%(metric)s is not counted per %(kind)s: choose another scope or none.") % {
            "metric": metric.name,
            "kind": SCOPE_NAMES.get(p["scope"], p["scope"]),
        }
    if code == "zero":
        return _("A target of at least zero asks for nothing: give the number to reach.")
    scope = (
        _("in the %(kind)s %(name)s")
        % {"kind": SCOPE_NAMES.get(p["scope"], ""), "name": p["scope_label"]}
        if p.get("scope")
        else _("for the whole organisation")
    )
    return _("%(metric)s %(scope)s: %(direction)s %(target)s from %(first)s to %(last)s.") % {
        "metric": metric.name,
        "scope": scope,
        "direction": direction_text(p["direction"]),
        "target": amount(metric, p["target"], currency),
        "first": month_label(p["first"]),
        "last": month_label(p["last"]),
    }


def _measurable(code: str, p: dict[str, Any], metric: ObjectiveMetric, currency: str) -> str:
    if code == "missing":
        return _("%(metric)s needs %(needs)s, and %(first)s to %(last)s has none.") % {
            "metric": metric.name,
            "needs": _(" and ").join(str(NEED_TEXT[Need(n)]) for n in p["needs"]),
            "first": month_label(p["first"]),
            "last": month_label(p["last"]),
        }
    return ngettext(
        "Measured from the data of %(n)s month of the last two years.",
        "Measured from the data of %(n)s months of the last two years.",
        p["months"],
    ) % {"n": p["months"]}


def _achievable(code: str, p: dict[str, Any], metric: ObjectiveMetric, currency: str) -> str:
    if code == "no_data":
        return _("Without the data it needs, the target cannot be judged against history.")
    if code == "unknown":
        return ngettext(
            "Only %(n)s month of history: too little to judge the target against.",
            "Only %(n)s months of history: too little to judge the target against.",
            p["history_months"],
        ) % {"n": p["history_months"]}
    verdicts = {
        "achievable": _("Achievable"),
        "stretch": _("A stretch"),
        "unrealistic": _("Unrealistic"),
    }
    figures = {
        "needed": amount(metric, p["needed"], currency),
        "best": amount(metric, p["best"], currency),
        "median": amount(metric, p["median"], currency),
        "p90": amount(metric, p["p90"], currency),
        "probability": percent(p["probability"], 0),
    }
    left = Decimal(str(p.get("months_left") or 0))
    if p["per_month"] and p.get("actual_so_far") is not None and not left:
        text = _("%(verdict)s: the period brought %(so_far)s.")
        figures["so_far"] = amount(metric, p["actual_so_far"], currency)
    elif p["per_month"] and p.get("actual_so_far") is not None:
        text = ngettext(
            "%(verdict)s: %(so_far)s so far, and the %(left)s month left needs %(needed)s; your "
            "best month of the last two years brought %(best)s, the median %(median)s, the "
            "90th percentile %(p90)s.",
            "%(verdict)s: %(so_far)s so far, and the %(left)s months left need %(needed)s a "
            "month; your best month of the last two years brought %(best)s, the median "
            "%(median)s, the 90th percentile %(p90)s.",
            math.ceil(left),
        )
        figures["so_far"] = amount(metric, p["actual_so_far"], currency)
        figures["left"] = number(left, 0 if left == left.to_integral_value() else 1)
    elif p["per_month"]:
        text = _(
            "%(verdict)s: it needs %(needed)s a month; your best month of the last two years "
            "brought %(best)s, the median %(median)s, the 90th percentile %(p90)s."
        )
    else:
        text = _(
            "%(verdict)s: it asks for %(needed)s; your best month of the last two years had "
            "%(best)s, the median %(median)s, the 90th percentile %(p90)s."
        )
    if p["per_month"] and left and p.get("multiple_of_best") and Decimal(p["multiple_of_best"]) > 1:
        text += " " + _("That is %(multiple)sx your best month.")
        figures["multiple"] = number(p["multiple_of_best"], 1)
    if p.get("same_months_last_year") is not None:
        text += " " + _("The same months a year earlier: %(last_year)s.")
        figures["last_year"] = amount(metric, p["same_months_last_year"], currency)
    text += " " + _("Chance of reaching it, resampling your own months: %(probability)s.")
    return text % {"verdict": verdicts[code], **figures}


def _relevant(code: str, p: dict[str, Any], metric: ObjectiveMetric, currency: str) -> str:
    if code in ("plan", "below_plan"):
        values = {
            "plan": p["plan"],
            "figure": amount(metric, p["figure"], currency),
            "gap": amount(metric, abs(Decimal(p["gap"])), currency),
        }
        if code == "below_plan":
            return (
                _(
                    "Far below the plan: %(plan)s needs %(figure)s in these months to reach its "
                    "revenue goal, %(gap)s more than this target."
                )
                % values
            )
        return _("Serves the plan %(plan)s, which needs %(figure)s in these months.") % values
    if code == "persona":
        return _("Tied to the approved buyer persona %(name)s.") % {
            "name": p.get("scope_label") or _("(any)")
        }
    if code == "plan_other":
        return _("Supports the plan %(plan)s, which sets no figure for this metric and scope.") % {
            "plan": p["plan"]
        }
    return _(
        "Tied to nothing: no active plan covers it and it is not about an approved buyer "
        "persona. Activate a plan or choose the plan it serves."
    )


def _time_bound(code: str, p: dict[str, Any], metric: ObjectiveMetric, currency: str) -> str:
    if code == "too_long":
        return _("%(months)s months is too long to steer by: at most %(most)s.") % p
    if code == "over":
        return _("The period ended in %(last)s: it is already over.") % {
            "last": month_label(p["last"])
        }
    return ngettext(
        "%(n)s month, ending in %(last)s.", "%(n)s months, ending in %(last)s.", p["months"]
    ) % {"n": p["months"], "last": month_label(p["last"])}


# The achievable letter's figures when there are none (no data to judge by).
NO_FIGURES: dict[str, Any] = dict.fromkeys(
    ("probability", "best", "median", "p90", "same_months_last_year", "actual_so_far",
     "multiple_of_best", "needed"),
) | {"history_months": 0, "months_left": 0}  # fmt: skip


def explained(smart: dict[str, Any], metric_code: str, currency: str) -> dict[str, Any]:
    """A stored check as the API answers it: each letter's ok and reason (the achievable
    letter with its verdict and figures too)."""
    letters = {}
    for name, check in smart.items():
        answer = {"ok": check["ok"], "reason": explain(name, check, metric_code, currency)}
        if name == "achievable":
            answer |= {**NO_FIGURES, "verdict": "unknown"} | {
                k: v for k, v in check["params"].items() if k != "per_month"
            }
        letters[name] = answer
    return letters


def how_checked(request: Any) -> dict[str, Any]:
    """What the metric dictionary's section on objectives shows: the thresholds of the
    check and of progress, and the metrics an objective can target."""
    from objectives import calculations, checks
    from objectives.metrics import OBJECTIVE_METRICS

    return {
        "objective_metrics": [
            {
                "code": m.code,
                "name": m.name,
                "unit": UNIT_NAMES[m.unit],
                "direction": m.direction.label,
                "per_rep": m.per_owner,
                "scopes": [SCOPE_NAMES[s] for s in sorted(m.scopes) if s],
            }
            for m in OBJECTIVE_METRICS
        ],
        "history_months": calculations.HISTORY_MONTHS,
        "min_history": calculations.MIN_HISTORY,
        "draws": calculations.DRAWS,
        "achievable_from": calculations.ACHIEVABLE_FROM,
        "stretch_from": calculations.STRETCH_FROM,
        "below_plan": checks.BELOW_PLAN,
        "at_risk_within": calculations.AT_RISK_WITHIN,
        "project_from": calculations.PROJECT_FROM,
        "max_months": checks.MAX_OBJECTIVE_MONTHS,
    }


UNIT_NAMES = {
    Unit.COUNT: gettext_lazy("a number"),
    Unit.MONEY: gettext_lazy("money, in the organisation's currency"),
    Unit.PERCENT: gettext_lazy("a percentage"),
    Unit.HOURS: gettext_lazy("hours"),
    Unit.DAYS: gettext_lazy("days"),
}
