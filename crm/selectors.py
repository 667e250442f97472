"""Reads of CRM records that more than one interface needs."""

from __future__ import annotations

import json
from collections.abc import Mapping as ReadOnly
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import reduce
from itertools import chain
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext

from crm.imports.value_choices import Options
from crm.models import (
    Activity,
    Campaign,
    Channel,
    Company,
    Deal,
    Lead,
    LeadStageChange,
    LifecycleStage,
    PipelineStage,
)
from orgs.models import Membership, Organization, User
from smarketing.lib.months import add_months

# A related field's name -> the records it may point to.
RELATED_RECORDS: dict[str, type[Model]] = {
    "channel": Channel,
    "campaign": Campaign,
    "company": Company,
    "lead": Lead,
    "deal": Deal,
    "parent": Company,
    "duplicate": Lead,
}
MEMBER_FIELDS = ("owner", "by")
# The roles a lifecycle stage may play, for apps that do not import crm.models.
StageRole = LifecycleStage.Role


def related_choices(field: str, organization: Organization | None) -> QuerySet[Any] | None:
    """What a form or API field named `field` may point to: the organisation's own records,
    or its members for owner/by. None for a field that is not a link; nothing without an
    organisation (schema generation)."""
    if field in RELATED_RECORDS:
        rows = RELATED_RECORDS[field]._default_manager
        return rows.for_org(organization) if organization else rows.none()  # type: ignore[attr-defined]
    if field in MEMBER_FIELDS:
        if organization is None:
            return User.objects.none()
        return User.objects.filter(
            pk__in=Membership.objects.for_org(organization).values("user_id")
        )
    return None


def records_filtered(
    rows: QuerySet[Any],
    query: ReadOnly[str, Any],
    *,
    filters: dict[str, str],
    search: tuple[str, ...],
    date_field: str | None = None,
) -> QuerySet[Any]:
    """The rows of a list (one organisation's) that its query asks for, on a page or in the
    API: each filter given a value (query parameter -> lookup), `q` in any `search` field
    (ignoring case), and with a `date_field` those from `created_after` (inclusive) to
    `created_before` (exclusive)."""
    for name, lookup in filters.items():
        value = query.get(name)
        if value is not None and value != "":  # an empty parameter (?company=) is no filter
            rows = rows.filter(**{lookup: value})
    if date_field and query.get("created_after") is not None:
        rows = rows.filter(**{f"{date_field}__gte": query["created_after"]})
    if date_field and query.get("created_before") is not None:
        rows = rows.filter(**{f"{date_field}__lt": query["created_before"]})
    term = str(query.get("q") or "").strip()
    if term and search:
        rows = rows.filter(reduce(or_, (Q(**{f"{field}__icontains": term}) for field in search)))
    return rows


def funnel_stages(
    organization: Organization | int, *, exits: bool = False
) -> QuerySet[LifecycleStage]:
    """The organisation's lifecycle stages in the funnel's order; with `exits`, the exit
    stages (disqualified, recycled) after them, as an import or a form offers them."""
    stages = LifecycleStage.objects.filter(organization=organization)
    if exits:
        return stages.order_by("is_exit", "position", "pk")
    return stages.filter(is_exit=False).order_by("position", "pk")


def funnel_stage_codes(organization: Organization | int, *, exits: bool = False) -> list[str]:
    """The codes of funnel_stages, in order."""
    return list(funnel_stages(organization, exits=exits).values_list("code", flat=True))


def import_value_options(organization: Organization) -> Options:
    """What an imported value may become in this organisation: its channels, its members
    (as a file names them: username, e-mail or full name), its stages."""
    members: list[tuple[str, str]] = []
    keys: dict[str, str] = {}
    rows = (
        Membership.objects.for_org(organization)
        .order_by("-user__is_active", "user__username")
        .values_list("user__username", "user__email", "user__first_name", "user__last_name")
    )
    for username, email, first, last in rows:
        full_name = " ".join(f"{first} {last}".split())
        members.append((username, f"{full_name} ({username})" if full_name else username))
        for key in (username, email, full_name):
            if key:
                keys.setdefault(key.lower(), username)
    return Options(
        channels=list(
            Channel.objects.for_org(organization).order_by("code").values_list("code", "name")
        ),
        members=members,
        member_keys=keys,
        stages=list(funnel_stages(organization, exits=True).values_list("code", "name")),
        pipeline_stages=list(
            PipelineStage.objects.for_org(organization)
            .order_by("position")
            .values_list("code", "name")
        ),
    )


