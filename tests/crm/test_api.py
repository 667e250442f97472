from datetime import UTC, datetime

import pytest

from crm.models import Activity, Campaign, Channel, Company, Deal, Lead, LeadStageChange
from crm.services.deals import deal_create
from crm.services.leads import lead_change_stage, lead_create
from crm.services.records import record_create
from orgs.models import Role
from orgs.permissions import RECORD_WRITES, Action, can, can_write
from tests.conftest import ALL_ROLES, token_client

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 1, 10, tzinfo=UTC)

NEW = {
    # endpoint: (model, body, action)
    "channels": (Channel, {"code": "Trade Fairs", "name": "Trade fairs"}, Action.EDIT_CAMPAIGNS),
    "campaigns": (
        Campaign,
        {"name": "Spring", "start_date": "2026-03-01", "channel": "social"},
        Action.EDIT_CAMPAIGNS,
    ),
    "companies": (Company, {"name": "Acme"}, Action.EDIT_LEADS),
    "leads": (
        Lead,
        {"name": "Ann", "email": "ann@example.test", "channel": "email"},
        Action.EDIT_LEADS,
    ),
    "deals": (Deal, {"name": "Big one", "amount": "1200.50"}, Action.EDIT_DEALS),
}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("endpoint", list(NEW))
def test_the_role_matrix_decides_who_writes(endpoint, role, member):
    model, body, needed = NEW[endpoint]
    api = token_client(member(role))
    before = model.objects.count()

    listed = api.get(f"/api/v1/{endpoint}/")
    created = api.post(f"/api/v1/{endpoint}/", body, format="json")

    assert listed.status_code == 200
    if can(role, needed):
        assert created.status_code == 201, created.json()
        assert model.objects.count() == before + 1
    else:
        assert created.status_code == 403
        assert model.objects.count() == before


def test_another_organisations_records_are_404_and_cannot_be_linked(org, other_org, member):
    theirs = lead_create(organization=other_org, by=None, name="Theirs", stage="lead")
    their_company = record_create(Company, organization=other_org, name="Their Co")
    api = token_client(member(Role.ADMIN))

    assert api.get(f"/api/v1/leads/{theirs.pk}/").status_code == 404
    assert (
        api.patch(f"/api/v1/leads/{theirs.pk}/", {"name": "Mine now"}, format="json").status_code
        == 404
    )
    assert api.delete(f"/api/v1/leads/{theirs.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/leads/{theirs.pk}/stage/", {"stage": "mql"}, format="json").status_code
        == 404
    )
    linked = api.post("/api/v1/leads/", {"name": "X", "company": their_company.pk}, format="json")
    assert linked.status_code == 400
    assert "company" in linked.json()["error"]["fields"]
    theirs.refresh_from_db()
    assert (theirs.name, theirs.stage) == ("Theirs", "lead")
    assert Lead.objects.for_org(org).count() == 0


