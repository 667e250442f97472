"""The agreement as the pages word it for a manager: its period by month names, each
version's status, what each team commits to (figures formatted for the language, rates as
percentages, channels and rejection reasons by name) and who signed each side."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sla.models import RejectionReason, Side
from smarketing.lib.formatting import number, percent

SHORT_FINGERPRINT = 12


def period(first: date, last: date) -> str:
    """ "January 2027 to December 2027", with an en dash."""
    return f"{date_filter(first, 'F Y')} \N{EN DASH} {date_filter(last, 'F Y')}"


def _digits(value: Decimal) -> int:
    """As many decimals as the figure has, at most two: 70, 72.5, 0.25."""
    return min(max(-value.normalize().as_tuple().exponent, 0), 2)  # type: ignore[operator]


def share(value: object) -> str:
    """A percentage as stored (70.00) as the language writes it: 70%, 72,5 %."""
    amount = Decimal(str(value))
    return percent(amount / 100, digits=_digits(amount))


def figure(value: object) -> str:
    amount = Decimal(str(value))
    return number(amount, digits=_digits(amount))


def _many(value: object) -> int:
    """The count ngettext chooses a plural by: 1 only for exactly one."""
    return 1 if Decimal(str(value)) == 1 else 2


def marketing_words(terms: Mapping[str, Any], channel_names: Mapping[str, str]) -> dict[str, Any]:
    """Marketing's commitments: MQLs a month in total and per channel (by name, the most
    first), the quality they come with, and the tolerance before a shortfall is a breach."""
    channels = sorted(terms["channel_mqls"].items(), key=lambda item: (-item[1], item[0]))
    rest = terms["mqls_per_month"] - sum(n for _code, n in channels)
    lines = [
        _("At least %(share)s of them accepted by sales.")
        % {"share": share(terms["acceptance_rate"])},
        _("At least %(share)s of them fit an approved buyer persona.")
        % {"share": share(terms["fit_share"])}
        if terms["fit_share"] is not None
        else _("No share of MQLs fitting a buyer persona is promised."),
        _("A month is a breach when its MQLs fall more than %(share)s short of the promise.")
        % {"share": share(terms["shortfall_tolerance"])},
    ]
    return {
        "mqls": number(terms["mqls_per_month"]),
        "channels": [(channel_names.get(code, code), number(n)) for code, n in channels],
        "rest": number(rest) if channels and rest > 0 else None,
        "lines": lines,
    }


def sales_words(terms: Mapping[str, Any]) -> dict[str, Any]:
    """Sales' commitments in sentences, and the reasons a rejection may give by name."""
    hours, attempts = terms["first_touch_hours"], terms["attempts"]
    days, decision = terms["attempts_days"], terms["decision_days"]
    lines = [
        ngettext(
            "A first touch within %(n)s business hour of the hand-off.",
            "A first touch within %(n)s business hours of the hand-off.",
            _many(hours),
        )
        % {"n": figure(hours)},
        ngettext(
            "At least %(k)s attempt to reach the lead",
            "At least %(k)s attempts to reach the lead",
            attempts,
        )
        % {"k": number(attempts)}
        + " "
        + ngettext("within %(d)s business day.", "within %(d)s business days.", days)
        % {"d": number(days)},
        ngettext(
            "Accepts or rejects each MQL within %(z)s business day.",
            "Accepts or rejects each MQL within %(z)s business days.",
            decision,
        )
        % {"z": number(decision)},
    ]
    reasons = [str(RejectionReason(code).label) for code in terms["rejection_reasons"]]
    return {"lines": lines, "reasons": reasons}


def version_status(version: Mapping[str, Any]) -> dict[str, str]:
    """{"label", "tone"} of a version: in force, superseded, or a draft and whose
    signature it awaits."""
    if version["status"] == "in_force":
        return {"label": _("In force"), "tone": "ok"}
    if version["status"] == "superseded":
        return {"label": _("Superseded"), "tone": ""}
    signed = {s["side"] for s in version["signatures"]}
    if Side.MARKETING in signed:
        return {"label": _("Draft: awaiting sales' signature"), "tone": "warn"}
    if Side.SALES in signed:
        return {"label": _("Draft: awaiting marketing's signature"), "tone": "warn"}
    return {"label": _("Draft: awaiting both signatures"), "tone": "warn"}


def signature_rows(version: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Marketing, sales, then leadership's countersignature: who signed and when (None
    where not yet), and whether an admin stood in for the team."""
    given = {s["side"]: s for s in version["signatures"]}
    rows = []
    for side in Side:
        signature = given.get(side)
        rows.append(
            {
                "side": side.value,
                "label": side.label,
                "by": signature["by"] if signature else "",
                "at": signature["at"] if signature else None,
                "stood_in": bool(signature and signature["stood_in_as_admin"]),
            }
        )
    return rows


def version_words(version: Mapping[str, Any], channel_names: Mapping[str, str]) -> dict[str, Any]:
    terms = version["terms"]
    return {
        **version,
        "state": version_status(version),
        "short_fingerprint": version["fingerprint"][:SHORT_FINGERPRINT],
        "marketing": marketing_words(terms, channel_names),
        "sales": sales_words(terms),
        "sides": signature_rows(version),
    }


def agreement_status(data: Mapping[str, Any]) -> dict[str, str]:
    """The agreement in one badge: the version in force (and a newer draft awaiting
    signatures), or its draft's state."""
    newest, in_force = data["versions"][0], data["in_force_version"]
    if in_force is None:
        return version_status(newest)
    if newest["number"] != in_force:
        return {
            "label": _("Version %(n)s in force; version %(m)s awaits signatures")
            % {"n": in_force, "m": newest["number"]},
            "tone": "ok",
        }
    return {"label": _("Version %(n)s in force") % {"n": in_force}, "tone": "ok"}


def working_days_words(days: list[int], names: Mapping[int, str]) -> str:
    """ "Monday to Friday" for a run of three days or more, else the days named one by one:
    "Monday, Wednesday, Friday"."""
    days = sorted(days)
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return _("%(first)s to %(last)s") % {"first": names[days[0]], "last": names[days[-1]]}
    return ", ".join(names[day] for day in days)
