"""The journal's leads: every write that changes what a lead's profile holds marks the lead
(or, for writes of many, every lead) in the write's own transaction."""

from crm.journal import (
    mark_deals,
    mark_every_lead,
    mark_leads,
    take_changed_leads,
)
from crm.models import Company, Deal, Lead
from crm.services.records import record_create, record_update


def test_lead_and_deal_marks_name_the_leads(org):
    a, b, c = Lead.objects.bulk_create(Lead(organization=org, name=n, stage="lead") for n in "ABC")
    deal = Deal.objects.create(organization=org, lead=c, currency="EUR")

    mark_leads(org.pk, [a.pk, b.pk, a.pk])
    mark_deals(org.pk, [deal.pk])

    assert sorted(take_changed_leads(org.pk)) == sorted([a.pk, b.pk, c.pk])
    assert take_changed_leads(org.pk) == []  # taken


def test_a_company_edit_marks_its_leads_and_no_others(org, other_org):
    acme = record_create(Company, organization=org, name="Acme")
    assert take_changed_leads(org.pk) == []  # a new company has no leads to mark
    mine = Lead.objects.create(organization=org, name="A", company=acme, stage="lead")
    Lead.objects.create(organization=org, name="B", stage="lead")

    record_update(acme, industry="Retail")

    assert take_changed_leads(org.pk) == [mine.pk]


def test_every_lead_is_one_mark_that_reads_as_none(org, other_org):
    lead = Lead.objects.create(organization=org, name="A", stage="lead")
    mark_leads(org.pk, [lead.pk])
    mark_every_lead(org.pk)
    mark_every_lead(org.pk)

    assert take_changed_leads(org.pk) is None
    assert take_changed_leads(org.pk) == []
    assert take_changed_leads(other_org.pk) == []
