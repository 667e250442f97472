"""DELETE through the API: the record goes, the KPI cells it counted in are marked and
recomputed, and a channel still in use stays."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from crm.models import Activity, Campaign, ChangedCell, Channel, Company, Deal, Lead
from crm.services.deals import deal_create
from crm.services.leads import lead_create
from crm.services.records import record_create
from kpis.recompute import kpis_recompute_changed, kpis_recompute_full
from kpis.scheduling import scheduled_key
from orgs.models import Role
from tests.conftest import token_client

pytestmark = pytest.mark.django_db
MARCH = "/api/v1/kpis/?start=2026-03-01&end=2026-03-31"


@pytest.fixture
def api(org, member):
    cache.delete(scheduled_key(org.pk))  # no recompute left "scheduled" by another test
    return token_client(member(Role.ADMIN))


def won_revenue(answer) -> Decimal:
    return sum((Decimal(row["won_revenue"]) for row in answer["results"]), Decimal(0))


def test_deleting_a_won_deal_and_its_lead_takes_the_revenue_out_of_the_kpis(
    org, api, django_capture_on_commit_callbacks
):
    # Given a lead and a won deal of 12,345 in March, recomputed as they commit
    with django_capture_on_commit_callbacks(execute=True):
        lead = api.post(
            "/api/v1/leads/",
            {"name": "Ann", "stage": "lead", "channel": "paid_search",
             "created_at": "2026-03-02T09:00:00Z"},
            format="json",
        ).json()  # fmt: skip
        deal = api.post(
            "/api/v1/deals/",
            {"lead": lead["id"], "amount": "12345", "status": "won",
             "created_at": "2026-03-03T09:00:00Z", "closed_at": "2026-03-20T09:00:00Z"},
            format="json",
        ).json()  # fmt: skip
    counted = api.get(MARCH).json()

    # When both are deleted
    with django_capture_on_commit_callbacks(execute=True):
        deleted = [
            api.delete(f"/api/v1/deals/{deal['id']}/").status_code,
            api.delete(f"/api/v1/leads/{lead['id']}/").status_code,
        ]
    after = api.get(MARCH).json()

    # Then the figure falls back, and nothing waits to be recomputed
    assert won_revenue(counted) == Decimal("12345")
    assert deleted == [204, 204]
    assert won_revenue(after) == 0
    assert sum(row["leads"] for row in after["results"]) == 0
    assert after["waiting_cells"] == 0
    assert kpis_recompute_full(organization_id=org.pk, check=True) == 0


def test_a_delete_marks_its_cells_before_the_recompute(org, api):
    lead = lead_create(
        organization=org, by=None, stage="lead", created_at=datetime(2026, 3, 2, tzinfo=UTC)
    )
    kpis_recompute_full(organization_id=org.pk)

    answer = api.delete(f"/api/v1/leads/{lead.pk}/")  # its recompute waits for a commit

    assert answer.status_code == 204
    assert api.get(MARCH).json()["waiting_cells"] == 1
    assert set(ChangedCell.objects.for_org(org).values_list("month", "channel_id")) == {
        (date(2026, 3, 1), None)
    }


@pytest.fixture
def records(org):
    """A campaign with two leads of one company, each with a won deal, and an activity, all
    in March: deleting the company makes them two customers, not one."""
    paid = Channel.objects.for_org(org).get(code="paid_search")
    company = record_create(Company, organization=org, name="Acme")
    campaign = record_create(
        Campaign, organization=org, name="Spring", channel=paid,
        start_date=date(2026, 3, 1), end_date=date(2026, 3, 31), actual_cost=Decimal("900"),
    )  # fmt: skip
    lead = lead_create(
        organization=org, by=None, stage="mql", channel=paid, campaign=campaign, company=company,
        created_at=datetime(2026, 3, 2, tzinfo=UTC),
    )  # fmt: skip
    record_create(
        Activity, organization=org, lead=lead, kind="call",
        at=datetime(2026, 3, 2, 10, tzinfo=UTC),
    )  # fmt: skip
    colleague = lead_create(
        organization=org, by=None, stage="lead", channel=paid, campaign=campaign,
        created_at=datetime(2026, 3, 3, tzinfo=UTC),
    )  # fmt: skip
    for buyer in (lead, colleague):
        deal_create(
            organization=org, by=None, lead=buyer, company=company, amount=Decimal("500"),
            status=Deal.Status.WON, closed_at=datetime(2026, 3, 20, tzinfo=UTC),
        )  # fmt: skip
    kpis_recompute_full(organization_id=org.pk)
    return org


@pytest.mark.parametrize(
    ("endpoint", "model"),
    [
        ("leads", Lead),
        ("deals", Deal),
        ("activities", Activity),
        ("campaigns", Campaign),
        ("companies", Company),
    ],
)
def test_every_kind_of_delete_leaves_the_kpis_as_a_full_recompute_would(
    records, api, endpoint, model
):
    record = model.objects.for_org(records).order_by("pk").first()

    answer = api.delete(f"/api/v1/{endpoint}/{record.pk}/")
    kpis_recompute_changed(organization_id=records.pk)

    assert answer.status_code == 204
    assert not model.objects.filter(pk=record.pk).exists()
    assert kpis_recompute_full(organization_id=records.pk, check=True) == 0


def test_a_channel_in_use_is_not_deleted_and_the_answer_says_what_uses_it(records, api):
    paid = Channel.objects.for_org(records).get(code="paid_search")

    answer = api.delete(f"/api/v1/channels/{paid.pk}/")

    body = answer.json()
    assert answer.status_code == 400
    assert body["error"]["status"] == 400
    assert set(body["error"]["fields"]) == {"leads", "campaigns"}
    assert "2 leads" in body["error"]["fields"]["leads"][0]
    assert Channel.objects.filter(pk=paid.pk).exists()
    assert set(Lead.objects.for_org(records).values_list("channel_id", flat=True)) == {paid.pk}


def test_an_unused_channel_is_deleted(org, api):
    unused = Channel.objects.for_org(org).get(code="event")

    answer = api.delete(f"/api/v1/channels/{unused.pk}/")

    assert answer.status_code == 204
    assert not Channel.objects.filter(pk=unused.pk).exists()


def test_another_organisations_record_cannot_be_deleted(other_org, api):
    theirs = lead_create(organization=other_org, by=None, stage="lead")

    answer = api.delete(f"/api/v1/leads/{theirs.pk}/")

    assert answer.status_code == 404
    assert Lead.objects.filter(pk=theirs.pk).exists()


def test_a_deleted_campaigns_cost_leaves_the_kpis_at_once(
    org, api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = api.post(
            "/api/v1/campaigns/",
            {"name": "Spring", "channel": "social", "start_date": "2026-03-01",
             "end_date": "2026-03-31", "actual_cost": "610.00"},
            format="json",
        ).json()  # fmt: skip
    spent = api.get(MARCH).json()  # and kept in the cache of this version of the facts

    with django_capture_on_commit_callbacks(execute=True):
        deleted = api.delete(f"/api/v1/campaigns/{campaign['id']}/")
    after = api.get(MARCH).json()

    assert [row["cost"] for row in spent["results"]] == ["610"]
    assert deleted.status_code == 204
    assert sum(Decimal(row["cost"]) for row in after["results"]) == 0
    assert after["waiting_cells"] == 0
