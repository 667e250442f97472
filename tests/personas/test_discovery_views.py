"""The discovery page: every role reads it, a bad query is explained on the page, a persona
is proposed from a segment (editors only), the approved personas' coverage."""

import json
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm.models import Channel, Company, Deal, Lead
from orgs.models import Role
from personas.models import Approval, Criterion, Persona, PersonaVersion
from personas.services import persona_approve, persona_create
from tests.conftest import ALL_ROLES, signed_in_client

pytestmark = pytest.mark.django_db
URL = "/personas/discovery/"
EDITORS = {Role.ADMIN, Role.MARKETING_MANAGER, Role.SALES_MANAGER}
READERS = [role for role in ALL_ROLES if role not in EDITORS]


@pytest.fixture
def deals(org):
    """deals(count, status, amount, industry, employees, organization, channel) -> closed
    deals of one company, closed on 2 March 2026."""

    def make(
        count=1, status="won", amount="100", industry="Software", employees=None,
        organization=None, channel=None,
    ):  # fmt: skip
        organization = organization or org
        company = Company.objects.create(
            organization=organization, name=f"{industry} {employees}", industry=industry,
            employees=employees,
        )  # fmt: skip
        lead = None
        if channel:
            code = Channel.objects.for_org(organization).get(code=channel)
            lead = Lead.objects.create(
                organization=organization, name="L", company=company, channel=code
            )
        Deal.objects.bulk_create(
            Deal(
                organization=organization, company=company, lead=lead, status=status,
                amount=Decimal(amount), currency=organization.currency,
                created_at=datetime(2026, 2, 1, tzinfo=UTC),
                closed_at=datetime(2026, 3, 2, 12, tzinfo=UTC),
            )
            for _ in range(count)
        )  # fmt: skip

    return make


def text(response):
    return response.content.decode()


def written():
    return (
        Persona.objects.count(),
        PersonaVersion.objects.count(),
        Criterion.objects.count(),
        Approval.objects.count(),
    )


def chart(page):
    found = re.search(r'<script id="discovery-chart" type="application/json">(.*?)</script>', page)
    return json.loads(found.group(1))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_reads_the_segments_only_editors_may_propose(role, member, deals):
    deals(3, amount="1500", industry="Software")
    deals(1, status="lost", industry="Software")
    deals(1, amount="200", industry="Retail")
    deals(1, amount="300", industry="")

    answer = signed_in_client(member(role)).get(URL)

    page = text(answer)
    assert answer.status_code == 200
    rows = re.findall(r'<tr data-testid="segment".*?</tr>', page, re.S)
    assert [re.search(r'<td class="segment">\s*(\w+)', r).group(1) for r in rows] == [
        "Software",
        "Unknown",
        "Retail",
    ]
    assert "€4,500" in rows[0]  # won revenue with the currency
    assert "75.0%" in rows[0]  # win rate as a percentage
    assert "0.90×" in rows[0]  # lift: 0.75 / (5 won of 6)
    assert "small sample" in rows[0]
    assert ('data-testid="propose"' in rows[0]) is (role in EDITORS)
    assert 'data-testid="propose"' not in rows[1]  # the Unknown segment
    assert chart(page)["data"][0]["y"] == [4500.0, 300.0, 200.0]
    assert 'href="/personas/discovery/"' in text(signed_in_client(member(role)).get("/personas/"))


def test_the_page_shows_the_figures_the_api_gives(member, deals, org):
    deals(2, amount="1000", industry="Software")
    deals(2, status="lost", industry="Software")
    client = signed_in_client(member(Role.LEADERSHIP))

    page = text(client.get(URL, {"dimension": "industry"}))
    api = client.get("/api/v1/personas/discovery/", {"dimension": "industry"}).json()

    software = api["segments"][0]
    assert software["won_revenue"] == "2000"
    assert "€2,000" in page
    assert software["win_rate"] == "0.5"
    assert "50.0%" in page
    assert "€1,000" in page  # average deal size
    assert "29.5" in page  # median cycle in days: 1 Feb to 2 March, 12:00


def test_a_pair_and_a_period(member, deals):
    deals(2, amount="100", industry="Software", employees=120)
    deals(1, amount="100", industry="Retail", employees=5)

    page = text(
        signed_in_client(member(Role.SALES_REP)).get(
            URL, {"dimension": "industry", "second": "size_band", "start": "2026-03-01", "end": "2026-03-31"}
        )
    )  # fmt: skip
    empty = text(signed_in_client(member(Role.SALES_REP)).get(URL, {"start": "2026-04-01"}))

    assert "Software / 51-200" in page
    assert "Retail / 1-10" in page
    assert "No deal was won or lost in this period." in empty


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"dimension": "colour"}, "Select a valid choice. colour is not one of the available choices."),
        ({"dimension": "industry", "second": "industry"}, "Choose another dimension, or nothing else."),
        ({"second": "shoe_size"}, "Select a valid choice."),
        ({"start": "2026-13-01"}, "Enter a valid date."),
        ({"end": "yesterday"}, "Enter a valid date."),
        ({"start": "2026-03-02", "end": "2026-03-01"}, "The period must end after it starts."),
        ({"start": "1900-01-01"}, "Enter a date from 1990-01-01 to 2100-12-31."),
        ({"end": "9999-12-31"}, "Enter a date from 1990-01-01 to 2100-12-31."),
    ],
)  # fmt: skip
def test_a_bad_query_is_explained_on_the_page(query, message, member, deals):
    deals(1)

    answer = signed_in_client(member(Role.MARKETING_MANAGER)).get(URL, query)

    assert answer.status_code == 400
    assert message in text(answer)
    assert "The segments cannot be shown for this query" in text(answer)
    assert 'data-testid="segment"' not in text(answer)


