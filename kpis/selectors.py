"""Reads of the KPI facts, the open pipeline and their freshness; every query scoped to one
organisation. The apps above (funnel, dashboards) read the facts only through these."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db.models import DecimalField, F, IntegerField, Max, Min, Q, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from crm.journal import waiting_count, waiting_count_sql
from kpis.dictionary import RATE, SUMMED, derive, funnel_conversions, ratio
from kpis.models import KpiFact, KpiState, PersonaFact, PipelineFact
from orgs.models import Organization
from personas.selectors import persona_names
from smarketing.lib.api_conventions import json_bytes
from smarketing.lib.prepared import fetch_one_prepared

GROUPS = {
    "month": "month",
    "channel": "channel__code",
    "campaign": "campaign_id",
}
# /api/v1/kpis/?group_by=: the groups above, and the buyer personas (persona_rows).
GROUP_CHOICES = [*GROUPS, "persona"]
KPI_STAGES = ("mql", "sql", "opportunity")  # the stage counts every KPI row carries
KPI_CACHE_SECONDS = 3600  # an answer outlives its version by at most this: memory, not freshness


def _facts(
    organization: Organization,
    start: date | None,
    end: date | None,
    channel: str | None,
    owner: int | None = None,
    model: type[KpiFact] | type[PersonaFact] = KpiFact,
    campaign: int | None = None,
) -> Any:
    """The organisation's facts (KPI facts, or with `model` persona facts) of the months
    from `start` to `end`, of one channel, campaign and owner when given."""
    facts = model.objects.for_org(organization)
    if start:
        facts = facts.filter(month__gte=start.replace(day=1))
    if end:
        facts = facts.filter(month__lte=end)
    if channel:
        facts = facts.filter(channel__code=channel)
    if owner:
        facts = facts.filter(owner_id=owner)
    if campaign:
        facts = facts.filter(campaign_id=campaign)
    return facts


def _sum(name: str) -> Coalesce:
    field = KpiFact._meta.get_field(name)
    if isinstance(field, DecimalField):
        money: DecimalField = DecimalField(
            max_digits=field.max_digits, decimal_places=field.decimal_places
        )
        return Coalesce(Sum(name), Value(Decimal(0)), output_field=money)
    return Coalesce(Sum(name), Value(0), output_field=IntegerField())


def _stage_sum(field: str, code: str) -> Coalesce:
    return Coalesce(Sum(Cast(KT(f"{field}__{code}"), IntegerField())), 0)


def kpi_sums(
    organization: Organization,
    *,
    group_by: str | None,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
    owner: int | None = None,
    stages: tuple[str, ...] | list[str] = KPI_STAGES,
    campaign: int | None = None,
) -> list[dict[str, Any]]:
    """Summed facts per group (month, channel code or campaign id; one row for None), of
    one channel, owner and campaign when given."""
    facts = _facts(organization, start, end, channel, owner, campaign=campaign)
    sums: dict[str, Any] = {name: _sum(name) for name in SUMMED}
    sums |= {f"reached__{code}": _stage_sum("reached", code) for code in stages}
    sums |= {f"converted__{code}": _stage_sum("converted", code) for code in stages}
    rows: list[dict[str, Any]]
    if group_by:
        keys: dict[str, Any] = {"key": F(GROUPS[group_by])}
        if group_by == "campaign":
            keys["campaign_name"] = F("campaign__name")
        rows = list(facts.values(**keys).annotate(**sums).order_by("key"))
    else:
        rows = [facts.aggregate(**sums)]
    for row in rows:
        row["reached"] = {code: row.pop(f"reached__{code}") for code in stages}
        row["converted"] = {code: row.pop(f"converted__{code}") for code in stages}
    return rows


def kpi_rows(
    organization: Organization,
    *,
    group_by: str,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
    owner: int | None = None,
    stages: list[str] | None = None,
    fit: bool = False,
) -> list[dict[str, Any]]:
    """The KPIs per group, for /api/v1/kpis/ and the dashboards' tables; given the funnel's
    `stages`, each row has their conversions too; with `fit`, the shares of its leads and
    MQLs that fit a buyer persona (one query more; none per owner: persona facts have no
    owner)."""
    rows = []
    sums = kpi_sums(
        organization,
        group_by=group_by,
        start=start,
        end=end,
        channel=channel,
        owner=owner,
        stages=stages or KPI_STAGES,
    )
    shares = (
        fit_shares(organization, group_by=group_by, start=start, end=end, channel=channel)
        if fit and not owner
        else {}
    )
    no_share = {
        "fitting_leads": 0,
        "fit_share_leads": None,
        "fitting_mqls": 0,
        "fit_share_mqls": None,
    }
    for row in sums:
        key = row["key"]
        shared = shares.get(key, no_share) if fit else {}
        if group_by == "month":
            key = key.strftime("%Y-%m")
        head: dict[str, Any] = {group_by: key}
        if group_by == "campaign":
            head["campaign_name"] = row["campaign_name"]
        rows.append(
            head | derive(row) | shared | (funnel_conversions(row, stages) if stages else {})
        )
    return rows


def fit_shares(
    organization: Organization,
    *,
    group_by: str,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
) -> dict[Any, dict[str, Any]]:
    """Per group (month, channel code or campaign id), the leads and MQLs that fit an approved
    persona and their shares: {key: {"fitting_leads", "fit_share_leads", "fitting_mqls",
    "fit_share_mqls"}}. One query."""
    fitting = Q(persona__isnull=False)
    rows = (
        _facts(organization, start, end, channel, model=PersonaFact)
        .values(key=F(GROUPS[group_by]))
        .annotate(
            all_leads=Coalesce(Sum("leads"), 0),
            all_mqls=Coalesce(Sum("mqls"), 0),
            fitting_leads=Coalesce(Sum("leads", filter=fitting), 0),
            fitting_mqls=Coalesce(Sum("mqls", filter=fitting), 0),
        )
        .order_by()
    )
    return {
        row["key"]: {
            "fitting_leads": row["fitting_leads"],
            "fit_share_leads": ratio(row["fitting_leads"], row["all_leads"], RATE),
            "fitting_mqls": row["fitting_mqls"],
            "fit_share_mqls": ratio(row["fitting_mqls"], row["all_mqls"], RATE),
        }
        for row in rows
    }


def persona_rows(
    organization: Organization,
    *,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
) -> list[dict[str, Any]]:
    """The KPIs per buyer persona (None: leads that fit none), most won revenue first: leads,
    MQLs, won and lost deals, won revenue, win rate, and each one's share of the leads, MQLs
    and won revenue of the period. Two queries (the facts, the personas' names)."""
    rows = list(
        _facts(organization, start, end, channel, model=PersonaFact)
        .values("persona_id")
        .annotate(
            leads=Coalesce(Sum("leads"), 0),
            mqls=Coalesce(Sum("mqls"), 0),
            won_deals=Coalesce(Sum("won_deals"), 0),
            lost_deals=Coalesce(Sum("lost_deals"), 0),
            won_revenue=_persona_sum("won_revenue"),
        )
        .order_by()
    )
    totals = {k: sum(r[k] for r in rows) for k in ("leads", "mqls", "won_revenue")}
    names = persona_names(organization, [r["persona_id"] for r in rows if r["persona_id"]])
    result = []
    for row in rows:
        won, lost = row["won_deals"], row["lost_deals"]
        result.append(
            {
                "persona": row["persona_id"],
                "persona_name": names.get(row["persona_id"]) if row["persona_id"] else None,
                "leads": row["leads"],
                "mqls": row["mqls"],
                "won_deals": won,
                "lost_deals": lost,
                "won_revenue": row["won_revenue"],
                "win_rate": ratio(won, won + lost, RATE),
                "share_of_leads": ratio(row["leads"], totals["leads"], RATE),
                "share_of_mqls": ratio(row["mqls"], totals["mqls"], RATE),
                "share_of_won_revenue": ratio(row["won_revenue"], totals["won_revenue"], RATE),
            }
        )
    # Personas first, most won revenue first; "none" last.
    return sorted(
        result, key=lambda r: (r["persona"] is None, -r["won_revenue"], r["persona"] or 0)
    )


def _persona_sum(name: str) -> Coalesce:
    return Coalesce(
        Sum(name), Value(Decimal(0)), output_field=DecimalField(max_digits=18, decimal_places=2)
    )


def response_minutes(
    organization: Organization,
    *,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
    owner: int | None = None,
) -> tuple[int, list[int]]:
    """Leads handed over to sales in the period, and the minutes each answered one waited."""
    facts = _facts(organization, start, end, channel, owner)
    handed_over = facts.aggregate(n=Coalesce(Sum("handed_over"), 0))["n"]
    minutes: list[int] = []
    for values in facts.exclude(response_minutes=[]).values_list("response_minutes", flat=True):
        minutes.extend(values)
    return handed_over, minutes


_FRESHNESS = (
    f"SELECT s.as_of, COALESCE(s.version, 0), {waiting_count_sql()} "
    "FROM (SELECT 1) one LEFT JOIN funnel_kpistate s ON s.organization_id = %(org)s"
)


def kpi_freshness(organization: Organization) -> tuple[Any, int, int]:
    """As of, the facts' version and the cells waiting for a recompute (the CRM's journal
    counts them), in one query."""
    row = fetch_one_prepared(_FRESHNESS, {"org": organization.pk})
    as_of, version, waiting = row or (None, 0, 0)
    return as_of, version, waiting


def kpi_table_json(
    organization: Organization,
    *,
    version: int,
    group_by: str,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
) -> bytes:
    """The KPI rows of /api/v1/kpis/ as JSON, cached under the facts' version, which every
    recompute raises: a new version is a new key, so a cached answer is never older than the
    facts it was read with, and nothing has to invalidate it."""
    # A channel code is a slug (the query validated it), so it is safe inside a cache key.
    key = f"kpis:json:{organization.pk}:{version}:{group_by}:{start}:{end}:{channel or ''}"
    rows: bytes | None = cache.get(key)
    if rows is None:
        read = (
            persona_rows
            if group_by == "persona"
            else partial(kpi_rows, group_by=group_by, fit=True)
        )
        rows = json_bytes(read(organization, start=start, end=end, channel=channel))
        cache.set(key, rows, timeout=KPI_CACHE_SECONDS)
    return rows


def kpis_as_of(organization: Organization) -> tuple[Any, int]:
    """When the facts were last complete, and how many cells wait to be recomputed."""
    state = KpiState.objects.filter(organization=organization).first()
    waiting = waiting_count(organization.pk)
    return (state.as_of if state else None), waiting


def kpi_months_span(organization: Organization) -> tuple[date, date] | None:
    """The first and last month that hold KPI facts: where the data is, for a dashboard
    whose period holds none (an import of 2017 is not in the last twelve months)."""
    span = KpiFact.objects.for_org(organization).aggregate(first=Min("month"), last=Max("month"))
    return (span["first"], span["last"]) if span["first"] else None


def kpi_version(organization: Organization) -> int:
    """The facts' version: one more at every recompute (what cached answers are keyed by)."""
    version = (
        KpiState.objects.filter(organization=organization).values_list("version", flat=True).first()
    )
    return version or 0


def month_channel_sums(
    organization: Organization,
    *,
    first: date,
    last: date,
    sums: tuple[str, ...] = (),
    reached: tuple[str, ...] | list[str] = (),
) -> list[dict[str, Any]]:
    """Per month from `first` to `last` and channel code (None: leads without a channel), the
    summed facts named in `sums` and, per stage code in `reached`, the leads that reached it
    ({"month", "channel_code", <sum>..., "reached": {code: count}})."""
    facts = KpiFact.objects.for_org(organization).filter(month__gte=first, month__lte=last)
    annotations = {name: _sum(name) for name in sums}
    annotations |= {f"reached__{code}": _stage_sum("reached", code) for code in reached}
    rows = list(facts.values("month", channel_code=F("channel__code")).annotate(**annotations))
    for row in rows:
        row["reached"] = {code: row.pop(f"reached__{code}") for code in reached}
    return rows


def fact_total(organization: Organization, name: str, *, first: date, last: date) -> Any:
    """One summed fact (won_revenue, cost ...) over the months from `first` to `last`."""
    facts = KpiFact.objects.for_org(organization).filter(month__gte=first, month__lte=last)
    return facts.aggregate(total=_sum(name))["total"]


def open_pipeline(
    organization: Organization, *, channel: str | None = None, owner: int | None = None
) -> list[dict[str, Any]]:
    """The open deals and their amount per pipeline stage, now: of one channel's leads and
    one owner's, or of everyone's."""
    pipeline = PipelineFact.objects.for_org(organization)
    if channel:
        pipeline = pipeline.filter(channel__code=channel)
    if owner:
        pipeline = pipeline.filter(owner_id=owner)
    return list(
        pipeline.values("stage")
        .annotate(deals=Sum("deals"), amount=Sum("amount"))
        .order_by("stage")
    )


def persona_fact_months(
    organization: Organization,
    *,
    start: date,
    end: date,
    channel: str | None = None,
    campaign: int | None = None,
    persona: int | None = None,
) -> dict[date, dict[str, Any]]:
    """Per month, the persona facts of one channel, campaign or persona (or all): leads,
    MQLs, won and lost deals, won revenue, and the leads and MQLs that fit an approved
    persona. One query."""
    facts = _facts(organization, start, end, channel, model=PersonaFact, campaign=campaign)
    if persona:
        facts = facts.filter(persona_id=persona)
    fitting = Q(persona__isnull=False)
    # Named apart from the columns they add up (Django refuses Sum("leads") as "leads").
    rows = facts.values("month").annotate(
        sum_leads=Coalesce(Sum("leads"), 0),
        sum_mqls=Coalesce(Sum("mqls"), 0),
        sum_won_deals=Coalesce(Sum("won_deals"), 0),
        sum_lost_deals=Coalesce(Sum("lost_deals"), 0),
        sum_won_revenue=_persona_sum("won_revenue"),
        sum_fitting_leads=Coalesce(Sum("leads", filter=fitting), 0),
        sum_fitting_mqls=Coalesce(Sum("mqls", filter=fitting), 0),
    )
    return {
        row.pop("month"): {name.removeprefix("sum_"): value for name, value in row.items()}
        for row in rows.order_by()
    }


def response_months(
    organization: Organization,
    *,
    start: date,
    end: date,
    channel: str | None = None,
    campaign: int | None = None,
) -> dict[date, dict[str, Any]]:
    """Per month, the leads handed over to sales and the minutes each answered one waited
    (sorted), of one channel or campaign (or all)."""
    facts = _facts(organization, start, end, channel, campaign=campaign)
    months: dict[date, dict[str, Any]] = {}
    for month, handed_over, minutes in facts.values_list(
        "month", "handed_over", "response_minutes"
    ):
        row = months.setdefault(month, {"handed_over": 0, "response_minutes": []})
        row["handed_over"] += handed_over
        row["response_minutes"].extend(minutes)
    for row in months.values():
        row["response_minutes"].sort()
    return months


def owner_totals(
    organization: Organization, name: str, *, start: date, end: date, owners: list[int]
) -> dict[int, Any]:
    """One summed fact (won_revenue, new_customers ...; for a stage code, the leads that
    reached it) per owner (a user id) over the months from `start` to `end`."""
    facts = _facts(organization, start, end, None).filter(owner_id__in=owners)
    total = _stage_sum("reached", name) if name in KPI_STAGES else _sum(name)
    rows = facts.values("owner_id").annotate(total=total).order_by()
    return {row["owner_id"]: row["total"] for row in rows}
