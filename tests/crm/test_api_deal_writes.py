"""Deal writes through the API: what a win does, in how many queries, and the refusals the
database's constraints give."""

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection, connections

from crm.models import Channel, Company, Deal, Lead, LeadStageChange
from crm.services.deals import deal_create
from crm.services.leads import lead_create
from crm.services.records import record_create
from orgs.models import Role
from tests.conftest import token_client

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 1, 10, tzinfo=UTC)
WON = {"status": "won", "closed_at": "2026-02-03T10:00:00Z"}


@pytest.fixture
def opportunity(org):
    """An open deal at a pipeline stage, of a lead in a channel with a company and an owner."""
    company = record_create(Company, organization=org, name="Acme")
    lead = lead_create(
        organization=org,
        by=None,
        name="Ann",
        stage="opportunity",
        created_at=T0,
        channel=Channel.objects.get(organization=org, code="social"),
        company=company,
    )
    return deal_create(
        organization=org,
        by=None,
        name="Big one",
        lead=lead,
        company=company,
        pipeline_stage="proposal",
        created_at=T0,
    )


def test_a_deal_won_through_the_api_costs_at_most_12_queries(
    opportunity, member, django_assert_max_num_queries
):
    rep = member(Role.SALES_REP)
    api = token_client(rep)
    api.get("/api/v1/deals/")  # the token's last use recorded, as on every later call

    # In the update's transaction (a savepoint here): the deal found locked with its lead
    # (404 if not ours), read once; in the service's savepoint: its company's earlier wins
    # (its kind); its update; the customer stage looked up, the lead locked, moved and its
    # move recorded (one statement); the cells the deal left and entered and the lead's
    # marked (one statement). 9 with the two savepoints' four; the token is read as a
    # prepared statement, not counted.
    with django_assert_max_num_queries(12):
        won = api.patch(f"/api/v1/deals/{opportunity.pk}/", WON, format="json")

    assert won.status_code == 200, won.json()
    assert (won.json()["status"], won.json()["closed_at"]) == ("won", WON["closed_at"])
    lead = Lead.objects.get(pk=opportunity.lead_id)
    assert lead.stage == "customer"
    assert lead.stage_changed_at == datetime(2026, 2, 3, 10, tzinfo=UTC)
    move = LeadStageChange.objects.filter(lead=lead).order_by("pk").last()
    assert move is not None
    assert (move.from_stage, move.to_stage, move.source, move.by_id) == (
        "opportunity",
        "customer",
        "deal_won",
        rep.user.pk,
    )


def test_a_deal_created_through_the_api_costs_at_most_8_queries(
    opportunity, member, django_assert_max_num_queries
):
    api = token_client(member(Role.SALES_REP))
    api.get("/api/v1/deals/")
    body = {
        "name": "Second",
        "lead": opportunity.lead_id,
        "company": opportunity.company_id,
        "pipeline_stage": "discovery",
        "amount": "900",
    }

    # Its lead and company read (ours, or 400); in a savepoint: the pipeline stage checked,
    # the company's earlier wins, the insert, the cells it enters marked: 8.
    with django_assert_max_num_queries(8):
        created = api.post("/api/v1/deals/", body, format="json")

    assert created.status_code == 201, created.json()
    assert Deal.objects.get(pk=created.json()["id"]).pipeline_stage == "discovery"


def test_a_win_leaves_a_lead_that_is_a_customer_already_where_it_is(opportunity, member):
    Lead.objects.filter(pk=opportunity.lead_id).update(stage="customer")
    changes = LeadStageChange.objects.filter(lead_id=opportunity.lead_id).count()
    api = token_client(member(Role.SALES_REP))

    won = api.patch(f"/api/v1/deals/{opportunity.pk}/", WON, format="json")

    assert won.status_code == 200
    assert LeadStageChange.objects.filter(lead_id=opportunity.lead_id).count() == changes


def test_the_databases_constraints_refuse_in_the_one_error_shape(org, opportunity, member):
    deal_create(organization=org, by=None, name="Taken", external_id="d-1")
    api = token_client(member(Role.SALES_REP))

    duplicate = api.post("/api/v1/deals/", {"name": "B", "external_id": "d-1"}, format="json")
    no_close_date = api.patch(f"/api/v1/deals/{opportunity.pk}/", {"status": "lost"}, format="json")

    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["fields"] == {
        "non_field_errors": ["A record with this external id already exists."]
    }
    assert no_close_date.status_code == 400
    assert no_close_date.json()["error"]["fields"] == {
        "non_field_errors": ["A won or lost deal needs its close date."]
    }
    assert Deal.objects.filter(external_id="d-1").count() == 1
    assert Deal.objects.get(pk=opportunity.pk).status == "open"


def test_an_unknown_pipeline_stage_is_refused_when_set(opportunity, member):
    api = token_client(member(Role.SALES_REP))

    moved = api.patch(
        f"/api/v1/deals/{opportunity.pk}/", {"pipeline_stage": "heaven"}, format="json"
    )

    assert moved.status_code == 400
    assert "Unknown pipeline stage heaven" in str(moved.json()["error"]["fields"])