def test_only_the_organisations_deals_count(member, deals, other_org):
    deals(1, amount="300", industry="Software")
    deals(1, amount="999", industry="Mining", organization=other_org)

    page = text(signed_in_client(member(Role.ADMIN)).get(URL))

    assert "Software" in page
    assert "Mining" not in page
    assert "€999" not in page


def test_the_page_reads_a_fixed_number_of_queries(
    member, deals, persona, django_assert_max_num_queries
):
    client = signed_in_client(member(Role.ADMIN))
    deals(1)
    persona()
    with django_assert_max_num_queries(9) as few:
        client.get(URL)
    for i in range(5):
        deals(2, industry=f"Industry {i}")
        persona(name=f"Persona {i}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200


# --- propose a persona from a segment ---


def propose(client, dimensions, values, query="dimension=industry"):
    return client.post(
        "/personas/discovery/propose/", {"dimension": dimensions, "value": values, "query": query}
    )


@pytest.mark.parametrize("role", sorted(EDITORS))
def test_an_editor_proposes_a_draft_from_a_segment(role, member, org):
    client = signed_in_client(member(role))

    answer = propose(client, ["industry", "size_band"], ["Software", "51-200"])

    persona = Persona.objects.get()
    version = persona.versions.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/personas/{persona.pk}/edit/"
    assert persona.organization == org
    assert version.name == "Software · 51-200"
    assert (version.industries, version.company_sizes) == ("Software", "51-200")
    assert not version.is_approved
    assert [(c.kind, c.params) for c in version.criteria.order_by("position")] == [
        ("industry_in", {"values": ["Software"]}),
        ("employees_between", {"min": "51", "max": "200"}),
    ]
    assert "review its profile and criteria" in text(client.get(answer["Location"]))


def test_a_channel_segment_is_named_by_its_channel(member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    propose(client, ["channel"], ["paid_search"])

    version = PersonaVersion.objects.get()
    assert version.name == "Paid search"
    assert version.criteria.get().params == {"values": ["paid_search"]}


@pytest.mark.parametrize("role", READERS)
def test_a_reader_may_not_propose(role, member):
    answer = propose(signed_in_client(member(role)), ["industry"], ["Software"])

    assert answer.status_code == 403
    assert written() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("dimensions", "values", "message"),
    [
        (["industry"], [""], "The Unknown segment cannot become a persona"),
        (["industry", "size_band"], ["Software", ""], "The Unknown segment cannot become a persona"),
        (["size_band"], ["7-9"], "7-9 is not a band discovery makes."),
        (["colour"], ["red"], "Choose the segment from the discovery page."),
        (["industry"], [], "Give one value for each dimension of the segment."),
        ([], [], "Give one value for each dimension of the segment."),
        (["industry"], ["x" * 101], "A value has at most 100 characters."),
    ],
)  # fmt: skip
def test_a_segment_that_cannot_be_proposed_is_a_message_and_nothing_is_written(
    dimensions, values, message, member
):
    client = signed_in_client(member(Role.SALES_MANAGER))

    answer = propose(client, dimensions, values, query="dimension=industry&start=2026-01-01")
    shown = client.get(answer["Location"])

    assert answer.status_code == 302
    assert answer["Location"] == "/personas/discovery/?dimension=industry&start=2026-01-01"
    assert message in text(shown)
    assert written() == (0, 0, 0, 0)


# --- coverage ---


def approved(org, managers, name, criteria):
    made = persona_create(organization=org, by=None, name=name, criteria=criteria)
    persona_approve(persona=made, membership=managers["marketing"], side="marketing")
    persona_approve(persona=made, membership=managers["sales"], side="sales")
    return made


def test_coverage_shows_each_approved_personas_share_and_the_segments_none_covers(
    org, deals, managers
):
    deals(20, amount="100", industry="Software", employees=100)
    deals(10, status="lost", industry="Software", employees=100)
    deals(20, amount="100", industry="Retail", employees=5000)
    deals(10, status="lost", industry="Retail", employees=5000)
    deals(5, amount="100", industry="Mining")
    deals(40, status="lost", industry="Mining")
    approved(org, managers, "Big companies", [
        {"kind": "employees_between", "weight": 1, "params": {"min": 1001, "max": None}},
    ])  # fmt: skip
    persona_create(organization=org, by=None, name="Just a draft", criteria=[
        {"kind": "industry_in", "weight": 1, "params": {"values": ["Software"]}},
    ])  # fmt: skip

    page = text(signed_in_client(managers["marketing"]).get(URL))

    coverage = page[page.index('data-testid="coverage"') : page.index('data-testid="uncovered"')]
    uncovered = page[page.index('data-testid="uncovered"') :]
    assert "Big companies" in coverage
    assert "Just a draft" not in coverage  # only approved personas count
    assert "44.4%" in coverage  # 2,000 of 4,500
    assert re.findall(
        r'<tr data-testid="uncovered-segment">\s*<td class="segment">(\w+)', uncovered
    ) == ["Software"]
    assert 'data-testid="propose"' in uncovered


def test_coverage_says_when_no_persona_is_approved(member, deals):
    deals(1)

    page = text(signed_in_client(member(Role.LEADERSHIP)).get(URL))

    assert "No persona is approved yet" in page
