"""Compliance as its readers see it: the scorecard of one month, or of the agreement to
date, for both sides, read from the stored scorecards (sla.services.compliance writes
them) with the agreement's terms, the calendar and the plan's rates. A handful of queries
and arithmetic; nothing is recomputed from the hand-offs here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.selectors import StageRole, channels_by_id, stage_with_role
from funnel.selectors import active_plan
from orgs.models import Organization
from sla.calendar import WorkingTime, business_seconds
from sla.models import Agreement, AgreementVersion, Breach, Handoff, Scorecard, Side
from sla.scorecard import Counts, Loss, PlanRates, prorated, rate_between, share, shortfall
from sla.selectors import calendar_of, signed_versions, version_at
from smarketing.lib.formatting import money, number, percent
from smarketing.lib.months import add_months

HOURS = Decimal("0.01")


@dataclass
class Compliance:
    agreement: Agreement
    version: AgreementVersion  # in force at the end of the period read (or now)
    month: date | None  # None: the agreement to date
    first_month: date
    last_month: date  # the period read: a month, or the agreement's first month to now
    computed_at: datetime | None
    currency: str
    ended: bool  # the period read is over
    marketing: dict[str, Any] = field(default_factory=dict)
    sales: dict[str, Any] = field(default_factory=dict)
    owes: dict[str, str] = field(default_factory=dict)
    shortfall: dict[str, Loss] = field(default_factory=dict)


def agreement_covering(organization: Organization, month: date) -> Agreement | None:
    """The signed agreement whose period holds the month."""
    return (
        Agreement.objects.for_org(organization)
        .filter(first_month__lte=month, last_month__gte=month, versions__in_force_at__isnull=False)
        .distinct()
        .first()
    )


def _elapsed(month: date, now: datetime, working: WorkingTime) -> Decimal:
    """The share (0 to 1) of the month's working time gone by at `now`."""
    opens = datetime.combine(month, datetime.min.time(), tzinfo=working.zone)
    closes = datetime.combine(add_months(month, 1), datetime.min.time(), tzinfo=working.zone)
    if now >= closes:
        return Decimal(1)
    whole = business_seconds(opens, closes, working)
    if now <= opens or whole == 0:
        return Decimal(0)
    return Decimal(business_seconds(opens, now, working)) / whole


