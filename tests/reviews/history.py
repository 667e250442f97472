"""A month to review, worked out by hand: March 2025 under the SLA history of
tests/sla/compliance_history.four_mqls (four MQLs handed over, two from paid search, two
from social), with paid search's spring campaign costing 400 and Ann's deal won for 900,
and the objectives the active plan proposes; and, for the pack's drift and pulse, the
plan's drift as a recompute would store it and March's pulse, closed."""

from datetime import UTC, date, datetime
from decimal import Decimal

from crm.models import Campaign, Channel
from crm.services.deals import deal_create, deal_win
from crm.services.records import record_create
from funnel.selectors import active_plan
from kpis.recompute import kpis_recompute_full
from objectives.services import objectives_from_plan
from reviews.models import PlanDrift, Pulse, PulseAnswer
from reviews.pulse import STATEMENTS
from tests.sla.compliance_history import four_mqls

MARCH = date(2025, 3, 1)


def march_to_review(org, member):
    """`member(role)` makes the managers who sign the agreement."""
    people = four_mqls(org, member, first_month=date(2025, 1, 1), monday=date(2025, 3, 3))
    paid = Channel.objects.for_org(org).get(code="paid_search")
    record_create(
        Campaign, organization=org, name="Spring ads", channel=paid,
        start_date=date(2025, 3, 1), end_date=date(2025, 3, 31), actual_cost=Decimal("400"),
    )  # fmt: skip
    deal = deal_create(organization=org, by=None, lead=people["ann"], amount=Decimal("900"))
    deal_win(deal=deal, by=None, at=datetime(2025, 3, 20, 12, tzinfo=UTC))
    kpis_recompute_full(organization_id=org.pk)
    objectives_from_plan(plan=active_plan(org), by=None, today=date(2025, 3, 25))
    return people


def drift_row(plan, stage, position, metric, direction="within", **figures):
    """A stored drift row of `plan` (its window, the 90 days ending 15 March 2025)."""
    return PlanDrift.objects.create(
        organization=plan.organization, plan=plan, stage=stage, position=position, metric=metric,
        direction=direction, window_days=90, window_start=date(2024, 12, 15),
        window_end=date(2025, 3, 15), computed_at=datetime(2025, 4, 1, 3, tzinfo=UTC),
        since=date(2025, 4, 1) if direction in ("below", "above") else None,
        **{"sample": 120, **figures},
    )  # fmt: skip


def march_drift_and_pulse(org, *, sales_answers=2):
    """The active plan's lead -> MQL rate at risk (20 % of 120 leads against 40 % assumed:
    -3 customers, -30,000), its other figures within their intervals; and March's pulse,
    closed, with three marketing answers (shown) and `sales_answers` sales ones."""
    plan = active_plan(org)
    PlanDrift.objects.filter(plan=plan).delete()  # what a recompute after commit stored
    rate = {"assumed": Decimal("0.4"), "low": Decimal("0.1382"), "high": Decimal("0.2801")}
    drift_row(plan, "lead->mql", 0, "rate", "below", measured=Decimal("0.2"), customers_delta=-3,
              revenue_delta=Decimal("-30000"), **rate)  # fmt: skip
    drift_row(plan, "lead->mql", 0, "days", assumed=Decimal("7"), measured=Decimal("6.5"),
              low=Decimal("5"), high=Decimal("8"), sample=24)  # fmt: skip
    drift_row(plan, "mql->sql", 1, "rate", assumed=Decimal("0.5"), measured=Decimal("0.5"),
              low=Decimal("0.3"), high=Decimal("0.7"), sample=24)  # fmt: skip
    pulse = Pulse.objects.create(
        organization=org, period=MARCH, cadence="monthly",
        opens_at=datetime(2025, 3, 3, 8, tzinfo=UTC), closes_at=datetime(2025, 3, 17, tzinfo=UTC),
    )  # fmt: skip
    answers = [("marketing", 1, "More joint webinars"), ("marketing", 2, ""),
               ("marketing", 3, "Leads arrive late"), *[("sales", 4, "")] * sales_answers]  # fmt: skip
    for team, overlap, comment in answers:
        PulseAnswer.objects.create(organization=org, pulse=pulse, team=team, comment=comment,
                                   **dict.fromkeys(STATEMENTS, 2) | {"overlap": overlap})  # fmt: skip
    return plan, pulse
