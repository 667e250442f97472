"""A lead's fit where people and programs read leads: the API (`fit`, `?persona=&fit_min=`),
the lead list (a column and filters) and the lead's page (score, verdict, reasons)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Company, Lead
from orgs.models import Role
from personas.models import LeadFit
from tests.conftest import token_client
from tests.personas.test_api import assert_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/leads/"


@pytest.fixture
def leads(org, approve):
    """Three leads (100, 50 and 0 of 100) measured against an approved persona."""
    software = Company.objects.create(organization=org, name="Acme", industry="Software")
    rows = Lead.objects.bulk_create(
        [
            Lead(organization=org, name="Ann", title="Head of IT", company=software, stage="lead"),
            Lead(organization=org, name="Bo", title="Intern", company=software, stage="lead"),
            Lead(organization=org, name="Cy", title="Intern", stage="lead"),
        ]
    )
    persona = approve()
    return persona, rows


def test_the_api_gives_each_lead_its_fit(org, leads, api_as):
    persona, _rows = leads

    body = api_as(Role.SALES_REP).get(URL).json()

    fits = {row["name"]: row["fit"] for row in body["results"]}
    assert fits["Ann"] == {
        "persona": persona.pk,
        "persona_name": "Software heads",
        "version": 1,
        "score": 100,
        "threshold": 50,
        "fits": True,
        "criteria": [
            {"kind": "industry_in", "weight": 1, "met": True},
            {"kind": "title_words", "weight": 1, "met": True},
        ],
    }
    assert (fits["Bo"]["score"], fits["Bo"]["fits"]) == (50, True)
    assert (fits["Cy"]["score"], fits["Cy"]["fits"]) == (0, False)


def test_a_lead_not_measured_has_no_fit(org, api_as):
    lead = Lead.objects.create(organization=org, name="Dee", stage="lead")

    body = api_as().get(f"{URL}{lead.pk}/").json()

    assert body["fit"] is None


def test_one_lead_read_or_written_carries_its_fit(org, leads, api_as):
    _persona, (ann, *_rest) = leads
    client = api_as()

    assert client.get(f"{URL}{ann.pk}/").json()["fit"]["score"] == 100
    assert (
        client.patch(f"{URL}{ann.pk}/", {"phone": "123"}, format="json").json()["fit"]["score"]
        == 100
    )


def test_the_list_filters_by_persona_and_least_score(org, leads, api_as):
    persona, _rows = leads
    client = api_as()

    def names(query):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return sorted(row["name"] for row in response.json()["results"])

    assert names(f"persona={persona.pk}") == ["Ann", "Bo", "Cy"]
    assert names(f"persona={persona.pk}&fit_min=60") == ["Ann"]
    assert names("fit_min=50") == ["Ann", "Bo"]
    assert names("fit_min=0") == ["Ann", "Bo", "Cy"]
    assert names(f"persona={persona.pk}&fit_min=") == ["Ann", "Bo", "Cy"]  # blank: no filter


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("persona=abc", "persona"),
        ("persona=-1", "persona"),
        ("persona=99999999", "persona"),
        ("persona=" + "9" * 30, "persona"),
        ("persona=²", "persona"),
        ("fit_min=²", "fit_min"),
        ("fit_min=101", "fit_min"),
        ("fit_min=-5", "fit_min"),
        ("fit_min=6.5", "fit_min"),
        ("fit_min=" + "9" * 40, "fit_min"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(org, leads, api_as, query, field):
    response = api_as().get(f"{URL}?{query}")

    assert field in assert_error(response, 400)["fields"]


def test_another_organisations_persona_is_not_a_filter(org, other_org, leads, member, api_as):
    persona, _rows = leads
    client = token_client(member(Role.ADMIN, organization=other_org))

    response = client.get(f"{URL}?persona={persona.pk}")

    assert "persona" in assert_error(response, 400)["fields"]


def test_the_list_reads_fits_in_a_fixed_number_of_queries(org, approve, api_as):
    client = api_as()
    software = Company.objects.create(organization=org, name="Acme", industry="Software")
    Lead.objects.bulk_create(
        Lead(organization=org, name=f"L{i}", company=software, stage="lead") for i in range(3)
    )
    approve()
    client.get(URL)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    Lead.objects.bulk_create(
        Lead(organization=org, name=f"M{i}", company=software, stage="lead") for i in range(20)
    )
    approve(name="Second")  # measures the new leads too
    assert LeadFit.objects.filter(organization=org).count() == 23

    with CaptureQueriesContext(connection) as many:
        body = client.get(URL).json()

    assert len(body["results"]) == 23
    assert len(many) == len(few)


def test_the_lead_list_shows_the_fit_and_filters_by_it(org, leads, client_as):
    persona, _rows = leads
    client = client_as(Role.MARKETING_MANAGER)

    page = client.get(f"/crm/leads/?persona={persona.pk}&fit_min=60").content.decode()

    assert "Persona fit" in page
    assert "✓ 100 / 100 · Software heads" in page
    assert "Bo" not in page.split("<tbody>")[1]
    assert 'name="fit_min"' in page
    assert "Fit score at least 60" in page


def test_a_bad_filter_on_the_list_page_says_why_and_shows_nothing(org, leads, client_as):
    response = client_as().get("/crm/leads/?fit_min=seventy")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Give the least fit score as a whole number from 0 to 100." in page
    assert "<tbody>" not in page


def test_the_lead_page_shows_score_verdict_and_reasons(org, leads, client_as):
    _persona, (_ann, bo, _cy) = leads
    client = client_as(Role.LEADERSHIP)

    page = client.get(f"/crm/leads/{bo.pk}/").content.decode()

    assert 'data-testid="lead-fit"' in page
    assert "50 / 100" in page
    assert "Fits: a qualified lead" in page
    assert "Industry «Software» is one of Software." in page
    assert "Job title «Intern» contains none of head." in page


def test_the_lead_page_says_when_no_persona_is_approved(org, client_as):
    lead = Lead.objects.create(organization=org, name="Dee", stage="lead")

    page = client_as().get(f"/crm/leads/{lead.pk}/").content.decode()

    assert "No buyer persona is approved yet" in page


def test_the_schema_documents_the_fit_and_its_filters(client_as):
    schema = client_as().get("/api/schema/?format=json").json()

    fit = schema["components"]["schemas"]["Lead"]["properties"]["fit"]
    assert fit["readOnly"] is True
    assert set(fit["properties"]) >= {"persona", "score", "fits", "criteria"}
    parameters = {p["name"] for p in schema["paths"]["/api/v1/leads/"]["get"]["parameters"]}
    assert {"persona", "fit_min"} <= parameters


def test_custom_fields_given_through_the_api_are_what_a_criterion_reads(
    org, approve, api_as, committing
):
    persona = approve(
        criteria=[
            {"kind": "custom_field", "weight": 1, "params": {"field": "tier", "values": ["gold"]}}
        ]
    )
    client = api_as()
    company = client.post(
        "/api/v1/companies/", {"name": "Acme", "custom": {"Tier": "gold"}}, format="json"
    ).json()
    with committing():
        lead = client.post(URL, {"name": "Ann", "company": company["id"]}, format="json").json()
    assert LeadFit.objects.get(lead_id=lead["id"]).score == 100  # the company's tier

    with committing():
        answer = client.patch(f"{URL}{lead['id']}/", {"custom": {"TIER": "silver"}}, format="json")

    assert answer.json()["custom"] == {"tier": "silver"}  # names in lower case
    fit = LeadFit.objects.get(lead_id=lead["id"])
    assert (fit.persona_id, fit.score) == (persona.pk, 0)  # the lead's own tier wins


@pytest.mark.parametrize(
    "custom",
    [
        [],
        "gold",
        {"bad name!": "x"},
        {"tier": "x" * 101},
        {"tier": {"nested": 1}},
        {"tier": list(range(21))},
        {"Tier": "a", "tier": "b"},
        {f"f{i}": i for i in range(51)},
    ],
)
def test_bad_custom_fields_are_a_400_naming_them_and_change_nothing(org, api_as, custom):
    lead = Lead.objects.create(organization=org, name="Ann", stage="lead", custom={"tier": "gold"})

    response = api_as().patch(f"{URL}{lead.pk}/", {"custom": custom}, format="json")

    assert "custom" in assert_error(response, 400)["fields"]
    lead.refresh_from_db()
    assert lead.custom == {"tier": "gold"}