def stage_with_role(organization: Organization | int, role: str) -> str | None:
    """The code of the organisation's lifecycle stage that plays `role` (StageRole): the
    hand-off stage or the customer stage, whatever admins named them. None when no stage
    plays it."""
    return _stage_with_role(organization, role).first()


def _stage_with_role(organization: Organization | int, role: str) -> QuerySet[Any, str]:
    return LifecycleStage.objects.filter(organization=organization, role=role).values_list(
        "code", flat=True
    )


def stage_names_and_roles(organization: Organization) -> tuple[dict[str, str], dict[str, str]]:
    """Lifecycle stage code -> the organisation's name for it, in the active language where
    it is one of the default names (stored in English, translated when shown); and role ->
    the code of the stage that plays it. One read, for pages that need both."""
    rows = LifecycleStage.objects.for_org(organization).values_list("code", "name", "role")
    names = {code: gettext(name) for code, name, _role in rows}
    roles = {role: code for code, _name, role in rows if role}
    return names, roles


def lifecycle_stage_names(organization: Organization) -> dict[str, str]:
    """Lifecycle stage code -> its name, as stage_names_and_roles says."""
    return stage_names_and_roles(organization)[0]


def channel_names(organization: Organization) -> dict[str, str]:
    """Channel code -> its name, as for lifecycle stages: the default channels' names are
    stored in English and translated when shown."""
    rows = Channel.objects.for_org(organization).values_list("code", "name")
    return {code: gettext(name) for code, name in rows}


def channels_by_id(organization: Organization) -> dict[int, tuple[str, str]]:
    """Channel id -> (code, name), the name as channel_names gives it."""
    rows = Channel.objects.for_org(organization).values_list("pk", "code", "name")
    return {pk: (code, gettext(name)) for pk, code, name in rows}


def channel_codes(organization: Organization) -> list[str]:
    """The organisation's channel codes, in alphabetical order."""
    return list(
        Channel.objects.for_org(organization).order_by("code").values_list("code", flat=True)
    )


def won_revenue(organization: Organization, *, since: date, until: date) -> Decimal | None:
    """The amounts of the deals won from `since` to `until` (excluded), by the day they
    closed; None when no deal was won then."""
    won = Deal.objects.for_org(organization).filter(
        status=Deal.Status.WON, closed_at__date__gte=since, closed_at__date__lt=until
    )
    total: Decimal | None = won.aggregate(total=Sum("amount"))["total"]
    return total


def pipeline_stage_names(organization: Organization) -> dict[str, str]:
    """Pipeline stage code -> its name, as for lifecycle stages."""
    rows = PipelineStage.objects.for_org(organization).values_list("code", "name")
    return {code: gettext(name) for code, name in rows}


def leads_waiting_for_first_touch(
    organization: Organization, *, owner: int | None = None, shown: int = 8
) -> tuple[int, list[Lead]]:
    """Leads handed to sales (at the hand-off stage) that no call, e-mail or meeting has
    answered since: how many, and the `shown` longest waiting. With `owner`, that member's
    leads and the unassigned ones (which anyone may pick up)."""
    touched = Activity.objects.filter(
        organization=organization, lead=OuterRef("pk"), at__gte=OuterRef("stage_changed_at")
    ).exclude(kind=Activity.Kind.NOTE)
    handoff = Subquery(_stage_with_role(organization, StageRole.HANDOFF)[:1])
    waiting = Lead.objects.for_org(organization).filter(stage=handoff).filter(~Exists(touched))
    if owner is not None:
        waiting = waiting.filter(Q(owner_id=owner) | Q(owner__isnull=True))
    oldest = waiting.select_related("channel").order_by("stage_changed_at", "pk")[:shown]
    return waiting.count(), list(oldest)