def test_lead_filters(org, member):
    social = Channel.objects.for_org(org).get(code="social")
    lead_create(organization=org, by=None, name="A", stage="mql", channel=social, created_at=T0)
    lead_create(
        organization=org,
        by=None,
        name="B",
        stage="sql",
        created_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    api = token_client(member(Role.LEADERSHIP))

    def names(query):
        return sorted(row["name"] for row in api.get(f"/api/v1/leads/?{query}").json()["results"])

    assert names("channel=social") == ["A"]
    assert names("stage=sql") == ["B"]
    assert names("created_after=2026-01-11") == ["B"]
    assert names("created_before=2026-01-11") == ["A"]
    assert names("created_after=2026-01-10T00:00:00Z&created_before=2026-03-01") == ["A", "B"]
    assert names("q=a") == ["A"]


def test_a_bad_filter_value_is_a_400_naming_it(member):
    response = token_client(member(Role.LEADERSHIP)).get(
        "/api/v1/leads/?created_after=last-tuesday"
    )

    assert response.status_code == 400
    assert "created_after" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("endpoint", "query", "name"),
    [
        ("leads", "company=abc", "company"),
        ("leads", "campaign=1.5", "campaign"),
        ("leads", "owner=-1", "owner"),
        ("leads", "channel=not%20a%20code", "channel"),
        ("leads", "stage=a%00b", "stage"),
        ("leads", "q=a%00b", "q"),
        ("leads", "created_after=0001-01-01T00:00:00%2B05:00", "created_after"),
        ("leads", "created_before=2026-02-30", "created_before"),
        ("deals", "company=abc", "company"),
        ("deals", "lead=abc", "lead"),
        ("deals", "owner=x", "owner"),
        ("deals", "status=pending", "status"),
        ("deals", "kind=abc", "kind"),
        ("activities", "lead=abc", "lead"),
        ("activities", "deal=abc", "deal"),
        ("activities", "by=abc", "by"),
        ("activities", "kind=fax", "kind"),
        ("campaigns", "status=x", "status"),
        ("companies", "country=a%00b", "country"),
        ("channels", "q=a%00b", "q"),
    ],
)
def test_every_bad_filter_is_a_400_naming_it(endpoint, query, name, org, member):
    lead_create(organization=org, by=None, name="Kept", stage="mql", created_at=T0)
    api = token_client(member(Role.LEADERSHIP))

    response = api.get(f"/api/v1/{endpoint}/?{query}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert list(error["fields"]) == [name]
    assert Lead.objects.filter(name="Kept").exists()


def test_id_filters_find_the_records_of_that_id(org, member):
    company = record_create(Company, organization=org, name="Acme")
    lead = lead_create(organization=org, by=None, name="A", stage="mql", company=company)
    lead_create(organization=org, by=None, name="B", stage="mql")
    deal = deal_create(organization=org, by=None, name="D", lead=lead, company=company)
    record_create(Activity, organization=org, kind="call", at=T0, lead=lead, deal=deal)
    api = token_client(member(Role.LEADERSHIP))

    def count(path):
        return api.get(path).json()["count"]

    assert count(f"/api/v1/leads/?company={company.pk}") == 1
    assert count(f"/api/v1/deals/?company={company.pk}&lead={lead.pk}") == 1
    assert count(f"/api/v1/activities/?lead={lead.pk}&deal={deal.pk}") == 1
    assert count(f"/api/v1/leads/?company={company.pk + 1000}") == 0
    assert count("/api/v1/leads/?company=&q=") == 2  # empty parameters filter nothing


def test_a_detail_route_ignores_the_list_filters(org, member):
    lead = lead_create(organization=org, by=None, name="A", stage="mql")

    response = token_client(member(Role.LEADERSHIP)).get(
        f"/api/v1/leads/{lead.pk}/?company=abc&stage=sql"
    )

    assert response.status_code == 200
    assert response.json()["name"] == "A"


def test_deals_filter_by_status_and_channel(org, member):
    social = Channel.objects.for_org(org).get(code="social")
    lead = lead_create(
        organization=org, by=None, stage="opportunity", channel=social, created_at=T0
    )
    deal_create(organization=org, by=None, lead=lead, status="won", closed_at=T0, created_at=T0)
    deal_create(organization=org, by=None, name="open one")
    api = token_client(member(Role.SALES_REP))

    assert api.get("/api/v1/deals/?status=won").json()["count"] == 1
    assert api.get("/api/v1/deals/?status=open").json()["count"] == 1
    assert api.get("/api/v1/deals/?channel=social").json()["count"] == 1


def test_the_stage_endpoint_records_the_move(org, member):
    rep = member(Role.SALES_REP)
    lead = lead_create(organization=org, by=None, stage="mql", created_at=T0)
    api = token_client(rep)

    moved = api.post(
        f"/api/v1/leads/{lead.pk}/stage/",
        {"stage": "sql", "at": "2026-01-12T09:30:00Z"},
        format="json",
    )
    history = api.get(f"/api/v1/leads/{lead.pk}/stage-changes/").json()["results"]

    assert moved.status_code == 200
    assert moved.json()["stage"] == "sql"
    assert [(h["from_stage"], h["to_stage"], h["source"]) for h in history] == [
        ("", "mql", "manual"),
        ("mql", "sql", "api"),
    ]
    assert history[-1]["by"] == rep.user.pk
    assert history[-1]["at"] == "2026-01-12T09:30:00Z"


def test_the_stage_history_is_paginated_like_every_list(org, member):
    lead = lead_create(organization=org, by=None, stage="mql", created_at=T0)
    for stage in ("sql", "opportunity"):
        lead_change_stage(lead=lead, to_stage=stage, by=None)
    api = token_client(member(Role.LEADERSHIP))

    first = api.get(f"/api/v1/leads/{lead.pk}/stage-changes/?page_size=2").json()
    last = api.get(first["next"]).json()

    assert first["count"] == 3
    assert [c["to_stage"] for c in first["results"] + last["results"]] == [
        "mql",
        "sql",
        "opportunity",
    ]
    assert last["next"] is None


def test_a_bad_stage_move_is_refused_and_records_nothing(org, member):
    lead = lead_create(organization=org, by=None, stage="mql", created_at=T0)
    api = token_client(member(Role.SALES_REP))

    unknown = api.post(f"/api/v1/leads/{lead.pk}/stage/", {"stage": "heaven"}, format="json")
    too_early = api.post(
        f"/api/v1/leads/{lead.pk}/stage/",
        {"stage": "sql", "at": "2020-01-01T00:00:00Z"},
        format="json",
    )

    assert unknown.status_code == 400
    assert "Unknown stage heaven" in str(unknown.json()["error"]["fields"])
    assert too_early.status_code == 400
    assert LeadStageChange.objects.filter(lead=lead).count() == 1


def test_bad_lead_input_is_a_400_with_fields_and_creates_nothing(member):
    api = token_client(member(Role.MARKETING_MANAGER))

    response = api.post(
        "/api/v1/leads/",
        {"email": "nope", "channel": "carrier-pigeon", "created_at": "soon"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) >= {"channel", "created_at"}
    assert not Lead.objects.exists()


def test_a_lead_needs_a_name_an_email_or_an_external_id(org, member):
    api = token_client(member(Role.MARKETING_MANAGER))
    kept = lead_create(organization=org, by=None, name="Ann", stage="mql")

    empty = api.post("/api/v1/leads/", {}, format="json")
    blank = api.post("/api/v1/leads/", {"name": "  ", "email": ""}, format="json")
    emptied = api.patch(f"/api/v1/leads/{kept.pk}/", {"name": ""}, format="json")
    by_email = api.post("/api/v1/leads/", {"email": "bo@example.test"}, format="json")
    renamed = api.patch(f"/api/v1/leads/{kept.pk}/", {"phone": "1"}, format="json")

    for refused in (empty, blank, emptied):
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "invalid"
        assert "name" in refused.json()["error"]["fields"]
    assert by_email.status_code == 201
    assert renamed.status_code == 200
    assert sorted(Lead.objects.values_list("name", flat=True)) == ["", "Ann"]


def test_bulk_upsert_twice_creates_nothing_new(org, member):
    api = token_client(member(Role.MARKETING_MANAGER))
    batch = [
        {
            "external_id": "h-1",
            "name": "Ann",
            "email": "ann@example.test",
            "channel": "Webinar",
            "stage": "mql",
            "created_at": "2026-01-05T10:00:00Z",
        },
        {"external_id": "h-2", "name": "Bob", "stage": "lead", "created_at": "2026-01-06"},
    ]

    record_create(Channel, organization=org, code="webinar", name="Webinar")

    first = api.post("/api/v1/leads/bulk/", batch, format="json").json()
    second = api.post("/api/v1/leads/bulk/", batch, format="json").json()

    assert (first["created"], first["rejected"]) == (2, 0)
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 2)
    assert Lead.objects.for_org(org).get(external_id="h-1").channel.code == "webinar"
    assert LeadStageChange.objects.for_org(org).count() == 2


def test_bulk_upsert_reports_each_bad_record_and_keeps_the_good_ones(org, member):
    api = token_client(member(Role.SALES_REP))
    batch = [
        {"name": "no id"},
        {"external_id": "d-1", "status": "won"},
        {"external_id": "d-2", "amount": "12"},
    ]

    result = api.post("/api/v1/deals/bulk/", batch, format="json").json()

    assert result["created"] == 1
    assert [(e["index"], e["reason"]) for e in result["errors"]] == [
        (0, "external_id is required for a bulk upsert"),
        (1, "a won or lost deal needs its close date: map closed_at"),
    ]
    assert list(Deal.objects.for_org(org).values_list("external_id", flat=True)) == ["d-2"]


@pytest.mark.parametrize("empty", [None, "", " "])
def test_a_bulk_lead_without_its_stage_date_entered_its_stage_when_created(org, member, empty):
    api = token_client(member(Role.MARKETING_MANAGER))
    batch = [
        {"external_id": "x", "name": "n", "created_at": "2026-01-05", "stage_changed_at": empty}
    ]

    result = api.post("/api/v1/leads/bulk/", batch, format="json")

    assert result.status_code == 200, result.json()
    assert result.json()["created"] == 1
    lead = Lead.objects.for_org(org).get(external_id="x")
    assert lead.stage_changed_at == lead.created_at


@pytest.mark.parametrize(
    ("endpoint", "record", "reason"),
    [
        ("companies", {"name": "n", "employees": "２０２７"}, "not a whole number"),
        ("companies", {"name": "n", "annual_revenue": "٣"}, "not a number"),
        ("deals", {"amount": "２０２７"}, "not a number"),
    ],
)
def test_digits_other_than_ascii_are_a_bad_record_not_a_failed_batch(
    member, endpoint, record, reason
):
    api = token_client(member(Role.ADMIN))
    batch = [{"external_id": "bad", **record}, {"external_id": "good", "name": "n"}]

    result = api.post(f"/api/v1/{endpoint}/bulk/", batch, format="json")

    assert result.status_code == 200, result.json()
    assert result.json()["created"] == 1
    [error] = result.json()["errors"]
    assert error["index"] == 0
    assert reason in error["reason"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "non-empty JSON list"),
        ({"external_id": "x"}, "non-empty JSON list"),
        ([{"external_id": "x"}] * 1001, "At most 1000 records"),
        ([{"external_id": "x", "shoe_size": 44}], "Unknown fields: shoe_size"),
        (["x"], "must be a JSON object"),
    ],
)
def test_a_bad_bulk_request_is_refused_whole(body, message, member):
    response = token_client(member(Role.ADMIN)).post("/api/v1/companies/bulk/", body, format="json")

    assert response.status_code == 400
    assert message in str(response.json()["error"]["fields"])
    assert not Company.objects.exists()


