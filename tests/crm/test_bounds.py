"""Every date a CRM record takes lies from 1990 to 2100, and a campaign runs at most five
years: through the API, the pages and the services, the last good value is kept and the
first bad one refused, naming the field and the bound, with nothing stored or marked."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from crm.models import Activity, Campaign, ChangedCell, Deal, Lead, LeadStageChange
from crm.services.leads import lead_create
from crm.services.records import record_create
from orgs.models import Role
from tests.conftest import signed_in_client, token_client

pytestmark = pytest.mark.django_db
DATES = "from 1990-01-01 to 2100-12-31"
PERIOD = "at most 60 months (5 years)"


def refused(response, field: str, bound: str) -> None:
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert bound in " ".join(error["fields"][field])


@pytest.mark.parametrize(
    ("start", "end", "field", "bound"),
    [
        ("1989-12-31", None, "start_date", DATES),
        ("2097-01-01", "2101-01-01", "end_date", DATES),
        ("2026-01-01", "2031-01-01", "end_date", PERIOD),
        ("0001-01-01", "9999-12-31", "start_date", DATES),  # the 119,988 cells
    ],
)
def test_a_campaign_past_a_bound_is_refused_and_marks_nothing(start, end, field, bound, member):
    api = token_client(member(Role.MARKETING_MANAGER))
    body = {"name": "x", "start_date": start, "end_date": end, "channel": "social", "budget": "1"}

    response = api.post("/api/v1/campaigns/", body, format="json")

    refused(response, field, bound)
    assert not Campaign.objects.exists()
    assert not ChangedCell.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [("1990-01-01", "1994-12-31", 60), ("2096-01-01", "2100-12-31", 60), ("2026-01-15", None, 1)],
)
def test_a_campaign_at_the_bounds_is_kept(start, end, months, member):
    api = token_client(member(Role.MARKETING_MANAGER))
    body = {"name": "x", "start_date": start, "end_date": end, "channel": "social"}

    response = api.post("/api/v1/campaigns/", body, format="json")

    assert response.status_code == 201, response.json()
    assert ChangedCell.objects.count() == months  # its cost's months, in its one channel


def test_a_campaign_cannot_be_stretched_past_five_years(org, member):
    campaign = record_create(
        Campaign, organization=org, name="x", start_date=datetime(2026, 1, 1).date()
    )
    api = token_client(member(Role.MARKETING_MANAGER))

    response = api.patch(
        f"/api/v1/campaigns/{campaign.pk}/", {"end_date": "2031-01-01"}, format="json"
    )

    refused(response, "end_date", PERIOD)
    campaign.refresh_from_db()
    assert campaign.end_date is None


def test_the_campaign_page_refuses_dates_past_the_bounds(org, member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    response = client.post(
        reverse("crm-new", args=["campaigns"]),
        {"name": "x", "start_date": "0001-01-01", "end_date": "9999-12-31", "status": "planned"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert DATES in " ".join(errors["start_date"])
    assert DATES in " ".join(errors["end_date"])
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("created_at", "kept"),
    [
        ("1989-12-31T23:59:59Z", False),
        ("1990-01-01T00:00:00Z", True),
        ("2100-12-31T23:59:59Z", True),
        ("2101-01-01T00:00:00Z", False),
    ],
)
def test_a_lead_enters_the_funnel_within_the_bounds(created_at, kept, member):
    api = token_client(member(Role.SALES_REP))

    response = api.post("/api/v1/leads/", {"name": "Ann", "created_at": created_at}, format="json")

    if kept:
        assert response.status_code == 201
        assert Lead.objects.get().created_at == datetime.fromisoformat(created_at)
    else:
        refused(response, "created_at", DATES)
        assert not Lead.objects.exists()
        assert not ChangedCell.objects.exists()


def test_the_lead_page_refuses_a_date_past_the_bounds(member):
    client = signed_in_client(member(Role.SALES_REP))

    response = client.post(
        reverse("crm-new", args=["leads"]),
        {"name": "Ann", "stage": "lead", "created_at": "2101-01-01T00:00"},
    )

    assert DATES in " ".join(response.context["form"].errors["created_at"])
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "kept"),
    [
        ("closed_at", "1990-01-01T00:00:00Z", True),  # a win to come is refused: below
        ("closed_at", "2101-01-01T00:00:00Z", False),
        ("created_at", "1990-01-01T00:00:00Z", True),
        ("created_at", "1989-12-31T23:59:59Z", False),
    ],
)
def test_a_deal_is_dated_within_the_bounds(field, value, kept, member):
    api = token_client(member(Role.SALES_REP))
    body = {"name": "Big", "amount": "100", "status": "won", "closed_at": "2026-01-10T00:00:00Z"}

    response = api.post("/api/v1/deals/", {**body, field: value}, format="json")

    if kept:
        assert response.status_code == 201, response.json()
    else:
        refused(response, field, DATES)
        assert not Deal.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closed_at": "2099-01-01T00:00:00Z"}, "won or lost by today, not on 2099-01-01"),
        (
            {"created_at": "2026-02-01T00:00:00Z", "closed_at": "2026-01-10T00:00:00Z"},
            "closes after it was created (2026-02-01)",
        ),
    ],
)
def test_a_deal_closes_by_today_and_after_it_was_created(org, member, changes, message):
    api = token_client(member(Role.SALES_REP))
    body = {"name": "Big", "amount": "100", "status": "won", **changes}
    open_deal = api.post("/api/v1/deals/", {"name": "Open", "amount": "5"}, format="json").json()

    created = api.post("/api/v1/deals/", body, format="json")
    won = api.patch(f"/api/v1/deals/{open_deal['id']}/", body, format="json")

    for answer in (created, won):
        assert answer.status_code == 400, answer.json()
        assert message in str(answer.json()["error"]["fields"]["closed_at"])
    assert list(Deal.objects.values_list("name", "status")) == [("Open", "open")]


@pytest.mark.parametrize(
    ("at", "kept"), [("1990-01-01T00:00:00Z", True), ("1989-12-31T23:59:59Z", False)]
)
def test_an_activity_happens_within_the_bounds(at, kept, org, member):
    lead = lead_create(
        organization=org, by=None, stage="mql", created_at=datetime(1990, 1, 1, tzinfo=UTC)
    )
    api = token_client(member(Role.SALES_REP))

    response = api.post(
        "/api/v1/activities/", {"lead": lead.pk, "kind": "call", "at": at}, format="json"
    )

    if kept:
        assert response.status_code == 201
    else:
        refused(response, "at", DATES)
        assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("at", "kept"), [("2100-12-31T23:59:59Z", True), ("2101-01-01T00:00:00Z", False)]
)
def test_a_stage_move_happens_within_the_bounds(at, kept, org, member):
    lead = lead_create(organization=org, by=None, stage="mql", created_at=datetime.now(UTC))
    api = token_client(member(Role.SALES_REP))

    response = api.post(
        f"/api/v1/leads/{lead.pk}/stage/", {"stage": "sql", "at": at}, format="json"
    )

    if kept:
        assert response.status_code == 200
        assert LeadStageChange.objects.filter(lead=lead).count() == 2
    else:
        refused(response, "at", DATES)
        assert LeadStageChange.objects.filter(lead=lead).count() == 1
        assert Lead.objects.get().stage == "mql"


def test_the_stage_move_service_refuses_a_date_past_the_bounds_from_any_path(org):
    from django.core.exceptions import ValidationError

    from crm.services.leads import lead_change_stage

    lead = lead_create(organization=org, by=None, stage="mql")

    with pytest.raises(ValidationError) as error:
        lead_change_stage(lead=lead, to_stage="sql", by=None, at=datetime(9999, 1, 1, tzinfo=UTC))

    assert DATES in " ".join(error.value.message_dict["at"])
    assert LeadStageChange.objects.filter(lead=lead).count() == 1


def test_the_stage_move_page_refuses_a_date_past_the_bounds(org, member):
    lead = lead_create(organization=org, by=None, stage="mql")
    client = signed_in_client(member(Role.SALES_REP))

    client.post(
        reverse("crm-lead-move", args=[lead.pk]), {"stage": "sql", "at": "2101-01-01T00:00"}
    )

    assert LeadStageChange.objects.filter(lead=lead).count() == 1
    assert Lead.objects.get().stage == "mql"


def test_bulk_upserts_and_imports_reject_the_rows_past_the_bounds_and_keep_the_rest(member):
    api = token_client(member(Role.ADMIN))
    campaigns = [
        {"external_id": "a", "name": "a", "start_date": "1990-01-01", "end_date": "1994-12-31"},
        {"external_id": "b", "name": "b", "start_date": "1989-12-31"},
        {"external_id": "c", "name": "c", "start_date": "2097-01-01", "end_date": "2101-01-01"},
        {"external_id": "d", "name": "d", "start_date": "2026-01-01", "end_date": "2031-01-01"},
    ]
    leads = [
        {"external_id": "a", "name": "a", "created_at": "2100-12-31T23:59:59Z"},
        {"external_id": "b", "name": "b", "created_at": "2101-01-01T00:00:00Z"},
    ]

    campaigns_done = api.post("/api/v1/campaigns/bulk/", campaigns, format="json").json()
    leads_done = api.post("/api/v1/leads/bulk/", leads, format="json").json()

    assert (campaigns_done["created"], campaigns_done["rejected"]) == (1, 3)
    assert [(e["index"], e["field"], e["reason"]) for e in campaigns_done["errors"]] == [
        (1, "start_date", f"not a date {DATES}"),
        (2, "end_date", f"not a date {DATES}"),
        (3, "end_date", f"a period lasts {PERIOD}"),
    ]
    assert list(Campaign.objects.values_list("external_id", flat=True)) == ["a"]
    assert (leads_done["created"], leads_done["rejected"]) == (1, 1)
    assert leads_done["errors"][0]["field"] == "created_at"
    assert list(Lead.objects.values_list("external_id", flat=True)) == ["a"]
