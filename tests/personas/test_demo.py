"""The demo's personas: one approved by both managers, its fit measured on every lead of the
history and counted in the persona facts; one awaiting sales."""

import pytest
from django.core.management import call_command

from crm.models import Lead
from kpis.models import PersonaFact
from orgs.models import Organization
from personas.models import LeadFit, Persona
from personas.selectors import personas_of

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_approved_persona_measured_on_every_lead(capsys):
    call_command("seed_demo")
    demo = Organization.objects.get(slug="demo")

    personas = {p.current_version.name: p for p in personas_of(demo)}
    approved = personas["Growing software and finance firms"]
    awaiting = personas["Healthcare enterprises"]
    assert approved.approved_version is not None
    assert awaiting.approved_version is None
    current = awaiting.current_version
    assert current is not None
    assert [a.side for a in current.approvals.all()] == ["marketing"]
    leads = Lead.objects.for_org(demo).count()
    fits = LeadFit.objects.filter(organization=demo)
    assert fits.count() == leads
    fitting = fits.filter(fits=True).count()
    assert 0 < fitting < leads  # some leads fit, not all: the demo shows the difference
    counted = PersonaFact.objects.filter(organization=demo, persona=approved)
    assert sum(counted.values_list("leads", flat=True)) == fitting


def test_seeding_twice_adds_no_persona(capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    demo = Organization.objects.get(slug="demo")
    assert Persona.objects.for_org(demo).count() == 2