# The columns of closed_deals_for_discovery's rows, in order (personas.discovery.ClosedDeal).
CLOSED_DEAL_COLUMNS = (
    "status",
    "amount",
    "created_at",
    "closed_at",
    "customer",
    "industry",
    "employees",
    "annual_revenue",
    "company_country",
    "lead_country",
    "channel",
    "channel_name",
    "product",
)


def _of_company(field: str) -> Case:
    # The deal's own company decides; a deal without one takes its lead's company.
    return Case(
        When(company__isnull=False, then=F(f"company__{field}")),
        default=F(f"lead__company__{field}"),
    )


def closed_deals_for_discovery(
    organization: Organization, *, start: date | None = None, end: date | None = None
) -> list[tuple[Any, ...]]:
    """The organisation's won and lost deals closed from `start` to `end` (both included,
    either may be None), one tuple each in CLOSED_DEAL_COLUMNS' order: the deal's status,
    amount, dates and product; its company's id (`customer`), industry, employees, annual
    revenue and country (the deal's company, else its lead's); its lead's country and
    channel (code and name). One query."""
    deals = Deal.objects.for_org(organization).filter(
        status__in=(Deal.Status.WON, Deal.Status.LOST)
    )
    if start is not None:
        deals = deals.filter(closed_at__date__gte=start)
    if end is not None:
        deals = deals.filter(closed_at__date__lte=end)
    deals = deals.order_by().annotate(
        customer=Coalesce("company_id", "lead__company_id"),
        industry=_of_company("industry"),
        employees=_of_company("employees"),
        annual_revenue=_of_company("annual_revenue"),
        company_country=_of_company("country"),
        lead_country=F("lead__country"),
        channel=F("lead__channel__code"),
        channel_name=F("lead__channel__name"),
    )
    return list(deals.values_list(*CLOSED_DEAL_COLUMNS))


# --- a lead's profile: what a buyer persona's criteria read ---

# One row per lead of %(org)s (and, with `ids`, among %(ids)s): its company's industry,
# employees and annual revenue, its country (the company's, else its own, as discovery
# places deals), its job title, its channel's name and code, with `products` the products
# of its deals (an empty array when it has none), and its custom fields (its company's, its
# own taking precedence). Other apps select from it by these names only.
_PROFILE = """
    SELECT l.id AS lead_id, c.industry, c.employees, c.annual_revenue,
        COALESCE(NULLIF(c.country, ''), l.country) AS country, l.title,
        ch.name AS channel, ch.code AS channel_code, {products} AS products,
        COALESCE(c.custom, '{{}}'::jsonb) || COALESCE(l.custom, '{{}}'::jsonb) AS custom
    FROM crm_lead l
    LEFT JOIN crm_company c ON c.id = l.company_id
    LEFT JOIN crm_channel ch ON ch.id = l.channel_id {deals}
    WHERE l.organization_id = %(org)s {among}
"""
# The deals grouped by lead once, joined to the leads that have some: a subquery a lead
# looked up every lead's deals by index and sorted them, 3 s of a million-lead read where
# a fifth of the leads have deals.
_DEALS = """
    LEFT JOIN (
        SELECT d.lead_id, array_agg(d.product ORDER BY d.product) AS products
        FROM crm_deal d
        WHERE d.organization_id = %(org)s AND d.lead_id IS NOT NULL AND d.product <> '' {among}
        GROUP BY d.lead_id
    ) d ON d.lead_id = l.id
"""
_AMONG = "AND {} = ANY(%(ids)s::bigint[])"
PROFILE_COLUMNS = (
    "lead_id",
    "industry",
    "employees",
    "annual_revenue",
    "country",
    "title",
    "channel",
    "channel_code",
    "products",
    "custom",
)


def lead_profiles_sql(*, products: bool, among_ids: bool) -> str:
    """The SQL of the leads' profiles (PROFILE_COLUMNS), for a set-based statement that
    reads them all: parameters %(org)s and, with `among_ids`, %(ids)s (an array). Without
    `products`, that column is NULL (reading the deals costs a pass over them)."""
    among = _AMONG.format("l.id") if among_ids else ""
    if not products:
        return _PROFILE.format(products="NULL::text[]", deals="", among=among)
    return _PROFILE.format(
        products="COALESCE(d.products, '{}'::varchar[])",
        deals=_DEALS.format(among=_AMONG.format("d.lead_id") if among_ids else ""),
        among=among,
    )


