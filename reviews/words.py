"""What a notification says, in the reader's language: made when it is read (a page, an
e-mail), from the event's data, so one event reads well in each member's language."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from objectives.models import Status
from sla.models import Breach
from smarketing.lib.events import Kind
from smarketing.lib.formatting import month_label, number, percent


def _breach(data: dict[str, Any]) -> str:
    kind = _label(Breach.Kind, data.get("breach_kind"))
    if data.get("lead_name"):
        return _("SLA breach: %(kind)s, lead %(lead)s") % {"kind": kind, "lead": data["lead_name"]}
    return _("SLA breach: %(kind)s, %(delivered)s of at least %(expected)s MQLs in %(month)s") % {
        "kind": kind,
        "delivered": number(data.get("delivered")),
        "expected": number(data.get("expected")),
        "month": month_label(data.get("month")),
    }


def _escalated(data: dict[str, Any]) -> str:
    return ngettext(
        "Still open %(hours)s hour after its owner was told: %(breach)s",
        "Still open %(hours)s hours after its owner was told: %(breach)s",
        int(data.get("hours") or 0),
    ) % {"hours": data.get("hours", ""), "breach": _breach(data)}


def _objective(data: dict[str, Any]) -> str:
    return _("Objective “%(name)s” is now %(status)s (was %(before)s)") % {
        "name": data.get("name", ""),
        "status": _label(Status, data.get("status")).lower(),
        "before": _label(Status, data.get("previous_status")).lower(),
    }


def _drift(data: dict[str, Any]) -> str:
    """By how much, and what it costs or brings: "Plan “FY2027” is at risk: Lead → MQL
    converts 18.2%, not the 25.0% assumed (-12 customers at current rates)"."""
    words = {"plan": data.get("plan_name", ""), "stage": data.get("stage_name", "")}
    if data.get("measured") in (None, "") or data.get("assumed") in (None, ""):
        return _("Plan “%(plan)s” is at risk: %(stage)s drifts from its assumption") % words
    if data.get("metric") == "days":
        title = _("Plan “%(plan)s” is at risk: %(stage)s takes %(measured)s days, not the "
                  "%(assumed)s assumed") % {
            **words, "measured": number(data["measured"], 1), "assumed": number(data["assumed"], 1)
        }  # fmt: skip
    else:
        title = _("Plan “%(plan)s” is at risk: %(stage)s converts %(measured)s, not the "
                  "%(assumed)s assumed") % {
            **words, "measured": percent(data["measured"]), "assumed": percent(data["assumed"])
        }  # fmt: skip
    customers = int(data.get("customers_delta") or 0)
    if not customers:
        return title
    return ngettext(
        "%(title)s (%(customers)s customer at current rates)",
        "%(title)s (%(customers)s customers at current rates)",
        abs(customers),
    ) % {"title": title, "customers": signed(customers)}


def signed(value: Any, digits: int = 0) -> str:
    """A change with its sign, as the language writes numbers: +8, -12."""
    amount = Decimal(str(value))
    return ("+" if amount > 0 else "") + number(amount, digits)


def _signature(data: dict[str, Any]) -> str:
    values = {
        "version": data.get("version", ""),
        "first": month_label(data.get("first_month")),
        "last": month_label(data.get("last_month")),
    }
    if data.get("signed_by") == "marketing":
        return (
            _(
                "Marketing signed version %(version)s of the Sales-Marketing agreement for "
                "%(first)s to %(last)s: it awaits your signature"
            )
            % values
        )
    if data.get("signed_by") == "sales":
        return (
            _(
                "Sales signed version %(version)s of the Sales-Marketing agreement for "
                "%(first)s to %(last)s: it awaits your signature"
            )
            % values
        )
    if data.get("edited"):
        return (
            _(
                "Version %(version)s of the Sales-Marketing agreement for %(first)s to %(last)s "
                "was edited after you signed: it awaits your signature again"
            )
            % values
        )
    if data.get("sides") == ["leadership"]:
        return (
            _(
                "Version %(version)s of the Sales-Marketing agreement for %(first)s to %(last)s "
                "is in force: it awaits leadership's countersignature"
            )
            % values
        )
    return (
        _(
            "Version %(version)s of the Sales-Marketing agreement for %(first)s to %(last)s "
            "awaits your signature"
        )
        % values
    )