def test_leadership_cannot_bulk_upsert(member):
    response = token_client(member(Role.LEADERSHIP)).post(
        "/api/v1/leads/bulk/", [{"external_id": "x"}], format="json"
    )

    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_activities_belong_to_a_lead_or_deal(org, member):
    lead = lead_create(organization=org, by=None, stage="mql", created_at=T0)
    api = token_client(member(Role.SALES_REP))

    ok = api.post(
        "/api/v1/activities/",
        {"lead": lead.pk, "kind": "call", "at": "2026-01-11T08:00:00Z"},
        format="json",
    )
    orphan = api.post("/api/v1/activities/", {"kind": "call"}, format="json")

    assert ok.status_code == 201
    assert orphan.status_code == 400
    assert "belongs to a lead or a deal" in str(orphan.json())
    assert Activity.objects.count() == 1


BULK = {
    # endpoint: (model, one record)
    "leads": (Lead, {"external_id": "l-1", "name": "Ann"}),
    "companies": (Company, {"external_id": "c-1", "name": "Acme"}),
    "campaigns": (Campaign, {"external_id": "p-1", "name": "Spring", "start_date": "2026-03-01"}),
    "deals": (Deal, {"external_id": "d-1", "amount": "99999", "status": "open"}),
    "activities": (
        Activity,
        {"external_id": "a-1", "deal": "d-0", "kind": "call", "at": "2026-01-05"},
    ),
}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("endpoint", list(BULK))
def test_a_bulk_upsert_needs_the_right_to_write_its_kind(endpoint, role, org, member):
    deal_create(organization=org, by=None, external_id="d-0", name="For the activity")
    model, record = BULK[endpoint]
    before = model.objects.count()

    response = token_client(member(role)).post(f"/api/v1/{endpoint}/bulk/", [record], format="json")

    if can_write(role, endpoint):
        assert response.status_code == 200, response.json()
        assert (response.json()["created"], response.json()["rejected"]) == (1, 0)
        assert model.objects.count() == before + 1
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert model.objects.count() == before