def lead_profiles(organization_id: int, lead_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The profiles of these leads of the organisation, as dictionaries by lead id (one
    query): what personas.calculations.fit reads, the same values the set-based statement
    reads."""
    if not lead_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            lead_profiles_sql(products=True, among_ids=True),
            {"org": organization_id, "ids": lead_ids},
        )
        profiles = {
            row[0]: dict(zip(PROFILE_COLUMNS, row, strict=True)) for row in cursor.fetchall()
        }
    for profile in profiles.values():  # Django's connection reads jsonb as its text
        if isinstance(profile["custom"], str):
            profile["custom"] = json.loads(profile["custom"])
    return profiles


# What closed_deal_segments groups deals by, in SQL over the deal `d`, its lead `l`, its
# company `c` (the deal's, else its lead's) and its lead's channel `ch`: the values of
# closed_deals_for_discovery's columns as personas.discovery reads them, text trimmed of what
# Python's str.strip() trims (SPACE) and unknown (NULL) when blank.
SEGMENT_ATTRIBUTES = {
    "industry": "NULLIF(btrim(c.industry, %s), '')",
    "employees": "c.employees",
    "annual_revenue": "c.annual_revenue",
    "country": "COALESCE(NULLIF(btrim(c.country, %s), ''), NULLIF(btrim(l.country, %s), ''))",
    "channel": "ch.code",
    "channel_name": "ch.name",
    "product": "NULLIF(btrim(d.product, %s), '')",
}
SPACE = (  # every character for which str.isspace() is true
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The columns of closed_deal_segments' rows, in order (personas.discovery.SegmentTally).
SEGMENT_COLUMNS = (
    "keys",
    "won",
    "lost",
    "revenue",
    "priced",
    "cycle_low",
    "cycle_high",
    "customers",
    "repeat_customers",
)
# One round trip: the settings are sent with the statement and, a multi-statement query being
# one transaction, end with it (or with the caller's transaction). JIT took longer to compile
# the plan than it saved, and at the default 4 MB the join and sorts of 200,000 deals spill to
# disk. The lead and company are the organisation's (as they always are) so that only its
# own are read, by index, not every organisation's. `deals` is materialised once and read
# three times; `every` marks the row of all deals.
SEGMENTS_SQL = """
SET LOCAL jit = off;
SET LOCAL work_mem = '32MB';
WITH deals AS MATERIALIZED (
    SELECT {keys}, d.status = 'won' AS won, d.amount, d.closed_at - d.created_at AS cycle,
           c.id AS customer
    FROM crm_deal d
    LEFT JOIN crm_lead l ON l.id = d.lead_id AND l.organization_id = %s
    LEFT JOIN crm_company c ON c.id = COALESCE(d.company_id, l.company_id)
                           AND c.organization_id = %s
    LEFT JOIN crm_channel ch ON ch.id = l.channel_id
    WHERE d.organization_id = %s AND d.status IN ('won', 'lost'){period}
), tallies AS (
    SELECT GROUPING({k}) > 0 AS every, {k}, count(*) FILTER (WHERE won) AS won,
           count(*) FILTER (WHERE NOT won) AS lost, sum(amount) FILTER (WHERE won) AS revenue,
           count(amount) FILTER (WHERE won) AS priced
    FROM deals GROUP BY GROUPING SETS (({k}), ())
), cycles AS (  -- the middle won deal's cycle, or the two middle ones'
    SELECT GROUPING({k}) > 0 AS every, {k},
           percentile_disc(0.5) WITHIN GROUP (ORDER BY cycle) AS low,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY cycle DESC) AS high
    FROM deals WHERE won AND cycle IS NOT NULL GROUP BY GROUPING SETS (({k}), ())
), customers AS (
    SELECT every, {k}, count(*) AS customers, count(*) FILTER (WHERE wins > 1) AS repeaters
    FROM (SELECT GROUPING({k}) > 0 AS every, {k}, count(*) AS wins
          FROM deals WHERE won AND customer IS NOT NULL
          GROUP BY GROUPING SETS (({k}, customer), (customer))) per_customer
    GROUP BY every, {k}
)
SELECT t.every, {t_keys}, t.won, t.lost, t.revenue, t.priced, m.low, m.high,
       COALESCE(b.customers, 0), COALESCE(b.repeaters, 0)