def _renewal(data: dict[str, Any]) -> str:
    return _(
        "The Sales-Marketing agreement for %(first)s to %(last)s ends on %(ends)s: "
        "time to sign the next one"
    ) % {
        "first": month_label(data.get("first_month")),
        "last": month_label(data.get("last_month")),
        "ends": _day(data.get("ends")),
    }


def _persona(data: dict[str, Any]) -> str:
    values = {"version": data.get("version", ""), "name": data.get("name", "")}
    if data.get("approved_by") == "marketing":
        return (
            _(
                "Marketing approved version %(version)s of the buyer persona “%(name)s”: "
                "it awaits your approval"
            )
            % values
        )
    if data.get("approved_by") == "sales":
        return (
            _(
                "Sales approved version %(version)s of the buyer persona “%(name)s”: "
                "it awaits your approval"
            )
            % values
        )
    return _("Version %(version)s of the buyer persona “%(name)s” awaits your approval") % values


def _import_finished(data: dict[str, Any]) -> str:
    return _("Import of %(file)s finished: %(written)s rows written, %(rejected)s rejected") % {
        "file": data.get("file_name", ""),
        "written": number(data.get("written", 0)),
        "rejected": number(data.get("rejected", 0)),
    }


def _import_failed(data: dict[str, Any]) -> str:
    return _("Import of %(file)s failed: %(reason)s") % {
        "file": data.get("file_name", ""),
        "reason": data.get("reason", ""),
    }


def _pulse(data: dict[str, Any]) -> str:
    from reviews.pulse_words import period_label

    period = parse_date(str(data.get("period") or ""))
    return _("The alignment pulse for %(period)s is open until %(closes)s") % {
        "period": period_label(period, str(data.get("cadence") or "")) if period else "",
        "closes": _day(data.get("closes")),
    }


def _plan_activated(data: dict[str, Any]) -> str:
    return _("Plan “%(plan)s” is now active") % {"plan": data.get("plan_name", "")}


def _kpis_updated(data: dict[str, Any]) -> str:
    return _("KPIs updated")


def _webhook_disabled(data: dict[str, Any]) -> str:
    return _("The webhook to %(url)s was disabled: its deliveries failed for a day") % {
        "url": data.get("url", ""),
    }


TITLES: dict[str, Callable[[dict[str, Any]], str]] = {
    Kind.SLA_BREACH: _breach,
    Kind.SLA_ESCALATED: _escalated,
    Kind.OBJECTIVE_STATUS: _objective,
    Kind.PLAN_AT_RISK: _drift,
    Kind.AGREEMENT_SIGNATURE: _signature,
    Kind.AGREEMENT_RENEWAL: _renewal,
    Kind.PERSONA_APPROVAL: _persona,
    Kind.IMPORT_FINISHED: _import_finished,
    Kind.IMPORT_FAILED: _import_failed,
    Kind.PULSE_OPEN: _pulse,
    Kind.PLAN_ACTIVATED: _plan_activated,
    Kind.KPIS_UPDATED: _kpis_updated,
    Kind.WEBHOOK_DISABLED: _webhook_disabled,
}


def title(kind: str, data: dict[str, Any]) -> str:
    """One line saying what happened, in the active language."""
    words = TITLES.get(kind)
    return words(data) if words else kind


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _day(value: Any) -> str:
    """An ISO date from the event's data as the language writes a day."""
    day = parse_date(str(value)) if value else None
    return date_filter(day, "DATE_FORMAT") if day else str(value or "")