def test_each_endpoint_asks_for_the_right_the_matrix_gives_its_kind():
    from crm import api

    viewsets = {
        "channels": api.ChannelViewSet,
        "campaigns": api.CampaignViewSet,
        "companies": api.CompanyViewSet,
        "leads": api.LeadViewSet,
        "deals": api.DealViewSet,
        "activities": api.ActivityViewSet,
    }

    assert {kind: view.write_action for kind, view in viewsets.items()} == RECORD_WRITES


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if can_write(r, "leads")])
def test_an_unknown_channel_is_refused_alike_one_by_one_and_in_bulk(role, org, member):
    api = token_client(member(role))
    channels = Channel.objects.count()

    one = api.post("/api/v1/leads/", {"name": "Ann", "channel": "carrier-pigeon"}, format="json")
    bulk = api.post(
        "/api/v1/leads/bulk/",
        [{"external_id": "l-1", "name": "Ann", "channel": "carrier-pigeon"}],
        format="json",
    )

    assert one.status_code == 400
    assert "channel" in one.json()["error"]["fields"]
    assert bulk.status_code == 200
    assert bulk.json()["created"] == 0
    assert [(e["index"], e["field"], e["value"]) for e in bulk.json()["errors"]] == [
        (0, "channel", "carrier-pigeon")
    ]
    assert "no channel of this organisation" in bulk.json()["errors"][0]["reason"]
    assert Channel.objects.count() == channels
    assert not Lead.objects.exists()


