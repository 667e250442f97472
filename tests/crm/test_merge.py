from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.models import Activity, ChangedCell, Channel, Company, Deal, Lead, LeadStageChange
from crm.services.deals import deal_create, deal_win
from crm.services.leads import lead_change_stage, lead_create, lead_update
from crm.services.merge import duplicate_groups, leads_merge
from crm.services.records import record_create
from kpis.recompute import kpis_recompute_changed, kpis_recompute_full
from orgs.models import Role
from tests.conftest import signed_in_client, token_client

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 1, 10, tzinfo=UTC)


@pytest.fixture
def pair(org):
    acme = record_create(Company, organization=org, name="Acme")
    first = lead_create(
        organization=org,
        by=None,
        name="Ann Lee",
        company=acme,
        stage="mql",
        created_at=T0 + timedelta(days=3),
    )
    second = lead_create(
        organization=org,
        by=None,
        name="ann lee",
        company=acme,
        email="ann@acme.test",
        phone="+39 02 1234",
        stage="lead",
        created_at=T0,
    )
    lead_change_stage(lead=second, to_stage="sql", by=None, at=T0 + timedelta(days=5))
    record_create(Activity, organization=org, lead=second, kind="call", at=T0 + timedelta(days=1))
    deal_create(organization=org, by=None, lead=second, created_at=T0 + timedelta(days=6))
    return first, second


def test_duplicates_are_found_by_name_and_company_or_phone(org, pair):
    lead_create(organization=org, by=None, name="Other", phone="+39 (02) 1234", stage="lead")

    groups = duplicate_groups(org)

    assert sorted(len(g) for g in groups) == [2, 2]
    assert {lead.pk for lead in groups[0]} == {pair[0].pk, pair[1].pk}


def test_merging_keeps_all_history_and_fills_blanks(org, pair, member):
    first, second = pair
    history = LeadStageChange.objects.filter(lead__in=pair).count()

    merged = leads_merge(survivor=first, duplicate=second, by=member().user)

    assert not Lead.objects.filter(pk=second.pk).exists()
    assert LeadStageChange.objects.filter(lead=merged).count() == history + 1  # plus the merge move
    assert (merged.email, merged.phone, merged.created_at, merged.stage) == (
        "ann@acme.test",
        "+39 02 1234",
        T0,
        "sql",
    )
    assert LeadStageChange.objects.filter(lead=merged).last().source == "merge"
    assert Activity.objects.get().lead_id == merged.pk
    assert Deal.objects.get().lead_id == merged.pk


def test_a_lead_cannot_be_merged_into_itself_or_across_organisations(org, other_org, pair):
    theirs = lead_create(organization=other_org, by=None, stage="lead")

    with pytest.raises(ValidationError, match="into itself"):
        leads_merge(survivor=pair[0], duplicate=pair[0], by=None)
    with pytest.raises(ValidationError):
        leads_merge(survivor=pair[0], duplicate=theirs, by=None)
    assert Lead.objects.count() == 3


def test_the_duplicates_page_merges(pair, member):
    client = signed_in_client(member(Role.SALES_REP))

    page = client.get(reverse("crm-duplicates")).content.decode()
    response = client.post(reverse("crm-lead-merge", args=[pair[1].pk]), {"duplicate": pair[0].pk})

    assert "Merge into" in page
    assert response["Location"] == reverse("crm-detail", args=["leads", pair[1].pk])
    assert list(Lead.objects.values_list("pk", flat=True)) == [pair[1].pk]


def test_merging_over_the_api_refuses_another_organisations_lead(other_org, pair, member):
    theirs = lead_create(organization=other_org, by=None, stage="lead")
    api = token_client(member(Role.MARKETING_MANAGER))

    refused = api.post(
        f"/api/v1/leads/{pair[0].pk}/merge/", {"duplicate": theirs.pk}, format="json"
    )
    merged = api.post(
        f"/api/v1/leads/{pair[0].pk}/merge/", {"duplicate": pair[1].pk}, format="json"
    )

    assert refused.status_code == 400
    assert "duplicate" in refused.json()["error"]["fields"]
    assert merged.status_code == 200
    assert merged.json()["stage"] == "sql"
    assert Lead.objects.filter(pk=theirs.pk).exists()


def test_leadership_cannot_merge(pair, member):
    response = signed_in_client(member(Role.LEADERSHIP)).post(
        reverse("crm-lead-merge", args=[pair[0].pk]), {"duplicate": pair[1].pk}
    )

    assert response.status_code == 403
    assert Lead.objects.count() == 2


def test_a_merge_on_the_page_leaves_the_kpis_as_a_full_recompute_would(org, pair, member):
    first, second = pair
    paid = Channel.objects.for_org(org).get(code="paid_search")
    lead_update(lead=second, by=None, channel=paid)  # the survivor, without one, takes it
    deal_win(deal=Deal.objects.get(), by=None, at=T0 + timedelta(days=40), amount=Decimal("700"))
    kpis_recompute_full(organization_id=org.pk)

    merged = signed_in_client(member(Role.SALES_REP)).post(
        reverse("crm-lead-merge", args=[first.pk]), {"duplicate": second.pk}
    )
    marked = ChangedCell.objects.for_org(org).count()
    kpis_recompute_changed(organization_id=org.pk)

    assert merged.status_code == 302
    assert marked
    assert Lead.objects.get().channel_id == paid.pk
    assert kpis_recompute_full(organization_id=org.pk, check=True) == 0
