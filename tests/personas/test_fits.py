"""Each lead's stored fit follows every kind of change that can alter it, through the real
path: a service writes and marks the lead in the CRM's journal, the commit announces it,
the refresh runs (in-process here, as without a broker) and writes the fit."""

import csv

import pytest

from crm.journal import has_changed_leads, mark_leads
from crm.models import Channel, Company, Lead
from crm.services.deals import deal_create, deal_update
from crm.services.deletes import companies_delete, leads_delete
from crm.services.leads import lead_create, lead_update
from crm.services.records import record_update
from orgs.models import Role
from personas.fits import TURN, fits_changed, fits_refresh_in_turn, fits_schedule
from personas.models import LeadFit, Persona
from personas.services import persona_archive, persona_update
from tests.kpis.test_kpi_turns import turn_held_elsewhere


def fit_of(lead):
    return LeadFit.objects.filter(lead_id=lead.pk).values_list("score", "fits").first()


@pytest.fixture
def acme(org):
    return Company.objects.create(organization=org, name="Acme", industry="Software")


def test_approving_a_persona_measures_every_lead(org, approve, acme):
    lead = Lead.objects.create(organization=org, name="Ann", company=acme, stage="lead")

    persona = approve()

    assert LeadFit.objects.get(lead=lead).persona_id == persona.pk
    assert fit_of(lead) == (50, True)
    assert not has_changed_leads(org.pk)


def test_a_new_lead_is_measured_when_it_is_created(org, approve, acme, committing):
    approve()

    with committing():
        lead = lead_create(
            organization=org, by=None, stage="lead", name="Bo", title="Head of IT", company=acme
        )

    assert fit_of(lead) == (100, True)


def test_a_lead_edit_measures_it_again(org, approve, acme, committing):
    approve()
    with committing():
        lead = lead_create(organization=org, by=None, stage="lead", name="Bo", company=acme)
    assert fit_of(lead) == (50, True)

    with committing():
        lead_update(lead=lead, by=None, company=None)

    assert fit_of(lead) == (0, False)


def test_a_company_edit_measures_its_leads_again(org, approve, acme, committing):
    approve()
    with committing():
        leads = [
            lead_create(organization=org, by=None, stage="lead", name=n, company=acme, title="Head")
            for n in "AB"
        ]
    assert [fit_of(lead) for lead in leads] == [(100, True)] * 2

    with committing():
        record_update(acme, industry="Retail")

    assert [fit_of(lead) for lead in leads] == [(50, True)] * 2


def test_a_deleted_company_leaves_its_leads_without_its_industry(org, approve, acme, committing):
    approve()
    with committing():
        lead = lead_create(organization=org, by=None, stage="lead", name="A", company=acme)

    with committing():
        companies_delete(organization_id=org.pk, company_ids=[acme.pk])

    assert fit_of(lead) == (0, False)


def test_a_deal_of_another_product_measures_its_lead_again(org, approve, committing):
    approve(criteria=[{"kind": "product_in", "weight": 1, "params": {"values": ["GTX Pro"]}}])
    with committing():
        lead = lead_create(organization=org, by=None, stage="lead", name="A")
        deal = deal_create(organization=org, by=None, lead=lead, product="MG Basic")
    assert fit_of(lead) == (0, False)

    with committing():
        deal_update(deal=deal, by=None, product="GTX Pro")

    assert fit_of(lead) == (100, True)


def test_a_renamed_channel_measures_its_leads_again(org, approve, committing):
    approve(criteria=[{"kind": "channel_in", "weight": 1, "params": {"values": ["Webinars"]}}])
    channel = Channel.objects.create(organization=org, code="events", name="Events")
    with committing():
        lead = lead_create(organization=org, by=None, stage="lead", name="A", channel=channel)
    assert fit_of(lead) == (0, False)

    with committing():
        record_update(channel, name="Webinars")

    assert fit_of(lead) == (100, True)


def test_a_deleted_lead_takes_its_fit_with_it(org, approve, acme, committing):
    approve()
    with committing():
        lead = lead_create(organization=org, by=None, stage="lead", name="A", company=acme)

    with committing():
        leads_delete(organization_id=org.pk, lead_ids=[lead.pk])

    assert not LeadFit.objects.filter(lead_id=lead.pk).exists()


def test_a_deleted_persona_takes_its_fits_with_it(org, approve, acme):
    retail = Company.objects.create(organization=org, name="Shop", industry="Retail")
    software_lead = Lead.objects.create(organization=org, name="A", company=acme, stage="lead")
    retail_lead = Lead.objects.create(organization=org, name="B", company=retail, stage="lead")
    software = approve()
    approve(
        name="Retail",
        criteria=[{"kind": "industry_in", "weight": 1, "params": {"values": ["Retail"]}}],
    )
    assert LeadFit.objects.get(lead=software_lead).persona_id == software.pk

    Persona.objects.get(pk=software.pk).delete()

    assert not LeadFit.objects.filter(lead=software_lead).exists()
    assert fit_of(retail_lead) == (100, True)


