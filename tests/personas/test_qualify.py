"""The organisation setting "a new lead that fits an approved persona becomes an MQL": off by
default, applied to leads that enter the funnel after it is switched on, recorded in the
stage history with the persona; and its API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.models import Company, Lead, LeadStageChange
from crm.services.leads import lead_create, lead_update
from orgs.models import Role
from personas.models import PersonaSettings
from personas.services import persona_settings_update
from tests.conftest import token_client
from tests.personas.test_api import assert_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/personas/settings/"


@pytest.fixture
def acme(org):
    return Company.objects.create(organization=org, name="Acme", industry="Software")


def new_lead(org, committing, **fields):
    with committing():
        return lead_create(organization=org, by=None, stage="lead", **fields)


def test_off_by_default_a_fitting_lead_stays_where_it_entered(org, approve, acme, committing):
    approve()

    lead = new_lead(org, committing, name="Ann", company=acme, title="Head of IT")

    lead.refresh_from_db()
    assert lead.stage == "lead"
    assert not PersonaSettings.objects.filter(organization=org).exists()


def test_on_a_new_fitting_lead_becomes_an_mql_naming_the_persona(org, approve, acme, committing):
    approve()
    persona_settings_update(organization=org, by=None, qualify_new_leads=True)

    fitting = new_lead(org, committing, name="Ann", company=acme, title="Head of IT")
    missing = new_lead(org, committing, name="Bo", title="Intern")

    fitting.refresh_from_db()
    missing.refresh_from_db()
    assert (fitting.stage, missing.stage) == ("mql", "lead")
    move = LeadStageChange.objects.get(lead=fitting, to_stage="mql")
    assert (move.from_stage, move.source, move.by) == ("lead", "persona", None)
    assert move.detail == "Software heads v1 · 100/100"
    assert move.get_source_display() == "Fits a buyer persona"


def test_leads_from_before_it_was_switched_on_are_left_alone(org, approve, acme, committing):
    old = new_lead(org, committing, name="Old", company=acme, title="Head")
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1))
    persona_settings_update(organization=org, by=None, qualify_new_leads=True)

    approve()  # every lead is measured: the old one fits

    old.refresh_from_db()
    assert old.stage == "lead"


def test_a_lead_past_the_hand_off_is_not_moved_back(org, approve, acme, committing):
    approve()
    persona_settings_update(organization=org, by=None, qualify_new_leads=True)

    lead = new_lead(org, committing, name="Sal", company=acme, title="Head")
    Lead.objects.filter(pk=lead.pk).update(stage="sql")  # sales took it further

    with committing():
        lead_update(lead=Lead.objects.get(pk=lead.pk), by=None, title="Head of sales")

    lead.refresh_from_db()
    assert lead.stage == "sql"
    assert LeadStageChange.objects.filter(lead=lead, source="persona").count() == 1


def test_switching_off_stops_it(org, approve, acme, committing):
    approve()
    persona_settings_update(organization=org, by=None, qualify_new_leads=True)
    persona_settings_update(organization=org, by=None, qualify_new_leads=False)

    lead = new_lead(org, committing, name="Ann", company=acme, title="Head")

    lead.refresh_from_db()
    assert lead.stage == "lead"
    assert PersonaSettings.objects.get(organization=org).qualifying_since is None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MARKETING_MANAGER, Role.SALES_MANAGER])
def test_editors_switch_it_through_the_api(org, api_as, role):
    client = api_as(role)

    assert client.get(URL).json()["qualify_new_leads"] is False
    answer = client.patch(URL, {"qualify_new_leads": True}, format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json()["qualify_new_leads"] is True
    assert answer.json()["qualifying_since"]
    assert PersonaSettings.objects.get(organization=org).qualify_new_leads


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.LEADERSHIP])
def test_readers_read_it_and_may_not_change_it(org, api_as, role):
    client = api_as(role)

    assert client.get(URL).status_code == 200
    assert_error(client.put(URL, {"qualify_new_leads": True}, format="json"), 403)
    assert not PersonaSettings.objects.filter(organization=org).exists()


@pytest.mark.parametrize(
    "body", [{}, {"qualify_new_leads": "perhaps"}, {"qualify_new_leads": None}]
)
def test_a_bad_body_is_a_400_naming_the_field_and_changes_nothing(org, api_as, body):
    response = api_as().put(URL, body, format="json")

    assert "qualify_new_leads" in assert_error(response, 400)["fields"]
    assert not PersonaSettings.objects.filter(organization=org).exists()


def test_each_organisation_has_its_own_setting(org, other_org, api_as, member):
    api_as().patch(URL, {"qualify_new_leads": True}, format="json")

    other = token_client(member(Role.ADMIN, organization=other_org)).get(URL).json()

    assert other["qualify_new_leads"] is False
