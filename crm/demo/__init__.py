"""Two years of deterministic, realistic CRM history for the demo organisation.

Channels differ in volume, conversion and cost; months follow a seasonal curve; leads
move through the stages with realistic delays; opportunities become won or lost deals;
some customers buy again within a year (repeat) or after a long pause (reactivation);
sales answer new MQLs with a spread of response times.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from crm.demo.world import (
    COMPANY_NAMES,
    COUNTRIES,
    INDUSTRIES,
    MONTHS,
    OUTCOMES,
    PRODUCTS,
    PROFILES,
    SEASON,
    SEED,
    ChannelProfile,
)
from crm.models import Activity, Campaign, Channel, Company, Deal, Lead, LeadStageChange
from crm.rules import customer_since, derive_deal_kinds
from crm.selectors import StageRole, stage_with_role
from orgs.models import Membership, Organization, Role
from smarketing.lib.months import add_months, month_start


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(8, 18), rng.randint(0, 59), tzinfo=UTC
    )


NEVER_CALLED_AFTER = timedelta(days=2)


@dataclass(frozen=True)
class DemoStages:
    """The codes of the stages that play a role: the demo's leads are handed to sales at
    the one, and won deals take them to the other."""

    handoff: str
    customer: str

    @classmethod
    def of(cls, organization: Organization) -> DemoStages:
        handoff = stage_with_role(organization, StageRole.HANDOFF)
        customer = stage_with_role(organization, StageRole.CUSTOMER)
        # The demo organisation is made with the default stages, which play both roles.
        assert handoff is not None
        assert customer is not None
        return cls(handoff=handoff, customer=customer)


def _months(today: date) -> list[date]:
    """The MONTHS months before today's, and today's own (filled up to yesterday)."""
    return [add_months(month_start(today), -back) for back in range(MONTHS, -1, -1)]


@dataclass
class History:
    """What the demo writes, gathered for one bulk insert of each kind."""

    leads: list[Lead] = field(default_factory=list)
    changes: list[LeadStageChange] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)


@dataclass(frozen=True)
class Pool:
    """What the demo's leads are drawn from."""

    organization: Organization
    channels: dict[str, Channel]
    companies: list[Company]
    campaigns: dict[tuple[str, int, int], Campaign]
    reps: list[int]

    def lead(
        self, number: int, profile: ChannelProfile, month: date, days: int, rng: random.Random
    ) -> Lead:
        """A lead of the profile's channel entering the funnel on a day of the month."""
        day = month + timedelta(days=rng.randrange(days))
        return Lead(
            organization=self.organization,
            name=f"Lead {number}",
            email=f"lead{number}@demo.example",
            company=rng.choice(self.companies),
            country=rng.choice(COUNTRIES),
            channel=self.channels[profile.code],
            campaign=self.campaigns.get((profile.code, month.year, (month.month - 1) // 3)),
            owner_id=rng.choice(self.reps) if self.reps else None,
            created_at=_at(day, rng),
            stage="lead",
        )


def _member_ids(organization: Organization, roles: list[str]) -> list[int]:
    memberships = Membership.objects.for_org(organization).filter(role__in=roles)
    return list(memberships.values_list("user_id", flat=True))


@transaction.atomic
def seed_crm_history(*, organization: Organization, today: date) -> int:
    """Fill an organisation that has no leads yet; return the number of leads made."""
    if Lead.objects.for_org(organization).exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 - demo data, repeatable on purpose
    channels = {c.code: c for c in Channel.objects.for_org(organization)}
    companies = Company.objects.bulk_create(
        Company(
            organization=organization,
            name=name,
            industry=rng.choice(INDUSTRIES),
            employees=rng.choice([12, 45, 120, 300, 900, 2500]),
            country=rng.choice(COUNTRIES),
        )
        for name in COMPANY_NAMES
    )
    months = _months(today)
    marketers = _member_ids(organization, [Role.MARKETING_MANAGER])
    campaigns = _campaigns(organization, channels, months, rng, marketers)
    reps = _member_ids(organization, [Role.SALES_REP, Role.SALES_MANAGER])
    pool = Pool(organization, channels, companies, campaigns, reps)
    history, now, stages = History(), timezone.now(), DemoStages.of(organization)
    for month in months:
        weight = SEASON[month.month - 1]
        # The month in progress has the leads of the days gone by, not a whole month's.
        days = 28 if month < months[-1] else min(today.day - 1, 28)
        for profile in PROFILES:
            volume = profile.leads_per_month * weight * rng.uniform(0.85, 1.15) * days / 28
            for _ in range(round(volume)):
                lead = pool.lead(len(history.leads) + 1, profile, month, days, rng)
                _journey(Walk(lead, rng, now, history.changes), profile, stages, history)
                history.leads.append(lead)
    _save(organization, history, companies, rng, now)
    return len(history.leads)


def _save(
    organization: Organization,
    history: History,
    companies: list[Company],
    rng: random.Random,
    now: datetime,
) -> None:
    """Insert the history, with the repeat business of its won deals, and derive the kinds."""
    # bulk_create fills each row's foreign key from the (now saved) lead it points to.
    Lead.objects.bulk_create(history.leads, batch_size=2000)
    LeadStageChange.objects.bulk_create(history.changes, batch_size=5000)
    deals = history.deals + _repeat_business(organization, history.deals, rng, now)
    Deal.objects.bulk_create(deals, batch_size=2000)
    Activity.objects.bulk_create(history.activities, batch_size=5000)
    with connection.cursor() as cursor:
        derive_deal_kinds(cursor, organization.pk, [c.pk for c in companies])
        # The demo's first recompute and learning follow at once, before autovacuum has
        # seen thousands of new rows: statistics from before would plan them for none.
        for table in ("crm_lead", "crm_leadstagechange", "crm_deal", "crm_activity"):
            cursor.execute(f"ANALYZE {table}")


def _campaigns(
    organization: Organization,
    channels: dict[str, Channel],
    months: list[date],
    rng: random.Random,
    owners: list[int],
) -> dict[tuple[str, int, int], Campaign]:
    made: dict[tuple[str, int, int], Campaign] = {}
    for profile in PROFILES:
        if not profile.cost_per_lead:
            continue
        for month in months[::3]:
            quarter = (month.month - 1) // 3
            budget = profile.cost_per_lead * profile.leads_per_month * 3
            start = date(month.year, quarter * 3 + 1, 1)
            made[(profile.code, month.year, quarter)] = Campaign(
                organization=organization,
                name=f"{channels[profile.code].name} Q{quarter + 1} {month.year}",
                channel=channels[profile.code],
                start_date=start,
                end_date=start + timedelta(days=89),
                budget=Decimal(budget),
                actual_cost=Decimal(round(budget * rng.uniform(0.85, 1.1))),
                status=Campaign.Status.COMPLETED,
                owner_id=rng.choice(owners) if owners else None,
            )
    Campaign.objects.bulk_create(made.values())
    return made


@dataclass
class Walk:
    """One lead's way down the funnel: each move after the last, recorded in `changes`."""

    lead: Lead
    rng: random.Random
    now: datetime
    changes: list[LeadStageChange]
    at: datetime = field(init=False)  # when the lead reached the stage it is in

    def __post_init__(self) -> None:
        self.at = self.lead.created_at

    def record(self, to: str, at: datetime, source: str) -> None:
        self.changes.append(
            LeadStageChange(
                organization=self.lead.organization,
                lead=self.lead,
                from_stage=self.lead.stage,
                to_stage=to,
                at=at,
                source=source,
            )
        )

    def enter(self) -> None:
        self.changes.append(
            LeadStageChange(
                organization=self.lead.organization,
                lead=self.lead,
                from_stage="",
                to_stage=self.lead.stage,
                at=self.at,
                source="import",
            )
        )
        self.lead.stage_changed_at = self.at

    def move(self, to: str, after_days: tuple[int, int], rng: random.Random | None = None) -> bool:
        """Move on to `to` some days later, unless that is past now."""
        when = self.at + timedelta(days=(rng or self.rng).uniform(*after_days))
        if when > self.now:
            return False
        self.record(to, when, "manual")
        self.lead.stage, self.lead.stage_changed_at, self.at = to, when, when
        return True


def _journey(walk: Walk, profile: ChannelProfile, stages: DemoStages, history: History) -> None:
    """Walk the lead down the funnel as far as it gets (and not past today)."""
    walk.enter()
    if _handed_to_sales(walk, profile, stages, history) and _opportunity(walk, profile):
        history.deals.append(_deal(walk, profile, stages))


def _handed_to_sales(
    walk: Walk, profile: ChannelProfile, stages: DemoStages, history: History
) -> bool:
    """Marketing qualifies the lead (or disqualifies it) and hands it to sales, who answer
    with a spread of response times."""
    rng = walk.rng
    if rng.random() > profile.to_mql:
        if rng.random() < 0.3:
            walk.move("disqualified", (3, 20))
        return False
    if not walk.move(stages.handoff, (1, 8)):
        return False
    response = timedelta(hours=rng.lognormvariate(1.6, 1.1))  # median about 5 hours, a long tail
    if walk.at + response < walk.now:
        outcome = rng.choice(OUTCOMES)  # drawn either way: the rest of the history stays the same
        # The tail past two days is a lead nobody called: the sales home has leads waiting.
        if response < NEVER_CALLED_AFTER:
            history.activities.append(
                Activity(
                    organization=walk.lead.organization,
                    lead=walk.lead,
                    kind=Activity.Kind.CALL,
                    at=_in_office_hours(walk.at + response, walk.lead.email),
                    by_id=walk.lead.owner_id,
                    outcome=outcome,
                )
            )
            _follow_up(walk, history.activities[-1].at, history)
    return True


OFFICE = ZoneInfo("Europe/Rome")  # where the demo's sales team works (its SLA calendar's)


def _in_office_hours(at: datetime, seed: str) -> datetime:
    """Sales call and write in office hours: a touch due at night or at the weekend is
    made the next working morning (not before 09:00 Rome time)."""
    local = at.astimezone(OFFICE)
    if local.isoweekday() <= 5 and 9 <= local.hour < 18:
        return at
    day = local.date() + timedelta(days=1 if local.hour >= 18 else 0)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    minutes = random.Random(f"office {seed} {at.isoformat()}").uniform(0, 90)  # noqa: S311
    opens = datetime.combine(day, datetime.min.time(), tzinfo=OFFICE).replace(hour=9)
    return (opens + timedelta(minutes=minutes)).astimezone(UTC)


def _follow_up(walk: Walk, first: datetime, history: History) -> None:
    """Most leads called are tried again (an e-mail, another call) over the next days, as the
    SLA's attempts ask. Drawn from the lead's own generator, so the rest of the history is
    the same with or without them."""
    rng = random.Random(f"follow-up {walk.lead.email}")  # noqa: S311 - demo data
    tries = 2 if rng.random() < 0.8 else rng.choice([0, 1])
    at = first
    for kind in (Activity.Kind.EMAIL, Activity.Kind.CALL)[:tries]:
        at = _in_office_hours(at + timedelta(days=rng.uniform(0.5, 2.5)), walk.lead.email)
        if at >= walk.now:
            return
        history.activities.append(
            Activity(
                organization=walk.lead.organization,
                lead=walk.lead,
                kind=kind,
                at=at,
                by_id=walk.lead.owner_id,
                outcome="",
            )
        )


def _opportunity(walk: Walk, profile: ChannelProfile) -> bool:
    """Sales qualify the lead (or recycle it to marketing), and some become opportunities."""
    rng = walk.rng
    if rng.random() > profile.to_sql:
        if rng.random() < 0.4:
            walk.move("recycled", (10, 40))
        else:
            _decline(walk)
        return False
    return (
        walk.move("sql", (2, 12))
        and not rng.random() > profile.to_opportunity
        and walk.move("opportunity", (4, 20))
    )


def _decline(walk: Walk) -> None:
    """Sales send most of the other MQLs back within a few days (recycled, or disqualified
    when they are not leads to have); some are left waiting. Drawn from the lead's own
    generator, as _follow_up."""
    rng = random.Random(f"decline {walk.lead.email}")  # noqa: S311 - demo data
    if rng.random() < 0.8:
        walk.move("recycled" if rng.random() < 0.6 else "disqualified", (1, 14), rng)


def _deal(walk: Walk, profile: ChannelProfile, stages: DemoStages) -> Deal:
    """The opportunity's deal: still open, or won (its lead a customer) or lost by now."""
    lead, rng, at = walk.lead, walk.rng, walk.at
    product, price = rng.choice(PRODUCTS)
    deal = Deal(
        organization=lead.organization,
        name=f"{lead.company} {product}",
        lead=lead,
        company=lead.company,
        owner_id=lead.owner_id,
        product=product,
        amount=Decimal(round(price * rng.uniform(0.8, 1.3), -2)),
        currency=lead.organization.currency,
        created_at=at,
    )
    closed = at + timedelta(days=rng.uniform(10, 75))
    deal.pipeline_stage = _open_stage(opened=at, closing=closed, now=walk.now)
    if closed < walk.now:
        deal.pipeline_stage = ""  # a closed deal has left the pipeline
        deal.closed_at = closed
        if rng.random() < profile.win_rate:
            deal.status = Deal.Status.WON
            became = customer_since(
                stage=lead.stage,
                created_at=lead.created_at,
                deals=[(deal.status, closed)],
                customer_stage=stages.customer,
            )
            if became is not None:  # crm.rules: a won deal makes its lead a customer
                walk.record(stages.customer, became, LeadStageChange.Source.DEAL_WON)
                lead.stage, lead.stage_changed_at = stages.customer, became
        else:
            deal.status, deal.lost_reason = (
                Deal.Status.LOST,
                rng.choice(["price", "timing", "competitor", "no budget"]),
            )
    return deal


# An open deal's pipeline stage by how far it is on its way to closing (no draw of the random
# generator, so the rest of the demo stays as it was).
OPEN_STAGES = [(1 / 3, "discovery"), (2 / 3, "proposal"), (1.0, "negotiation")]


def _open_stage(*, opened: datetime, closing: datetime, now: datetime) -> str:
    elapsed = (now - opened) / (closing - opened)
    return next((code for share, code in OPEN_STAGES if elapsed < share), "negotiation")


def _repeat_business(
    organization: Organization, deals: list[Deal], rng: random.Random, now: datetime
) -> list[Deal]:
    """Some customers buy again: soon after (repeat), or after more than a year (reactivation)."""
    extra: list[Deal] = []
    for deal in [d for d in deals if d.status == Deal.Status.WON]:
        if rng.random() < 0.3:
            gap = rng.choice([rng.uniform(60, 300), rng.uniform(400, 600)])
            assert deal.closed_at is not None  # won deals are closed
            when = deal.closed_at + timedelta(days=gap)
            if when + timedelta(days=30) < now:
                extra.append(
                    Deal(
                        organization=organization,
                        name=f"{deal.company} renewal",
                        company=deal.company,
                        owner_id=deal.owner_id,
                        product=deal.product,
                        amount=deal.amount,
                        currency=deal.currency,
                        status=Deal.Status.WON,
                        created_at=when,
                        closed_at=when + timedelta(days=rng.uniform(5, 30)),
                    )
                )
    return extra
