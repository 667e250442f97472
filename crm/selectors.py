"""Reads of CRM records that more than one interface needs."""

from __future__ import annotations

import json
from collections.abc import Mapping as ReadOnly
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from crm.imports.value_choices import Options
from crm.models import (
    Activity,
    Campaign,
    Channel,
    Company,
    Deal,
    Lead,
    LifecycleStage,
    PipelineStage,
)
from orgs.models import Membership, Organization, User

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
