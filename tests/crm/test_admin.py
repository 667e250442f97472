"""Staff's admin: deleting records there, one or a selection, reaches the KPIs too."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.admin import site as admin_site
from django.test import Client
from django.urls import reverse

from crm.models import Campaign, ChangedCell, Channel, Deal, Lead, LifecycleStage
from crm.services.deals import deal_create
from crm.services.leads import lead_create
from crm.services.records import record_create
from kpis.recompute import kpis_recompute_changed, kpis_recompute_full
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MARCH = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture
def staff():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def won_lead(organization, name: str, channel: str = "paid_search") -> Lead:
    """A lead of March in `channel` with a deal of 1,000 won in March."""
    lead = lead_create(
        organization=organization, by=None, stage="lead", name=name, created_at=MARCH,
        channel=Channel.objects.for_org(organization).get(code=channel),
    )  # fmt: skip
    deal_create(
        organization=organization, by=None, lead=lead, amount=Decimal("1000"),
        status=Deal.Status.WON, closed_at=datetime(2026, 3, 20, tzinfo=UTC),
    )  # fmt: skip
    return lead


def left_as_a_full_recompute_would(*organizations) -> bool:
    for organization in organizations:
        kpis_recompute_changed(organization_id=organization.pk)
    return all(kpis_recompute_full(organization_id=o.pk, check=True) == 0 for o in organizations)


def test_deleting_one_lead_in_the_admin_marks_its_cells(org, staff):
    lead = won_lead(org, "Ann")
    kpis_recompute_full(organization_id=org.pk)

    answer = staff.post(reverse("admin:crm_lead_delete", args=[lead.pk]), {"post": "yes"})

    assert answer.status_code == 302
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert ChangedCell.objects.for_org(org).filter(month=date(2026, 3, 1)).exists()
    assert left_as_a_full_recompute_would(org)


def test_the_bulk_delete_action_marks_the_cells_in_each_organisation(org, other_org, staff):
    deals = [won_lead(org, "Ann").deals.get(), won_lead(other_org, "Bo", "referral").deals.get()]
    for organization in (org, other_org):
        kpis_recompute_full(organization_id=organization.pk)

    answer = staff.post(
        reverse("admin:crm_deal_changelist"),
        {"action": "delete_selected", "_selected_action": [d.pk for d in deals], "post": "yes"},
    )

    assert answer.status_code == 302
    assert not Deal.objects.exists()
    assert ChangedCell.objects.for_org(org).exists()
    assert ChangedCell.objects.for_org(other_org).exists()
    assert left_as_a_full_recompute_would(org, other_org)


def test_deleting_a_campaign_in_the_admin_moves_its_leads_to_no_campaign(org, staff):
    campaign = record_create(
        Campaign, organization=org, name="Spring", start_date=date(2026, 3, 1),
        channel=Channel.objects.for_org(org).get(code="paid_search"), actual_cost=Decimal("90"),
    )  # fmt: skip
    lead = won_lead(org, "Ann")
    Lead.objects.filter(pk=lead.pk).update(campaign=campaign)
    kpis_recompute_full(organization_id=org.pk)

    answer = staff.post(
        reverse("admin:crm_campaign_changelist"),
        {"action": "delete_selected", "_selected_action": [campaign.pk], "post": "yes"},
    )

    assert answer.status_code == 302
    assert Lead.objects.get().campaign_id is None
    assert left_as_a_full_recompute_would(org)


def test_the_admin_keeps_a_channel_in_use(org, staff):
    channel = won_lead(org, "Ann").channel
    assert channel is not None

    answer = staff.post(reverse("admin:crm_channel_delete", args=[channel.pk]), {"post": "yes"})

    assert answer.status_code == 200  # the page listing what still uses it
    assert Channel.objects.filter(pk=channel.pk).exists()


def test_the_admin_removes_stages_as_the_product_does(org, staff):
    won_lead(org, "Ann")  # in use: lead, customer
    kpis_recompute_full(organization_id=org.pk)
    stages = LifecycleStage.objects.for_org(org)
    in_use, unused = stages.get(code="lead"), stages.get(code="opportunity")

    refused = staff.post(
        reverse("admin:crm_lifecyclestage_changelist"),
        {"action": "delete_selected", "_selected_action": [in_use.pk, unused.pk], "post": "yes"},
    )
    removed = staff.post(
        reverse("admin:crm_lifecyclestage_delete", args=[unused.pk]), {"post": "yes"}
    )

    assert refused.status_code == 200
    assert "is in use" in refused.content.decode()
    assert removed.status_code == 302
    assert set(stages.filter(pk__in=[in_use.pk, unused.pk])) == {in_use}
    assert ChangedCell.objects.for_org(org).exists()  # a lead skipping it had reached it
    assert left_as_a_full_recompute_would(org)


def test_changing_a_deals_amount_in_the_admin_reaches_the_kpis(org, staff):
    deal = won_lead(org, "Ann").deals.get()
    kpis_recompute_full(organization_id=org.pk)
    url = reverse("admin:crm_deal_change", args=[deal.pk])
    form = staff.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {"amount": "5000", "closed_at_0": "2026-03-20", "closed_at_1": "00:00:00"}
    data |= {k: getattr(v, "pk", v) for k, v in data.items()}

    answer = staff.post(url, data)

    assert answer.status_code == 302, answer.context["adminform"].form.errors
    deal.refresh_from_db()
    assert deal.amount == Decimal("5000")
    assert ChangedCell.objects.for_org(org).filter(month=date(2026, 3, 1)).exists()
    assert left_as_a_full_recompute_would(org)


def test_moving_a_lead_to_another_channel_in_the_admin_marks_both_channels(org, staff):
    lead = won_lead(org, "Ann")
    kpis_recompute_full(organization_id=org.pk)
    referral = Channel.objects.for_org(org).get(code="referral")
    lead.channel = referral

    LeadAdmin = type(admin_site._registry[Lead])
    LeadAdmin(Lead, admin_site).save_model(None, lead, None, True)

    marked = set(ChangedCell.objects.for_org(org).values_list("channel_id", flat=True))
    paid_search = Channel.objects.for_org(org).get(code="paid_search")
    assert {paid_search.pk, referral.pk} <= marked
    assert left_as_a_full_recompute_would(org)


def test_making_a_stage_an_exit_in_the_admin_reaches_the_kpis_and_keeps_its_role(org, staff):
    won_lead(org, "Ann")
    kpis_recompute_full(organization_id=org.pk)
    stages = LifecycleStage.objects.for_org(org)
    sql, customer = stages.get(code="sql"), stages.get(code="customer")
    url = reverse("admin:crm_lifecyclestage_change", args=[sql.pk])

    answer = staff.post(url, {"name": "SQL", "position": sql.position, "is_exit": "on"})
    refused = staff.post(
        reverse("admin:crm_lifecyclestage_change", args=[customer.pk]),
        {"name": customer.name, "position": customer.position, "is_exit": "on", "role": ""},
    )

    assert answer.status_code == 302, answer.context["adminform"].form.errors
    sql.refresh_from_db()
    assert (sql.name, sql.is_exit) == ("SQL", True)
    assert ChangedCell.objects.for_org(org).exists()  # every count by stage is reshaped
    assert refused.status_code == 200  # the customer stage cannot become an exit
    customer.refresh_from_db()
    assert (customer.is_exit, customer.role) == (False, LifecycleStage.Role.CUSTOMER)
