"""Compliance as the pages word it: the months a scorecard can be read for, by name; who owes
whom, side by side; marketing's channels against their commitment; and the shortfall's three
parts in MQLs, customers and revenue (or why they are not measured). The figures are
sla.compliance's; this only arranges and names them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext_lazy as _

from sla.compliance import Compliance, loss_text
from sla.models import Agreement, Breach, Side
from sla.scorecard import share
from sla.words import figure, period
from sla.words import share as stored_share
from smarketing.lib.formatting import number
from smarketing.lib.months import add_months

PARTS = {
    "volume": (_("Volume"), _("MQLs marketing did not deliver")),
    "quality": (_("Quality"), _("MQLs rejected beyond the acceptance agreed")),
    "speed": (_("Speed"), _("MQLs touched late, or not at all")),
}


def month_choices(
    agreements: list[Agreement], *, this_month: date, chosen: date | None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each signed agreement's months up to this one, the newest first, grouped under the
    agreement's period; the month chosen among them even when it is still to come."""
    groups = []
    for agreement in agreements:
        last = min(agreement.last_month, this_month)
        if chosen and agreement.first_month <= chosen <= agreement.last_month:
            last = max(last, chosen)
        months, month = [], last
        while month >= agreement.first_month:
            months.append((f"{month:%Y-%m}", date_filter(month, "F Y")))
            month = add_months(month, -1)
        if months:
            groups.append((period(agreement.first_month, agreement.last_month), months))
    return groups


def read_for(found: Compliance) -> str:
    """The period a scorecard covers: "March 2026", or its first and last months."""
    if found.month is not None:
        return str(date_filter(found.month, "F Y"))
    return period(found.first_month, found.last_month)


def agreed(found: Compliance) -> dict[str, str | None]:
    """The terms the figures are held against, as the language writes them: 70%, 8 hours."""
    version = found.version
    return {
        "acceptance": stored_share(version.acceptance_rate),
        "fit": None if version.fit_share is None else stored_share(version.fit_share),
        "window": figure(version.first_touch_hours),
        "attempts": number(version.attempts),
        "attempts_days": number(version.attempts_days),
        "decision_days": number(version.decision_days),
    }


def response_hours(found: Compliance) -> dict[str, str | None]:
    """Sales' response times as the language writes them, as exact as stored (1.25, 6):
    the median and the 90th percentile, None where nothing was touched."""
    sales = found.sales
    return {
        key: None
        if sales[f"response_{key}_hours"] is None
        else figure(sales[f"response_{key}_hours"])
        for key in ("p50", "p90")
    }


def owes_rows(found: Compliance) -> list[dict[str, Any]]:
    """Who owes whom, a line a side, and whether the side is keeping its word."""
    m, s = found.marketing, found.sales
    below_bar = m["acceptance_rate"] is not None and m["acceptance_rate"] < m["acceptance_bar"]
    return [
        {
            "side": Side.MARKETING.value,
            "label": Side.MARKETING.label,
            "line": found.owes[Side.MARKETING.value],
            "keeping": m["delivered"] >= m["committed"] and not below_bar,
        },
        {
            "side": Side.SALES.value,
            "label": Side.SALES.label,
            "line": found.owes[Side.SALES.value],
            "keeping": not (s["untouched_overdue"] or s["undecided_overdue"]),
        },
    ]


def sales_breach_rows(found: Compliance) -> list[tuple[str, str, int]]:
    """Sales' breaches in the period: each kind, by name, and how many were recorded."""
    counts = found.sales["breaches"]
    return [(kind, str(Breach.Kind(kind).label), counts[kind]) for kind in counts]


def channel_rows(found: Compliance) -> list[dict[str, Any]]:
    """Marketing's channels by name: MQLs due by now, delivered, and the share delivered."""
    return [
        {
            **row,
            "share": share(row["delivered"], row["committed"]),
            "short": row["delivered"] < row["committed"],
        }
        for row in sorted(found.marketing["channels"], key=lambda r: str(r["name"]).lower())
    ]


def _mqls(value: Decimal) -> str:
    return number(value, 0 if value == value.to_integral_value() else 1)


def shortfall_rows(found: Compliance) -> list[dict[str, Any]]:
    """Volume, quality and speed: what each is, its MQLs, and what they are worth."""
    rows = []
    for part, (label, what) in PARTS.items():
        loss = found.shortfall[part]
        rows.append({
            "part": part, "label": label, "what": what, "mqls": _mqls(loss.mqls),
            "worth": loss_text(loss, found.currency), "measured": loss.customers is not None,
        })  # fmt: skip
    return rows


def shortfall_total(found: Compliance) -> dict[str, Any] | None:
    """The parts measured, added up: customers and revenue (None when no part is measured;
    `complete` says whether every part was)."""
    measured = [loss for loss in found.shortfall.values() if loss.customers is not None]
    if not measured:
        return None
    revenues = [loss.revenue for loss in measured if loss.revenue is not None]
    return {
        "customers": sum((loss.customers or Decimal(0) for loss in measured), Decimal(0)),
        "revenue": sum(revenues, Decimal(0)) if len(revenues) == len(measured) else None,
        "complete": len(measured) == len(found.shortfall),
    }


def scorecard_words(found: Compliance, *, this_month: date) -> dict[str, Any]:
    """Everything the scorecard page says of `found`; `running` while its period lasts
    (marketing's commitment is then what is due by now)."""
    return {
        "read_for": read_for(found),
        "running": found.last_month >= this_month,
        "agreed": agreed(found),
        "hours": response_hours(found),
        "owes": owes_rows(found),
        "channels": channel_rows(found),
        "sales_breaches": sales_breach_rows(found),
        "shortfall": shortfall_rows(found),
        "total": shortfall_total(found),
    }