def _months(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def _committed(
    months: list[date], versions: list[AgreementVersion], working: WorkingTime, now: datetime,
    channel: str | None = None,
) -> int:  # fmt: skip
    """MQLs committed over the months, pro-rated to now, each by the version in force at the
    month's end (or now): in total, or in one channel (its code)."""
    total = 0
    for month in months:
        ends = datetime.combine(add_months(month, 1), datetime.min.time(), tzinfo=working.zone)
        version = version_at(versions, min(ends - timedelta(microseconds=1), now), working.zone)
        if version is None:
            continue
        per_month = version.mqls_per_month if channel is None else version.channel_mqls.get(channel)
        if per_month:
            total += prorated(per_month, _elapsed(month, now, working))
    return total


def _hours(seconds: int | None) -> Decimal | None:
    return None if seconds is None else (Decimal(seconds) / 3600).quantize(HOURS, ROUND_HALF_UP)


def _plan_rates(organization: Organization) -> PlanRates:
    plan = active_plan(organization)
    if plan is None:
        return PlanRates(None, None, None)
    assumptions = (plan.result or {}).get("assumptions", {})
    stages = (plan.result or {}).get("inputs_used", {}).get("stages", [])
    rates = {k: Decimal(v) for k, v in assumptions.get("conversion_rates", {}).items()}
    handoff = stage_with_role(organization, StageRole.HANDOFF) or ""
    customer = stage_with_role(organization, StageRole.CUSTOMER) or ""
    following = stages[stages.index(handoff) + 1] if handoff in stages[:-1] else ""
    deal = assumptions.get("average_deal_size")
    return PlanRates(
        handoff_to_customer=rate_between(stages, rates, handoff, customer),
        accepted_to_customer=rate_between(stages, rates, following, customer),
        average_deal=Decimal(deal) if deal not in (None, "") else None,
    )


def compliance_of(
    organization: Organization, *, month: date | None, now: datetime
) -> Compliance | None:
    """The scorecard of `month` (its first day), or of the agreement in force today to date
    (`month` None); None without a signed agreement for it."""
    calendar = calendar_of(organization)
    working = calendar.working_time(now.year - 2, now.year + 1)
    today = now.astimezone(working.zone).date().replace(day=1)
    agreement = agreement_covering(organization, month or today)
    if agreement is None and month is None:
        agreement = (
            Agreement.objects.for_org(organization)
            .filter(first_month__lte=today, versions__in_force_at__isnull=False)
            .order_by("-first_month")
            .first()
        )
    if agreement is None:
        return None
    if month is not None:
        working = calendar.working_time(month.year - 1, max(month.year, now.year) + 1)
    versions = [v for v in signed_versions(organization) if v.agreement_id == agreement.pk]
    last = month or min(agreement.last_month, today)
    months = [month] if month else _months(agreement.first_month, last)
    ends = datetime.combine(add_months(last, 1), datetime.min.time(), tzinfo=working.zone)
    version = version_at(versions, min(ends - timedelta(microseconds=1), now), working.zone)
    version = version or versions[0]
    rows = list(
        Scorecard.objects.filter(organization=organization, agreement=agreement, month=month)
    )
    total = next((r for r in rows if not r.by_channel), None) or Scorecard()
    found = Compliance(
        agreement=agreement, version=version, month=month, first_month=months[0],
        last_month=months[-1], computed_at=total.computed_at, currency=organization.currency,
        ended=months[-1] < today,
    )  # fmt: skip
    breaches = _breach_counts(organization, agreement, months)
    found.marketing = _marketing(organization, total, rows, months, versions, version, working,
                                 now, breaches)  # fmt: skip
    found.sales = _sales(organization, total, agreement, version, months, breaches)
    counts = Counts(
        committed=found.marketing["committed"], delivered=total.leads,
        decided=total.accepted + total.rejected, accepted=total.accepted,
        acceptance_bar=version.acceptance_rate / 100, touch_due=total.touch_due,
        within_window=total.within_window, won_within=total.won_within, won_late=total.won_late,
    )  # fmt: skip
    found.shortfall = shortfall(counts, _plan_rates(organization))
    found.owes = _owes(found)
    return found


def _breach_counts(
    organization: Organization, agreement: Agreement, months: list[date]
) -> dict[str, int]:
    rows = Breach.objects.filter(
        organization=organization, agreement=agreement, month__gte=months[0], month__lte=months[-1]
    ).values_list("kind", flat=True)
    counts: dict[str, int] = dict.fromkeys(Breach.Kind.values, 0)
    for kind in rows:
        counts[kind] += 1
    return counts


def _marketing(
    organization: Organization, total: Scorecard, rows: list[Scorecard], months: list[date],
    versions: list[AgreementVersion], version: AgreementVersion, working: WorkingTime,
    now: datetime, breaches: dict[str, int],
) -> dict[str, Any]:  # fmt: skip
    names = channels_by_id(organization)
    delivered = {r.channel_id: r.leads for r in rows if r.by_channel}
    codes = {code: pk for pk, (code, _name) in names.items()}
    channels = []
    for code in sorted(
        set(version.channel_mqls) | {names[pk][0] for pk in delivered if pk in names}
    ):
        pk = codes.get(code)
        channels.append({
            "channel": code,
            "name": names[pk][1] if pk in names else code,
            "committed": _committed(months, versions, working, now, channel=code),
            "delivered": delivered.get(pk, 0),
        })  # fmt: skip
    fit_bar = version.fit_share
    return {
        "committed": _committed(months, versions, working, now),
        "delivered": total.leads,
        "channels": channels,
        "acceptance_rate": share(total.accepted, total.accepted + total.rejected),
        "acceptance_bar": (version.acceptance_rate / 100).quantize(Decimal("0.0001")),
        "fit_share": share(total.fits, total.measured_fit),
        "fit_bar": None if fit_bar is None else (fit_bar / 100).quantize(Decimal("0.0001")),
        "breaches": breaches[Breach.Kind.VOLUME],
    }


def _sales(
    organization: Organization, total: Scorecard, agreement: Agreement,
    version: AgreementVersion, months: list[date], breaches: dict[str, int],
) -> dict[str, Any]:  # fmt: skip
    open_now = Handoff.objects.filter(
        organization=organization, agreement=agreement, month__gte=months[0], month__lte=months[-1]
    )
    return {
        "response_p50_hours": _hours(total.response_p50),
        "response_p90_hours": _hours(total.response_p90),
        "window_hours": version.first_touch_hours,
        "touched": total.touched,
        "within_window_share": share(total.within_window, total.touch_due),
        "attempts_needed": version.attempts,
        "attempts_share": share(total.attempts_met, total.attempts_due),
        "decided": total.accepted + total.rejected,
        "decided_in_time_share": share(total.decided_in_time, total.decision_due),
        "untouched_overdue": open_now.filter(
            first_touch_at__isnull=True, late_touch=True, decision=""
        ).count(),
        "undecided_overdue": open_now.filter(decision="", late_decision=True).count(),
        "breaches": {k: breaches[k] for k in ("first_touch", "attempts", "decision")},
    }


def _owes(found: Compliance) -> dict[str, str]:
    """Who owes whom, one line a side, in the reader's language."""
    m, s = found.marketing, found.sales
    missing = m["committed"] - m["delivered"]
    due = _("agreed") if found.ended else _("due by now")
    if missing > 0:
        marketing = ngettext(
            "Marketing owes sales %(count)s MQL: %(delivered)s delivered of %(committed)s %(due)s.",
            "Marketing owes sales %(count)s MQLs: %(delivered)s delivered of %(committed)s %(due)s.",
            missing,
        ) % {"count": number(missing), "delivered": number(m["delivered"]),
             "committed": number(m["committed"]), "due": due}  # fmt: skip
    else:
        marketing = _("Marketing is keeping its commitment: %(delivered)s MQLs delivered of %(committed)s %(due)s.") % {
            "delivered": number(m["delivered"]), "committed": number(m["committed"]), "due": due}  # fmt: skip
    if m["acceptance_rate"] is not None and m["acceptance_rate"] < m["acceptance_bar"]:
        marketing += " " + _("Sales accepted %(rate)s of them, against %(bar)s agreed.") % {
            "rate": percent(m["acceptance_rate"]), "bar": percent(m["acceptance_bar"])}  # fmt: skip
    owed = []
    if s["untouched_overdue"]:
        owed.append(ngettext(
            "a first touch on %(count)s MQL", "a first touch on %(count)s MQLs",
            s["untouched_overdue"]) % {"count": number(s["untouched_overdue"])})  # fmt: skip
    if s["undecided_overdue"]:
        owed.append(ngettext(
            "a decision on %(count)s MQL", "a decision on %(count)s MQLs",
            s["undecided_overdue"]) % {"count": number(s["undecided_overdue"])})  # fmt: skip
    if len(owed) == 2:
        sales = _("Sales owes marketing %(first)s and %(second)s, past their deadlines.") % {
            "first": owed[0], "second": owed[1]}  # fmt: skip
    elif owed:
        sales = _("Sales owes marketing %(first)s, past the deadline.") % {"first": owed[0]}
    else:
        sales = _("Sales owes marketing nothing past its deadline.")
    if s["within_window_share"] is not None:
        sales += " " + _("%(share)s of MQLs were touched within %(hours)s business hours.") % {
            "share": percent(s["within_window_share"]), "hours": _trimmed(s["window_hours"])}  # fmt: skip
    return {Side.MARKETING.value: marketing, Side.SALES.value: sales}


def _trimmed(hours: Decimal) -> str:
    """4 hours as "4", a quarter past as "4.25", in the reader's language."""
    return number(hours, 0 if hours == hours.to_integral_value() else 2)


def loss_text(loss: Loss, currency: str) -> str:
    """A part of the shortfall in words: its customers and revenue, or why they are missing."""
    if loss.customers is None:
        if loss.note == "not_enough_history":
            return _("not enough history yet to measure what speed is worth")
        return _("no active plan to turn it into customers")
    text = _("%(customers)s customers") % {"customers": number(loss.customers, 1)}
    if loss.revenue is not None:
        text += ", " + money(loss.revenue, currency)
    return text