def test_a_bulk_campaign_with_an_unknown_channel_creates_no_channel(org, member):
    api = token_client(member(Role.MARKETING_MANAGER))
    channels = Channel.objects.count()

    result = api.post(
        "/api/v1/campaigns/bulk/",
        [{"external_id": "p-1", "name": "Spring", "start_date": "2026-03-01", "channel": "Blimps"}],
        format="json",
    ).json()

    assert (result["created"], result["errors"][0]["field"]) == (0, "channel")
    assert Channel.objects.count() == channels


@pytest.mark.parametrize(
    ("endpoint", "record", "field"),
    [
        ("leads", {"external_id": "l-2", "name": "A\u0000B"}, "name"),
        ("leads", {"external_id": "l\u00002", "name": "Bob"}, "external_id"),
        ("companies", {"external_id": "c-2", "name": "Acme", "country": "\u0000"}, "country"),
        ("deals", {"external_id": "d-2", "amount": "1" * 30}, "amount"),
        ("deals", {"external_id": "d-2", "amount": 10**29}, "amount"),
        (
            "campaigns",
            {"external_id": "p-2", "name": "S", "start_date": "2026-03-01", "budget": "9" * 15},
            "budget",
        ),
    ],
)
def test_a_value_no_column_can_hold_is_a_400_naming_its_field(endpoint, record, field, org, member):
    model = BULK[endpoint][0]
    good = {**BULK[endpoint][1]}
    before = model.objects.count()

    response = token_client(member(Role.ADMIN)).post(
        f"/api/v1/{endpoint}/bulk/", [good, record], format="json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert field in error["fields"]
    assert "record 1" in str(error["fields"][field])
    assert model.objects.count() == before


def test_the_largest_amount_a_deal_holds_is_stored(org, member):
    from crm.models import Deal as DealModel

    digits = DealModel._meta.get_field("amount").max_digits
    places = DealModel._meta.get_field("amount").decimal_places
    largest = "9" * (digits - places) + "." + "9" * places

    result = (
        token_client(member(Role.ADMIN))
        .post("/api/v1/deals/bulk/", [{"external_id": "d-9", "amount": largest}], format="json")
        .json()
    )

    assert result["created"] == 1
    assert str(Deal.objects.get(external_id="d-9").amount) == largest
