"""Deleting records: what goes with them, what stays, and the KPI cells that are marked so
that the facts follow (crm.services.deletes)."""

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from crm.demo import seed_crm_history
from crm.models import (
    Activity,
    Campaign,
    ChangedCell,
    Channel,
    Company,
    Deal,
    Lead,
    LeadStageChange,
)
from crm.services.deals import deal_create
from crm.services.deletes import (
    activities_delete,
    campaigns_delete,
    channels_delete,
    companies_delete,
    deals_delete,
    leads_delete,
    records_delete,
)
from crm.services.leads import lead_change_stage, lead_create
from crm.services.merge import leads_merge
from crm.services.records import record_create
from kpis.models import KpiFact, PipelineFact
from kpis.recompute import kpis_recompute_changed, kpis_recompute_full
from kpis.selectors import response_minutes
from kpis.sql import FACT_COLUMNS

pytestmark = pytest.mark.django_db
MARCH = datetime(2026, 3, 2, 9, tzinfo=UTC)


def recomputed_as_in_full(organization) -> bool:
    """The marked cells recomputed, the stored facts equal a whole recompute."""
    kpis_recompute_changed(organization_id=organization.pk)
    return kpis_recompute_full(organization_id=organization.pk, check=True) == 0


@pytest.fixture
def paid(org):
    return Channel.objects.for_org(org).get(code="paid_search")


def test_a_deleted_leads_deals_stay_counted_without_a_channel(org, paid):
    lead = lead_create(organization=org, by=None, stage="lead", channel=paid, created_at=MARCH)
    won = deal_create(
        organization=org, by=None, lead=lead, amount=Decimal("800"),
        status=Deal.Status.WON, closed_at=datetime(2026, 4, 9, tzinfo=UTC),
    )  # fmt: skip
    open_ = deal_create(
        organization=org, by=None, lead=lead, amount=Decimal("50"), pipeline_stage="proposal"
    )
    kpis_recompute_full(organization_id=org.pk)

    leads_delete(organization_id=org.pk, lead_ids=[lead.pk])

    march, april = date(2026, 3, 1), date(2026, 4, 1)
    assert set(ChangedCell.objects.for_org(org).values_list("month", "channel_id")) == {
        (march, paid.pk), (april, paid.pk), (None, paid.pk),  # where it counted
        (april, None), (None, None),  # where its deals count now
    }  # fmt: skip
    assert not LeadStageChange.objects.filter(lead_id=lead.pk).exists()
    assert set(Deal.objects.for_org(org).values_list("pk", "lead_id")) == {
        (won.pk, None),
        (open_.pk, None),
    }
    assert recomputed_as_in_full(org)
    assert KpiFact.objects.for_org(org).get(month=april).channel_id is None
    assert PipelineFact.objects.for_org(org).get().channel_id is None


def test_a_deleted_deal_takes_its_activities_and_the_response_time_they_gave(org, paid):
    lead = lead_create(organization=org, by=None, stage="lead", channel=paid, created_at=MARCH)
    lead_change_stage(lead=lead, to_stage="mql", by=None, at=MARCH + timedelta(hours=1))
    deal = deal_create(organization=org, by=None, lead=lead)
    record_create(
        Activity, organization=org, lead=lead, deal=deal, kind="call",
        at=MARCH + timedelta(hours=2),
    )  # fmt: skip
    kpis_recompute_full(organization_id=org.pk)
    answered = response_minutes(org)

    deals_delete(organization_id=org.pk, deal_ids=[deal.pk])

    assert not Activity.objects.exists()
    assert recomputed_as_in_full(org)
    assert (answered, response_minutes(org)) == ((1, [60]), (1, []))


def test_a_deleted_activity_is_no_answer(org, paid):
    lead = lead_create(organization=org, by=None, stage="mql", channel=paid, created_at=MARCH)
    call = record_create(
        Activity, organization=org, lead=lead, kind="call", at=MARCH + timedelta(minutes=30)
    )
    kpis_recompute_full(organization_id=org.pk)

    activities_delete(organization_id=org.pk, activity_ids=[call.pk])

    assert recomputed_as_in_full(org)
    assert response_minutes(org) == (1, [])


def test_a_deleted_campaigns_cost_goes_and_its_leads_stay_without_it(org, paid):
    social = Channel.objects.for_org(org).get(code="social")
    campaign = record_create(
        Campaign, organization=org, name="Spring", channel=social, start_date=date(2026, 3, 1),
        end_date=date(2026, 4, 30), actual_cost=Decimal("610"),
    )  # fmt: skip  # its leads came from paid search all the same
    lead = lead_create(
        organization=org, by=None, stage="lead", channel=paid, campaign=campaign, created_at=MARCH
    )
    kpis_recompute_full(organization_id=org.pk)

    campaigns_delete(organization_id=org.pk, campaign_ids=[campaign.pk])

    assert Lead.objects.get(pk=lead.pk).campaign_id is None
    assert recomputed_as_in_full(org)
    facts = KpiFact.objects.for_org(org)
    assert sum(f.cost for f in facts) == 0
    assert facts.get(month=date(2026, 3, 1)).leads == 1
    assert facts.get(month=date(2026, 3, 1)).channel_id == paid.pk


