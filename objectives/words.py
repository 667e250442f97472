"""Objectives as the pages word them: statuses in words with their colour, every figure in
its metric's unit (money with the organisation's currency, rates as percentages), months by
name, metrics and scopes by name, the SMART letters with their reasons."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from objectives.metrics import BY_CODE, Direction, ObjectiveMetric, Unit
from objectives.models import Objective, RepTarget, Status
from objectives.reasons import amount
from objectives.selectors import team_of
from smarketing.lib.formatting import month_label, number, percent

# A status's colour: the badge classes of the stylesheet ("" is the plain blue badge).
TONES = {
    Status.NOT_STARTED: "",
    Status.EARLY: "",
    Status.ON_TRACK: "ok",
    Status.ACHIEVED: "ok",
    Status.AT_RISK: "warn",
    Status.OFF_TRACK: "bad",
    Status.MISSED: "bad",
}
LETTERS: list[tuple[str, str, StrOrPromise]] = [
    ("specific", "S", _("Specific")),
    ("measurable", "M", _("Measurable")),
    ("achievable", "A", _("Achievable")),
    ("relevant", "R", _("Relevant")),
    ("time_bound", "T", _("Time-bound")),
]
VERDICTS: dict[str, StrOrPromise] = {
    "achievable": _("Achievable"),
    "stretch": _("A stretch"),
    "unrealistic": _("Unrealistic"),
    "unknown": _("Too little history to tell"),
}
TEAMS: dict[str | None, StrOrPromise] = {
    "marketing": _("Marketing"),
    "sales": _("Sales"),
    None: _("Neither team"),
}
UNIT_NAMES: dict[Unit, StrOrPromise] = {
    Unit.COUNT: _("count"),
    Unit.PERCENT: "%",
    Unit.HOURS: _("hours"),
    Unit.DAYS: _("days"),
}


def status(code: str) -> dict[str, Any]:
    """{"code", "label", "tone"} of a status code."""
    known = Status(code) if code in Status.values else Status.NOT_STARTED
    return {"code": known.value, "label": known.label, "tone": TONES[known]}


def unit_name(metric: ObjectiveMetric, currency: str) -> str:
    return currency if metric.unit == Unit.MONEY else str(UNIT_NAMES[metric.unit])


def period(objective: Objective, *, unbroken: bool = False) -> str:
    """ "Jan 2026 to Jun 2026" with an en dash; `unbroken`: each month kept on one line, so that a narrow
    column breaks at the dash."""
    first, last = month_label(objective.first_month), month_label(objective.last_month)
    if unbroken:
        first, last = first.replace(" ", "\u00a0"), last.replace(" ", "\u00a0")
    return first if first == last else f"{first} \u2013 {last}"  # an en dash


def progress_words(
    metric: ObjectiveMetric, progress: Mapping[str, Any] | None, currency: str
) -> dict[str, Any]:
    """A stored progress with its figures worded: actual, expected by now, pace needed per
    month left, projection, the share of the period gone by."""
    progress = progress or {}

    def worded(name: str) -> str:
        value = progress.get(name)
        if value is not None and metric.unit in (Unit.MONEY, Unit.COUNT):
            # Progress in whole units: €130,471, not €130,471.02; 77 SQLs expected by now,
            # not 76.9 (the fractions are noise here).
            value = Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP)
        return amount(metric, value, currency)

    elapsed = progress.get("elapsed")
    return {
        "actual": worded("actual"),
        "expected": worded("expected"),
        "pace": worded("pace") if progress.get("pace") is not None else "",
        "projected": worded("projected"),
        "elapsed": percent(elapsed, 0) if elapsed is not None else "—",
        "status": status(progress.get("status") or Status.NOT_STARTED),
    }


def objective_row(objective: Objective, currency: str, scope_label: str) -> dict[str, Any]:
    """One line of the scorecard, from an objective with its owners prefetched."""
    metric = BY_CODE[objective.metric]
    return {
        "objective": objective,
        "metric": metric.name,
        "scope": scope_label,
        "period": period(objective, unbroken=True),
        "direction": Direction(objective.direction).label,
        "target": amount(metric, objective.target, currency),
        "progress": progress_words(metric, objective.progress, currency),
        "status": status(objective.status),
        "owners": [owner_words(o.membership, o.weight) for o in objective.owners.all()],
        "shared": objective.shared,
    }


def owner_words(membership: Any, weight: Decimal) -> dict[str, Any]:
    return {
        "member": membership.pk,
        "name": str(membership.user),
        "role": membership.get_role_display(),
        "team": TEAMS[team_of(membership.role)],
        "weight": percent(Decimal(weight) / 100, 0 if weight == int(weight) else 1),
    }


def rep_target_words(rep: RepTarget, currency: str, *, named: bool = False) -> dict[str, Any]:
    """A rep's target on an objective (its objective selected with it); `named`: with the
    rep's name (their membership and user selected with it too)."""
    objective = rep.objective
    metric = BY_CODE[objective.metric]
    return {
        "objective": objective,
        "name": str(rep.membership.user) if named else "",
        "metric": metric.name,
        "period": period(objective),
        "target": amount(metric, rep.target, currency),
        "progress": progress_words(metric, rep.progress, currency),
        "status": status(rep.status),
    }


def check_words(smart: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An explained check (objectives.reasons.explained) as the five letters in order, the
    achievable one with its verdict and the chance of reaching the target."""
    if not smart:
        return None
    letters = []
    for name, initial, label in LETTERS:
        answer = smart.get(name) or {"ok": False, "reason": ""}
        letters.append(
            {"name": name, "initial": initial, "label": label, "ok": answer["ok"],
             "reason": answer["reason"]}
        )  # fmt: skip
    achievable = smart.get("achievable") or {}
    probability = achievable.get("probability")
    return {
        "letters": letters,
        "passed": sum(1 for letter in letters if letter["ok"]),
        "verdict": VERDICTS.get(achievable.get("verdict") or "unknown", ""),
        "verdict_code": achievable.get("verdict") or "unknown",
        "probability": percent(probability, 0) if probability is not None else "",
    }


def team_words(teams: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The scorecard's teams: the incentive weight their owners carry and the share of it
    on shared objectives."""
    return [
        {
            "team": TEAMS[team],
            "code": team,
            "weight": number(values["weight"], 0),
            "on_shared": number(values["on_shared"], 0),
            "share": percent(values["share_on_shared"], 0)
            if values["share_on_shared"] is not None
            else "—",
        }
        for team, values in teams.items()
    ]