FROM tallies t
LEFT JOIN cycles m ON m.every = t.every AND {m_is_t}
LEFT JOIN customers b ON b.every = t.every AND {b_is_t}
"""
# A key of closed_deal_segments: an attribute (SEGMENT_ATTRIBUTES); with `limits` (upper
# limits, ascending), the position of the first the value is below (or equal to, when
# `inclusive`): its band, len(limits) when above them all.
SegmentKey = tuple[str, Sequence[Any], bool]


def _segment_key(attribute: str, limits: Sequence[Any], inclusive: bool) -> tuple[str, list[Any]]:
    value = SEGMENT_ATTRIBUTES[attribute]
    params = [SPACE] * value.count("%s")
    if not limits:
        return value, params
    below = "<=" if inclusive else "<"
    bands = " ".join(f"WHEN {value} {below} %s THEN {i}" for i in range(len(limits)))
    params = params + [p for limit in limits for p in (*params, limit)]
    return f"CASE WHEN {value} IS NULL THEN NULL {bands} ELSE {len(limits)} END", params


def closed_deal_segments(
    organization: Organization,
    *,
    by: Sequence[SegmentKey],
    start: date | None = None,
    end: date | None = None,
) -> list[tuple[Any, ...]]:
    """The organisation's won and lost deals closed from `start` to `end` (both included,
    either may be None), added up per distinct value of the keys `by` (one or more: a
    segment), then all together: one tuple each in SEGMENT_COLUMNS' order. The keys' values
    in their order (None for all deals); won and lost deals; the won deals' amounts (None
    when none is known) and how many are known; the middle won deal's cycle (closed -
    created, where known), or the two middle ones', low and high; how many customers (as
    closed_deals_for_discovery's) won deals, how many more than one. One query."""
    keys, params = zip(*(_segment_key(*key) for key in by), strict=True)
    names = [f"k{i}" for i in range(len(keys))]
    period, period_params = "", []
    for bound, compare in ((start, ">="), (end, "<=")):
        if bound is not None:
            # As a closed_at__date lookup reads it: the day in the current time zone.
            tz = timezone.get_current_timezone_name()
            day, day_params = connection.ops.datetime_cast_date_sql("d.closed_at", (), tz)
            period += f" AND {day} {compare} %s"
            period_params += [*day_params, bound]
    sql = SEGMENTS_SQL.format(
        keys=", ".join(f"{key} AS {name}" for key, name in zip(keys, names, strict=True)),
        period=period,
        k=", ".join(names),
        t_keys=", ".join(f"t.{name}" for name in names),
        m_is_t=" AND ".join(f"m.{name} IS NOT DISTINCT FROM t.{name}" for name in names),
        b_is_t=" AND ".join(f"b.{name} IS NOT DISTINCT FROM t.{name}" for name in names),
    )
    with connection.cursor() as cursor:
        org = [organization.pk] * 3  # the lead's, the company's, the deal's
        cursor.execute(sql, [*chain(*params), *org, *period_params])
        while cursor.description is None and cursor.nextset():
            pass  # past the settings
        rows = cursor.fetchall()
    return [(None if row[0] else row[1 : 1 + len(keys)], *row[1 + len(keys) :]) for row in rows]


def product_deal_months(
    organization: Organization, *, product: str, start: date, end: date
) -> dict[date, dict[str, Any]]:
    """Per month (of the close date, in UTC as the KPI facts), the won and lost deals of one
    product (its name, in any case) and their won revenue. One query."""
    deals = Deal.objects.for_org(organization).filter(
        status__in=[Deal.Status.WON, Deal.Status.LOST],
        closed_at__gte=datetime.combine(start, time.min, tzinfo=UTC),
        closed_at__lt=datetime.combine(add_months(end, 1), time.min, tzinfo=UTC),
        product__iexact=product.strip(),
    )
    won = Q(status=Deal.Status.WON)
    rows = (
        deals.annotate(month=TruncMonth("closed_at", tzinfo=UTC))
        .values("month")
        .annotate(
            won_deals=Count("pk", filter=won),
            lost_deals=Count("pk", filter=~won),
            won_revenue=Coalesce(Sum("amount", filter=won), Decimal(0)),
        )
        .order_by()
    )
    return {row.pop("month").date(): row for row in rows}


