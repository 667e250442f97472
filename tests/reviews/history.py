"""A month to review, worked out by hand: March 2025 under the SLA history of
tests/sla/compliance_history.four_mqls (four MQLs handed over, two from paid search, two
from social), with paid search's spring campaign costing 400 and Ann's deal won for 900,
and the objectives the active plan proposes."""

from datetime import UTC, date, datetime
from decimal import Decimal

from crm.models import Campaign, Channel
from crm.services.deals import deal_create, deal_win
from crm.services.records import record_create
from funnel.selectors import active_plan
from kpis.recompute import kpis_recompute_full
from objectives.services import objectives_from_plan
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