@pytest.mark.parametrize("currency", ["NaN", "-1", "XXY", "٣", "E"])
def test_a_currency_that_is_not_iso_4217_is_refused_and_the_deal_keeps_its_own(
    org, opportunity, member, currency
):
    """A won deal in "NaN" was summed into the won revenue."""
    api = token_client(member(Role.SALES_REP))

    created = api.post("/api/v1/deals/", {"name": "x", "currency": currency}, format="json")
    changed = api.patch(
        f"/api/v1/deals/{opportunity.pk}/", {"currency": currency} | WON, format="json"
    )

    for answer in (created, changed):
        assert answer.status_code == 400, answer.json()
        assert "not an ISO 4217 currency code" in str(answer.json()["error"]["fields"]["currency"])
    assert Deal.objects.count() == 1
    opportunity.refresh_from_db()
    assert (opportunity.currency, opportunity.status) == (org.currency, "open")


def test_a_currency_in_small_letters_is_stored_in_capitals(opportunity, member):
    api = token_client(member(Role.SALES_REP))

    changed = api.patch(f"/api/v1/deals/{opportunity.pk}/", {"currency": "usd"}, format="json")

    assert changed.status_code == 200, changed.json()
    assert changed.json()["currency"] == "USD"


@pytest.mark.django_db(transaction=True)
def test_a_win_waits_for_a_writer_holding_the_deal_and_answers_with_its_change(opportunity, member):
    """The deal is found locked, in the win's own transaction, and not read again: a win
    sent while another transaction holds the deal waits for it and builds on what it wrote."""
    api = token_client(member(Role.SALES_REP))
    other = connections.create_connection("default")
    other.set_autocommit(False)
    with other.cursor() as cursor:
        cursor.execute("UPDATE crm_deal SET amount = 777 WHERE id = %s", [opportunity.pk])
    answers = []

    def win() -> None:
        try:
            answers.append(api.patch(f"/api/v1/deals/{opportunity.pk}/", WON, format="json"))
        finally:
            connection.close()

    winning = threading.Thread(target=win)
    winning.start()
    winning.join(timeout=1)
    waited = winning.is_alive()
    other.commit()
    other.close()
    winning.join()

    assert waited
    assert answers[0].status_code == 200, answers[0].json()
    assert (answers[0].json()["status"], Decimal(answers[0].json()["amount"])) == ("won", 777)
    deal = Deal.objects.get(pk=opportunity.pk)
    assert (deal.status, deal.amount, deal.lead.stage) == ("won", 777, "customer")


@pytest.mark.parametrize("email", ["-1", "<script>alert(1)</script>", "2027-02-30", "a@b"])
def test_a_lead_whose_e_mail_is_not_an_address_is_refused_and_nothing_changes(org, member, email):
    api = token_client(member(Role.MARKETING_MANAGER))
    lead = lead_create(organization=org, by=None, name="Ann", email="ann@example.test", stage="mql")

    created = api.post("/api/v1/leads/", {"name": "Bob", "email": email}, format="json")
    changed = api.patch(f"/api/v1/leads/{lead.pk}/", {"email": email}, format="json")

    for answer in (created, changed):
        assert answer.status_code == 400, answer.json()
        assert "is not an e-mail address" in str(answer.json()["error"]["fields"]["email"])
    assert list(Lead.objects.values_list("email", flat=True)) == ["ann@example.test"]


def test_a_deal_stored_with_a_close_to_come_stays_editable_and_seconds_are_no_move(
    org, opportunity, member
):
    """Imports keep only the 1990 to 2100 bounds; a page's form drops the seconds."""
    Deal.objects.filter(pk=opportunity.pk).update(
        status="won", closed_at=datetime(2099, 1, 1, 10, 0, 30, tzinfo=UTC)
    )
    api = token_client(member(Role.SALES_REP))

    renamed = api.patch(f"/api/v1/deals/{opportunity.pk}/", {"name": "Renamed"}, format="json")
    same_minute = api.patch(
        f"/api/v1/deals/{opportunity.pk}/", {"closed_at": "2099-01-01T10:00:00Z"}, format="json"
    )
    moved = api.patch(
        f"/api/v1/deals/{opportunity.pk}/", {"closed_at": "2099-01-02T10:00:00Z"}, format="json"
    )

    assert renamed.status_code == 200, renamed.json()
    assert same_minute.status_code == 200, same_minute.json()
    assert moved.status_code == 400
    assert Deal.objects.get(pk=opportunity.pk).closed_at == datetime(2099, 1, 1, 10, tzinfo=UTC)


def test_a_lead_stored_with_a_bad_e_mail_stays_editable_until_its_e_mail_changes(org, member):
    lead = lead_create(organization=org, by=None, name="Ann", stage="mql")
    Lead.objects.filter(pk=lead.pk).update(email="-1")
    api = token_client(member(Role.MARKETING_MANAGER))

    renamed = api.patch(
        f"/api/v1/leads/{lead.pk}/", {"name": "Anna", "email": " -1 "}, format="json"
    )
    changed = api.patch(f"/api/v1/leads/{lead.pk}/", {"email": "-2"}, format="json")

    assert renamed.status_code == 200, renamed.json()
    assert changed.status_code == 400
    assert Lead.objects.values_list("name", "email").get(pk=lead.pk) == ("Anna", "-1")