def deal_products(organization: Organization, *, limit: int = 200) -> list[str]:
    """The products named on the organisation's deals, most sold first (at most `limit`)."""
    return list(
        Deal.objects.for_org(organization)
        .exclude(product="")
        .values("product")
        .annotate(n=Count("pk"))
        .order_by("-n", "product")
        .values_list("product", flat=True)[:limit]
    )


def channel_by_code(organization: Organization, code: str) -> Channel | None:
    return Channel.objects.for_org(organization).filter(code=code).first()


def campaign_by_id(organization: Organization, pk: int) -> Campaign | None:
    return Campaign.objects.for_org(organization).filter(pk=pk).select_related("channel").first()


def lead_handoff_at(organization: Organization, lead_id: int, stage: str) -> datetime | None:
    """When the lead last moved to `stage` (the hand-off stage), or None."""
    changes = LeadStageChange.objects.filter(
        organization=organization, lead_id=lead_id, to_stage=stage
    )
    found: datetime | None = changes.order_by("-at", "-pk").values_list("at", flat=True).first()
    return found


def lead_left_stage(
    organization: Organization, lead_id: int, stage: str, *, since: datetime
) -> tuple[datetime, str] | None:
    """When the lead first moved from `stage` to another after `since`, and where to."""
    moved = (
        LeadStageChange.objects.filter(organization=organization, lead_id=lead_id, at__gt=since)
        .exclude(to_stage=stage)
        .order_by("at", "pk")
        .values_list("at", "to_stage")
        .first()
    )
    return (moved[0], moved[1]) if moved else None


def lead_touches(organization: Organization, lead_id: int, *, since: datetime) -> list[datetime]:
    """When the lead was called, written to or met (notes are not touches) from `since` on,
    in order."""
    touches = Activity.objects.for_org(organization).filter(
        lead_id=lead_id,
        at__gte=since,
        kind__in=[Activity.Kind.CALL, Activity.Kind.EMAIL, Activity.Kind.MEETING],
    )
    return list(touches.order_by("at").values_list("at", flat=True))


def exit_stage_codes(organization: Organization) -> list[str]:
    """The organisation's exit stages (disqualified, recycled ...), in order."""
    stages = LifecycleStage.objects.filter(organization=organization, is_exit=True)
    return list(stages.order_by("position", "pk").values_list("code", flat=True))


def lead_of(organization: Organization, pk: int) -> Lead | None:
    """The organisation's lead of that id (with its organisation), or None."""
    return Lead.objects.for_org(organization).select_related("organization").filter(pk=pk).first()


def leads_at_handoff(
    organization: Organization, *, limit: int = 100, offset: int = 0
) -> tuple[int, list[Lead]]:
    """The leads waiting at the hand-off stage (for sales' decision): how many, and a page of
    them, the longest waiting first, with their channel and owner."""
    handoff = stage_with_role(organization, StageRole.HANDOFF)
    if handoff is None:
        return 0, []
    leads = Lead.objects.for_org(organization).filter(stage=handoff)
    page = leads.select_related("channel", "owner").order_by("stage_changed_at", "pk")
    return leads.count(), list(page[offset : offset + limit])


def first_touches(organization: Organization, leads: Sequence[Lead]) -> dict[int, datetime]:
    """Per lead, its first call, e-mail or meeting since it reached its current stage (leads
    not touched since are left out). One query."""
    rows = (
        Activity.objects.filter(
            organization=organization,
            lead_id__in=[lead.pk for lead in leads],
            at__gte=F("lead__stage_changed_at"),
            kind__in=[Activity.Kind.CALL, Activity.Kind.EMAIL, Activity.Kind.MEETING],
        )
        .values("lead_id")
        .annotate(first=Min("at"))
        .order_by()
    )
    return {row["lead_id"]: row["first"] for row in rows}
