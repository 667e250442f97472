from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.models import (
    Activity,
    Campaign,
    Channel,
    Company,
    Deal,
    Lead,
    LeadStageChange,
    LifecycleStage,
)
from crm.services.deals import deal_create, deal_lose, deal_update, deal_win
from crm.services.leads import lead_change_stage, lead_create, lead_update
from crm.services.records import record_create, record_update
from tests.factories import OrganizationFactory

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def history(lead):
    return list(
        LeadStageChange.objects.filter(lead=lead).values_list(
            "from_stage", "to_stage", "at", "source"
        )
    )


@pytest.mark.django_db
def test_a_new_organisation_gets_default_stages_and_channels(org):
    assert list(LifecycleStage.objects.for_org(org).values_list("code", flat=True)) == [
        "lead",
        "mql",
        "sql",
        "opportunity",
        "customer",
        "disqualified",
        "recycled",
    ]
    assert Channel.objects.for_org(org).filter(code="paid_search").exists()


@pytest.mark.django_db
def test_creating_a_lead_records_its_entry_into_the_funnel(org):
    lead = lead_create(
        organization=org,
        by=None,
        name="Ann",
        email="  Ann@Example.TEST ",
        stage="mql",
        created_at=T0,
    )

    assert lead.email == "ann@example.test"
    assert history(lead) == [("", "mql", T0, "manual")]


@pytest.mark.django_db
def test_every_stage_change_is_recorded_with_who_and_when(org, member):
    me = member().user
    lead = lead_create(organization=org, by=me, stage="lead", created_at=T0)

    lead_change_stage(lead=lead, to_stage="mql", by=me, at=T0 + timedelta(days=1))
    lead_update(lead=lead, by=me, stage="sql", source="api")
    unchanged = lead_change_stage(lead=lead, to_stage="sql", by=me)

    assert unchanged is None
    steps = [(f, t, s) for f, t, _at, s in history(lead)]
    assert steps == [("", "lead", "manual"), ("lead", "mql", "manual"), ("mql", "sql", "api")]
    lead.refresh_from_db()
    assert lead.stage == "sql"


@pytest.mark.django_db
def test_bad_lead_input_is_refused_and_nothing_is_saved(org, other_org):
    foreign_channel = Channel.objects.for_org(other_org).first()
    lead_create(organization=org, by=None, email="taken@example.test", stage="lead")

    with pytest.raises(ValidationError, match="Unknown stage"):
        lead_create(organization=org, by=None, stage="prospect")
    with pytest.raises(ValidationError, match=r"A lead with this e-mail already exists\."):
        lead_create(organization=org, by=None, email="TAKEN@example.test", stage="lead")
    with pytest.raises(ValidationError) as foreign:
        lead_create(organization=org, by=None, stage="lead", channel=foreign_channel)

    assert "channel" in foreign.value.message_dict
    assert Lead.objects.for_org(org).count() == 1
    assert LeadStageChange.objects.for_org(org).count() == 1


@pytest.mark.django_db
def test_a_stage_change_before_the_lead_existed_is_refused(org):
    lead = lead_create(organization=org, by=None, stage="lead", created_at=T0)

    with pytest.raises(ValidationError, match="before the lead entered"):
        lead_change_stage(lead=lead, to_stage="mql", by=None, at=T0 - timedelta(days=1))
    assert len(history(lead)) == 1


@pytest.mark.django_db
def test_winning_a_deal_makes_its_lead_a_customer_at_the_close_date(org):
    lead = lead_create(organization=org, by=None, stage="opportunity", created_at=T0)
    deal = deal_create(organization=org, by=None, lead=lead, amount=Decimal("2500"), created_at=T0)
    closed = T0 + timedelta(days=20)

    deal_win(deal=deal, by=None, at=closed)

    lead.refresh_from_db()
    assert (lead.stage, lead.stage_changed_at) == ("customer", closed)
    assert history(lead)[-1] == ("opportunity", "customer", closed, "deal_won")
    assert Deal.objects.get(pk=deal.pk).currency == "EUR"


@pytest.mark.django_db
def test_deal_kinds_follow_the_companys_earlier_wins(org):
    acme = record_create(Company, organization=org, name="Acme")
    first = deal_create(
        organization=org, by=None, company=acme, status="won", created_at=T0, closed_at=T0
    )
    soon = deal_create(organization=org, by=None, company=acme, created_at=T0 + timedelta(days=100))
    late = deal_create(organization=org, by=None, company=acme, created_at=T0 + timedelta(days=500))

    assert (first.kind, soon.kind, late.kind) == ("new", "repeat", "reactivation")


@pytest.mark.django_db
def test_closed_deals_need_a_close_date_and_open_ones_have_none(org):
    with pytest.raises(ValidationError, match="needs its close date"):
        deal_create(organization=org, by=None, status="won")
    deal = deal_create(organization=org, by=None)
    deal_lose(deal=deal, by=None, reason="price")
    reopened = deal_update(deal=deal, by=None, status="open")

    assert (reopened.status, reopened.closed_at, Deal.objects.count()) == ("open", None, 1)
    with pytest.raises(ValidationError, match="Ensure this value is greater than or equal to 0"):
        deal_create(organization=org, by=None, amount=Decimal("-1"))


@pytest.mark.django_db
def test_records_refuse_bad_input_with_clear_messages(org):
    channel = record_create(Channel, organization=org, code="Trade Fairs", name="Trade fairs")
    acme = record_create(Company, organization=org, name="Acme")

    with pytest.raises(ValidationError, match="cannot end before it starts"):
        record_create(
            Campaign,
            organization=org,
            name="Spring",
            channel=channel,
            start_date=T0.date(),
            end_date=T0.date() - timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="its own parent"):
        record_update(acme, parent=acme)
    with pytest.raises(ValidationError, match="belongs to a lead or a deal"):
        record_create(Activity, organization=org, kind="call")

    assert channel.code == "trade_fairs"
    assert not Campaign.objects.exists()
    assert Company.objects.get(pk=acme.pk).parent is None


@pytest.mark.django_db
def test_a_new_organisation_does_not_share_stages(org):
    other = OrganizationFactory()

    assert (
        LifecycleStage.objects.for_org(other).count() == LifecycleStage.objects.for_org(org).count()
    )
    assert not LifecycleStage.objects.for_org(other).filter(organization=org).exists()
