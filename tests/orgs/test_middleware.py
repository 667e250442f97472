"""A NUL byte in a query string, a page's form or a JSON body is a 400 (naming the parameter
where there is one), on every page and endpoint, and nothing is stored."""

import pytest

from crm.models import Campaign, Lead
from crm.services.leads import lead_create
from orgs.middleware import SESSION_KEY
from orgs.models import Role
from tests.conftest import signed_in_client, token_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/leads/?q=a%00b", "q"),
        ("/api/v1/deals/?channel=%00", "channel"),
        ("/api/v1/kpis/?channel=%00&group_by=month", "channel"),
        ("/api/v1/me/?x%00y=1", "x%00y"),
    ],
)
def test_the_api_answers_400_in_the_error_shape_naming_the_parameter(path, name, org, member):
    lead_create(organization=org, by=None, name="Kept", stage="mql")

    response = token_client(member(Role.ADMIN)).get(path)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert list(error["fields"]) == [name]
    assert "NUL byte" in error["fields"][name][0]
    assert Lead.objects.filter(name="Kept").exists()


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/crm/leads/?q=a%00b", "q"),
        ("/crm/leads/?export=csv&stage=%00", "stage"),
        ("/crm/deals/?sort=%00", "sort"),
        ("/dashboards/sales/?channel=%00", "channel"),
        ("/dashboards/marketing/?export=xlsx&start=2026%00", "start"),
    ],
)
def test_pages_and_exports_answer_a_400_page_naming_the_parameter(path, name, member):
    page = signed_in_client(member(Role.ADMIN)).get(path)

    text = page.content.decode()
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert f"{name} holds a NUL byte" in text
    assert "<nav" in text  # the usual page, with its navigation


def test_a_value_without_nul_passes(org, member):
    lead_create(organization=org, by=None, name="Ann", stage="mql")

    page = signed_in_client(member(Role.ADMIN)).get("/crm/leads/?q=ann")

    assert page.status_code == 200
    assert "Ann" in page.content.decode()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "post",
            "/api/v1/campaigns/",
            {"name": "x", "start_date": "2026-01-01", "channel": "a\x00b"},
        ),
        ("patch", "/api/v1/leads/{lead}/", {"custom": {"a": "\x00"}}),
        ("patch", "/api/v1/leads/{lead}/", {"custom": {"a\x00": "b"}}),  # a key too
    ],
)
def test_a_json_body_holding_nul_is_a_400_and_stores_nothing(org, member, method, path, body):
    lead = lead_create(organization=org, by=None, name="Kept", stage="mql")
    api = token_client(member(Role.ADMIN))

    response = getattr(api, method)(path.format(lead=lead.pk), body, format="json")

    assert response.status_code == 400
    assert "NUL character" in str(response.json()["error"]["fields"])
    assert not Campaign.objects.exists()
    assert Lead.objects.get(pk=lead.pk).custom is None  # as it was


def test_a_pages_form_holding_nul_is_a_400_page_and_changes_nothing(member):
    client = signed_in_client(member(Role.ADMIN))
    before = client.session.get(SESSION_KEY)

    page = client.post("/organizations/switch/", {"organization": "demo\x00", "next": "/"})

    assert page.status_code == 400
    assert "organization holds a NUL byte" in page.content.decode()
    assert client.session.get(SESSION_KEY) == before
