from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crm.models import Channel, Company, Lead, LifecycleStage
from crm.selectors import (
    CLOSED_DEAL_COLUMNS,
    channel_codes,
    channel_names,
    closed_deals_for_discovery,
    funnel_stage_codes,
    funnel_stages,
    records_filtered,
    won_revenue,
)
from crm.services.deals import deal_create
from crm.services.leads import lead_create
from crm.services.records import record_create
from crm.services.stages import stage_add, stage_update

pytestmark = pytest.mark.django_db


def test_the_funnel_stages_come_in_order_and_leave_the_exits_out(org, other_org):
    nurture = stage_add(organization=org, model=LifecycleStage, code="nurture", name="Nurture")
    stage_update(stage=nurture, name="Nurture", position=1)  # after mql's 1, by its pk
    stage_add(organization=org, model=LifecycleStage, code="lost", name="Lost", is_exit=True)

    assert funnel_stage_codes(org) == ["lead", "mql", "nurture", "sql", "opportunity", "customer"]
    assert [s.name for s in funnel_stages(org.pk)][:3] == [
        "Lead",
        "Marketing-qualified lead",
        "Nurture",
    ]
    assert funnel_stage_codes(other_org) == ["lead", "mql", "sql", "opportunity", "customer"]


def test_with_exits_the_exit_stages_follow_the_funnel(org):
    stage_update(
        stage=LifecycleStage.objects.for_org(org).get(code="recycled"),
        name="Recycled",
        position=0,
        is_exit=True,
    )

    assert funnel_stage_codes(org, exits=True) == [
        "lead", "mql", "sql", "opportunity", "customer", "recycled", "disqualified",
    ]  # fmt: skip


def test_a_lists_query_filters_searches_and_bounds_its_dates(org, other_org):
    paid = Channel.objects.for_org(org).get(code="paid_search")
    for name, channel, day in [("Ann", paid, 3), ("Bob", paid, 10), ("Anna", None, 5)]:
        lead_create(
            organization=org, by=None, name=name, stage="lead", channel=channel,
            created_at=datetime(2026, 3, day, tzinfo=UTC),
        )  # fmt: skip
    lead_create(organization=other_org, by=None, name="Ann elsewhere", stage="lead")
    leads = Lead.objects.for_org(org)

    def names(query, date_field=None):
        rows = records_filtered(
            leads, query, filters={"channel": "channel__code"}, search=("name",),
            date_field=date_field,
        )  # fmt: skip
        return sorted(rows.values_list("name", flat=True))

    assert names({"channel": "paid_search"}) == ["Ann", "Bob"]
    assert names({"channel": "", "q": " ann "}) == ["Ann", "Anna"]  # an empty filter is none
    assert names({"q": "ANN", "channel": "paid_search"}) == ["Ann"]
    after, before = datetime(2026, 3, 5, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC)
    assert names({"created_after": after, "created_before": before}, "created_at") == ["Anna"]
    assert names({"created_after": after}) == ["Ann", "Anna", "Bob"]  # no date field, no bound


def test_channels_by_code_and_name_of_the_organisation_only(org, other_org):
    Channel.objects.create(organization=other_org, code="fairs", name="Trade fairs")
    Channel.objects.create(organization=org, code="a_podcast", name="A podcast")

    assert channel_codes(org)[:3] == ["a_podcast", "direct", "email"]
    assert "fairs" not in channel_codes(org)
    assert channel_names(org)["paid_search"] == "Paid search"
    assert "fairs" not in channel_names(org)


def test_won_revenue_counts_the_deals_won_in_the_period_by_their_close(org, other_org):
    def won(organization, amount, closed, status="won"):
        deal_create(
            organization=organization, by=None, status=status, amount=Decimal(amount),
            closed_at=closed,
        )  # fmt: skip

    won(org, "100", datetime(2025, 1, 1, tzinfo=UTC))
    won(org, "250", datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
    won(org, "999", datetime(2026, 1, 1, tzinfo=UTC))  # the next year
    won(org, "999", datetime(2025, 6, 1, tzinfo=UTC), status="lost")
    won(other_org, "999", datetime(2025, 6, 1, tzinfo=UTC))

    assert won_revenue(org, since=date(2025, 1, 1), until=date(2026, 1, 1)) == Decimal("350")
    assert won_revenue(org, since=date(2024, 1, 1), until=date(2025, 1, 1)) is None


def test_closed_deals_for_discovery_take_the_company_else_the_leads_in_one_query(
    org, other_org, django_assert_num_queries
):
    referral = Channel.objects.for_org(org).get(code="referral")
    acme = record_create(
        Company, organization=org, name="Acme", industry="Software", employees=40,
        annual_revenue=Decimal("2000000"), country="France",
    )  # fmt: skip
    globex = record_create(Company, organization=org, name="Globex", industry="Retail")
    lead = lead_create(
        organization=org, by=None, name="Ann", stage="lead", channel=referral, company=globex,
        country="Spain",
    )  # fmt: skip
    created = datetime(2025, 1, 1, tzinfo=UTC)

    def closed(day, status="won", **links):
        deal_create(
            organization=org, by=None, status=status, amount=Decimal("100"), product="Pro",
            created_at=created, closed_at=datetime(2025, 3, day, 12, tzinfo=UTC), **links,
        )  # fmt: skip

    closed(1, company=acme, lead=lead)  # the deal's own company wins over the lead's
    closed(2, status="lost", lead=lead)  # no company: the lead's
    closed(31)  # outside the period
    deal_create(organization=org, by=None, status="open", company=acme)
    deal_create(
        organization=other_org, by=None, status="won", closed_at=datetime(2025, 3, 2, tzinfo=UTC)
    )

    with django_assert_num_queries(1):
        rows = closed_deals_for_discovery(org, start=date(2025, 3, 1), end=date(2025, 3, 2))

    by_status = {row[0]: dict(zip(CLOSED_DEAL_COLUMNS, row, strict=True)) for row in rows}
    assert len(rows) == 2
    assert by_status["won"] | {"closed_at": None} == {
        "status": "won", "amount": Decimal("100"), "created_at": created, "closed_at": None,
        "customer": acme.pk, "industry": "Software", "employees": 40,
        "annual_revenue": Decimal("2000000"), "company_country": "France",
        "lead_country": "Spain", "channel": "referral", "channel_name": "Referral", "product": "Pro",
    }  # fmt: skip
    assert by_status["lost"]["customer"] == globex.pk
    assert by_status["lost"]["industry"] == "Retail"
    assert by_status["lost"]["company_country"] == ""
    assert len(closed_deals_for_discovery(org)) == 3