def test_a_deleted_companys_buyers_count_as_customers_each(org, paid):
    company = record_create(Company, organization=org, name="Acme")
    for name in ("Ann", "Bo"):
        lead = lead_create(organization=org, by=None, name=name, stage="lead", channel=paid)
        deal_create(
            organization=org, by=None, lead=lead, company=company, status=Deal.Status.WON,
            closed_at=MARCH, amount=Decimal("100"),
        )  # fmt: skip
    kpis_recompute_full(organization_id=org.pk)
    before = KpiFact.objects.for_org(org).get(month=date(2026, 3, 1)).customers

    companies_delete(organization_id=org.pk, company_ids=[company.pk])

    assert recomputed_as_in_full(org)
    assert (before, KpiFact.objects.for_org(org).get(month=date(2026, 3, 1)).customers) == (1, 2)


def test_a_channel_in_use_stays_with_whatever_uses_it(org, paid):
    record_create(Campaign, organization=org, name="Spring", channel=paid, start_date=MARCH.date())
    lead_create(organization=org, by=None, stage="lead", channel=paid)
    unused = Channel.objects.for_org(org).get(code="event")

    with pytest.raises(ValidationError) as refused:
        channels_delete(organization_id=org.pk, channel_ids=[unused.pk, paid.pk])

    assert set(refused.value.message_dict) == {"leads", "campaigns"}
    assert Channel.objects.filter(pk__in=[unused.pk, paid.pk]).count() == 2
    assert (Lead.objects.get().channel_id, Campaign.objects.get().channel_id) == (paid.pk, paid.pk)


def test_a_delete_touches_only_its_own_organisations_rows(org, other_org):
    theirs = lead_create(organization=other_org, by=None, stage="lead")

    deleted = records_delete(Lead, organization_id=org.pk, ids=[theirs.pk])

    assert deleted == 0
    assert Lead.objects.filter(pk=theirs.pk).exists()
    assert not ChangedCell.objects.for_org(org).exists()


def test_after_every_kind_of_delete_the_nightly_check_finds_no_difference(org):
    """Two years of history; one of each delete, the larger cascades among them."""
    seed_crm_history(organization=org, today=date(2026, 11, 15))  # in SQL: marks nothing
    kpis_recompute_full(organization_id=org.pk)
    leads = Lead.objects.for_org(org)
    won = Deal.objects.for_org(org).filter(status=Deal.Status.WON, lead__isnull=False)
    busiest_company = (
        Company.objects.for_org(org).filter(deals__status="won").order_by("-deals__amount")[0]
    )

    leads_delete(organization_id=org.pk, lead_ids=[won[0].lead_id])
    deals_delete(organization_id=org.pk, deal_ids=[won[1].pk])
    activities_delete(
        organization_id=org.pk,
        activity_ids=Activity.objects.for_org(org).values_list("pk", flat=True)[:20],
    )
    campaigns_delete(
        organization_id=org.pk, campaign_ids=[Campaign.objects.for_org(org).latest("pk").pk]
    )
    companies_delete(organization_id=org.pk, company_ids=[busiest_company.pk])
    survivor, duplicate = leads.filter(stage="customer")[:2]
    leads_merge(survivor=survivor, duplicate=duplicate, by=None)

    assert recomputed_as_in_full(org)


@pytest.mark.django_db(transaction=True)
def test_a_campaign_goes_while_a_recompute_writes_its_facts(org, paid):
    """The facts are kept right by the marks, not by foreign keys: a recompute rewriting a
    cell of a campaign deleted before it commits (the nightly check takes minutes) commits,
    the delete does too, and the delete's marks replace that cell next."""
    campaign = record_create(
        Campaign, organization=org, name="Spring", channel=paid, start_date=date(2026, 3, 1)
    )
    lead_create(
        organization=org, by=None, stage="lead", channel=paid, campaign=campaign, created_at=MARCH
    )
    kpis_recompute_full(organization_id=org.pk)
    recompute = connections.create_connection("default")
    recompute.set_autocommit(False)
    columns = ", ".join(FACT_COLUMNS)
    rewrite = (  # as a recompute rewrites the campaign's cell
        "WITH gone AS (DELETE FROM funnel_kpifact WHERE campaign_id = %s RETURNING *) "  # noqa: S608 - the facts' own column names
        f"INSERT INTO funnel_kpifact ({columns}) SELECT {columns} FROM gone"
    )
    with recompute.cursor() as cursor:
        cursor.execute(rewrite, [campaign.pk])
    failures: list[Exception] = []

    def delete() -> None:
        try:
            campaigns_delete(organization_id=org.pk, campaign_ids=[campaign.pk])
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    deleting = threading.Thread(target=delete)
    deleting.start()
    deleting.join(timeout=1)  # it waits for the cell the recompute holds
    try:
        recompute.commit()
    except Exception as error:
        failures.append(error)
    finally:
        recompute.close()
    deleting.join()

    assert failures == []
    assert not Campaign.objects.filter(pk=campaign.pk).exists()
    assert recomputed_as_in_full(org)
    assert not KpiFact.objects.filter(campaign_id=campaign.pk).exists()