def test_a_deleted_organisation_takes_its_fits_with_it(org, approve, acme):
    Lead.objects.create(organization=org, name="A", company=acme, stage="lead")
    approve()
    assert LeadFit.objects.filter(organization=org).count() == 1

    org.delete()

    assert not LeadFit.objects.filter(organization_id=org.pk).exists()


def test_a_new_approved_version_is_what_leads_are_measured_against(org, approve, acme):
    lead = Lead.objects.create(organization=org, name="A", company=acme, stage="lead")
    persona = approve()
    first = LeadFit.objects.get(lead=lead).version_id

    approve(
        persona=persona,
        criteria=[{"kind": "industry_in", "weight": 1, "params": {"values": ["Retail"]}}],
    )

    fit = LeadFit.objects.get(lead=lead)
    assert fit.version_id != first
    assert (fit.score, fit.fits) == (0, False)


def test_a_draft_version_measures_nothing(org, approve, acme, member, committing):
    lead = Lead.objects.create(organization=org, name="A", company=acme, stage="lead")
    persona = approve()
    with committing():
        persona_update(
            persona=persona,
            by=member(Role.MARKETING_MANAGER).user,
            criteria=[{"kind": "industry_in", "weight": 1, "params": {"values": ["Retail"]}}],
        )

    assert fit_of(lead) == (50, True)  # still the approved version's


def test_archiving_the_last_approved_persona_forgets_every_fit(org, approve, acme, committing):
    lead = Lead.objects.create(organization=org, name="A", company=acme, stage="lead")
    persona = approve()

    with committing():
        persona_archive(persona=persona)

    assert not LeadFit.objects.filter(lead=lead).exists()


def test_archiving_one_persona_measures_leads_against_the_others(org, approve, acme, committing):
    lead = Lead.objects.create(organization=org, name="A", company=acme, stage="lead")
    best = approve(name="Best", threshold=50)
    other = approve(
        name="Other",
        criteria=[{"kind": "industry_in", "weight": 1, "params": {"values": ["Retail"]}}],
    )
    assert LeadFit.objects.get(lead=lead).persona_id == best.pk

    with committing():
        persona_archive(persona=best)

    fit = LeadFit.objects.get(lead=lead)
    assert (fit.persona_id, fit.score, fit.fits) == (other.pk, 0, False)


def test_imported_leads_are_measured_once_the_import_ends(
    org, approve, tmp_path, run_import, committing
):
    approve(criteria=[{"kind": "title_words", "weight": 1, "params": {"values": ["head"]}}])
    path = tmp_path / "leads.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(
            [["Id", "Name", "Title"], ["L1", "Ann", "Head of Sales"], ["L2", "Bo", "Intern"]]
        )

    with committing():
        run_import(
            path,
            {
                "kind": "leads",
                "columns": {"external_id": "Id", "name": "Name", "title": "Title"},
                "constants": {"stage": "lead"},
            },
        )

    fits = dict(LeadFit.objects.filter(organization=org).values_list("lead__external_id", "score"))
    assert fits == {"L1": 100, "L2": 0}


def test_fits_changed_names_the_leads_whose_fit_changed(org, approve, acme, committing):
    approve()
    with committing():
        lead = lead_create(organization=org, by=None, stage="lead", name="A", company=acme)
    heard = []
    fits_changed.connect(
        lambda sender, **kw: heard.append(kw), dispatch_uid="test-fits", weak=False
    )
    try:
        with committing():
            lead_update(lead=lead, by=None, title="Head")
        with committing():
            lead_update(lead=lead, by=None, name="Ann")  # the fit stays
    finally:
        fits_changed.disconnect(dispatch_uid="test-fits")

    assert heard == [{"organization_id": org.pk, "lead_ids": [lead.pk], "signal": fits_changed}]


def test_a_busy_organisation_keeps_its_marks_for_the_holder(org, approve, acme):
    approve()
    lead = Lead.objects.create(organization=org, name="A", company=acme, stage="lead")
    mark_leads(org.pk, [lead.pk])

    with turn_held_elsewhere(org.pk, TURN):
        assert fits_refresh_in_turn(organization_id=org.pk) is None

    assert has_changed_leads(org.pk)
    assert fits_refresh_in_turn(organization_id=org.pk).changed == 1
    assert fit_of(lead) == (50, True)


def test_a_burst_of_changes_schedules_one_refresh(org, monkeypatch):
    sent = []
    from personas.tasks import fits_refresh_task

    monkeypatch.setattr(fits_refresh_task, "apply_async", lambda **kw: sent.append(kw))
    conf = fits_refresh_task.app.conf
    conf.task_always_eager = False
    try:
        results = [fits_schedule(organization_id=org.pk) for _ in range(5)]
    finally:
        conf.task_always_eager = True

    assert results == [True, False, False, False, False]
    assert [s["args"] for s in sent] == [(org.pk,)]
