"""/api/v1/personas/discovery/: every role reads, tenant isolation, bad queries, query count."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Company
from crm.services.deals import deal_create
from crm.services.records import record_create
from tests.conftest import ALL_ROLES, token_client
from tests.personas.test_api import assert_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/personas/discovery/"


@pytest.fixture
def closed(org):
    """closed(industry, amount, status, day, organization) -> a deal closed in March 2026
    with a company of that industry."""

    def make(industry="Software", amount="100", status="won", day=1, organization=None):
        company = record_create(
            Company, organization=organization or org, name=f"{industry} {amount}",
            industry=industry,
        )  # fmt: skip
        return deal_create(
            organization=organization or org, by=None, status=status, company=company,
            amount=Decimal(amount), closed_at=datetime(2026, 3, day, 12, tzinfo=UTC),
        )  # fmt: skip

    return make


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_reads_the_segments(role, member, closed, org):
    closed("Software", "300")
    closed("Retail", "100")
    closed("Retail", "50", status="lost")

    response = token_client(member(role)).get(URL, {"dimension": "industry"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["currency"] == org.currency
    assert body["dimension"] == ["industry"]
    assert body["small_sample_below"] == 30
    assert body["overall"]["won_revenue"] == "400"
    assert body["overall"]["win_rate"] == "0.6667"
    assert [s["value"] for s in body["segments"]] == ["Software", "Retail"]
    retail = body["segments"][1]
    assert retail["won_deals"] == retail["lost_deals"] == 1
    assert retail["win_rate"] == "0.5"
    assert retail["lift"] == "0.75"
    assert retail["small_sample"] is True


def test_only_the_callers_organisations_deals_count(member, closed, other_org):
    closed("Software", "300")
    closed("Mining", "999", organization=other_org)

    body = token_client(member()).get(URL, {"dimension": "industry"}).json()

    assert [s["value"] for s in body["segments"]] == ["Software"]
    assert body["overall"]["won_revenue"] == "300"


def test_the_period_counts_deals_closed_from_start_to_end_included(member, closed):
    for day in (1, 2, 3, 4):
        closed("Software", "10", day=day)

    body = (
        token_client(member())
        .get(URL, {"dimension": "industry", "start": "2026-03-02", "end": "2026-03-03"})
        .json()
    )

    assert body["overall"]["won_deals"] == 2
    assert (body["start"], body["end"]) == ("2026-03-02", "2026-03-03")


def test_a_pair_of_dimensions_and_the_unknown_segment(member, closed):
    closed("Software", "300")
    closed("", "100")

    body = token_client(member()).get(URL, {"dimension": "industry, product"}).json()

    assert body["dimension"] == ["industry", "product"]
    assert [(s["value"], s["label"]) for s in body["segments"]] == [
        (["Software", None], "Software / Unknown"),
        ([None, None], "Unknown / Unknown"),
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "dimension"),
        ({"dimension": "colour"}, "dimension"),
        ({"dimension": "industry,size_band,country"}, "dimension"),
        ({"dimension": "industry,industry"}, "dimension"),
        ({"dimension": "industry", "start": "2026-13-01"}, "start"),
        ({"dimension": "industry", "end": "yesterday"}, "end"),
        ({"dimension": "industry", "start": "2026-03-02", "end": "2026-03-01"}, "end"),
    ],
)
def test_a_bad_query_is_refused_in_the_one_error_shape(query, field, member):
    response = token_client(member()).get(URL, query)

    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [field]


def test_without_a_token_nothing_is_read(client):
    response = client.get(URL, {"dimension": "industry"})

    assert_error(response, 401)


def test_the_query_count_does_not_grow_with_deals_or_segments(member, closed):
    client = token_client(member())

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"dimension": "industry,country"}).status_code == 200
        return len(queries)

    closed("Software")
    count()  # the token's first use is recorded once
    few = count()
    for i in range(6):
        closed(f"Industry {i}", status="lost" if i % 2 else "won")
    many = count()

    # the closed deals, in one query (the token is cached after its first use)
    assert few == many == 1
