"""The three dashboards read stored facts only, in a fixed number of queries."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db.models import Max, Min, Sum
from django.urls import reverse

from crm.demo import seed_crm_history
from crm.models import Campaign, Channel
from crm.services.deals import deal_create, deal_win
from crm.services.leads import lead_change_stage, lead_create
from crm.services.records import record_create
from funnel.services import plan_activate, plan_create
from kpis.models import KpiFact
from kpis.recompute import kpis_recompute_full
from orgs.models import Role
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db
PERIOD = "?start=2026-01&end=2026-10"


@pytest.fixture
def history(org):
    seed_crm_history(organization=org, today=date(2026, 11, 15))
    kpis_recompute_full(organization_id=org.pk)
    inputs = {
        "revenue_goal": "900000",
        "average_deal_size": "10000",
        "conversion_rates": ["0.4", "0.5", "0.5", "0.25"],
    }
    plan = plan_create(
        organization=org, by=None, name="FY2026", first_month=date(2026, 1, 1),
        last_month=date(2026, 12, 1), inputs=inputs,
    )  # fmt: skip
    plan_activate(plan=plan)
    return org


@pytest.mark.parametrize(
    ("name", "queries", "testids"),
    [
        # marketing reads the funnel's stages for its conversions; sales and leadership the
        # members, to filter by owner; each the names of channels and stages it shows;
        # leadership the plan's customer targets and won revenue, for the revenue goal;
        # marketing the persona facts, per persona and per channel (the fit shares); sales
        # and leadership whether a Sales-Marketing agreement is in force (none here)
        ("marketing", 19, ["tiles", "conversion-by-channel", "pace", "kpi-table", "campaigns"]),
        ("sales", 18, ["tiles", "owner-filter", "conversion", "pipeline", "kpi-table"]),
        ("leadership", 19, ["revenue-goal", "tiles", "owner-filter", "pace", "kpi-table"]),
    ],
)
def test_each_dashboard_opens_in_a_fixed_number_of_queries(
    history, member, name, queries, testids, django_assert_num_queries
):
    client = signed_in_client(member(Role.LEADERSHIP))
    client.get(f"/dashboards/{name}/{PERIOD}")  # the session and the member, warmed

    with django_assert_num_queries(queries):  # session, member, facts; none per row
        page = client.get(f"/dashboards/{name}/{PERIOD}").content.decode()

    for testid in testids:
        assert f'data-testid="{testid}"' in page, testid
    assert "Data as of" in page


def test_the_query_count_does_not_grow_with_the_data(history, member, django_assert_num_queries):
    client = signed_in_client(member(Role.ADMIN))
    client.get(f"/dashboards/sales/{PERIOD}")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(f"/dashboards/sales/{PERIOD}")
    for i in range(20):
        lead_create(organization=history, by=None, stage="mql", name=f"More {i}")
    kpis_recompute_full(organization_id=history.pk)
    with CaptureQueriesContext(connection) as after:
        client.get(f"/dashboards/sales/{PERIOD}")

    assert len(after) == len(before)


def test_the_channel_filter_refreshes_the_body_alone(history, member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    fragment = client.get(
        f"/dashboards/marketing/{PERIOD}&channel=paid_search", HTTP_HX_REQUEST="true"
    )

    assert "<html" not in fragment.content.decode()
    assert 'data-testid="kpi-table"' in fragment.content.decode()


def test_the_table_exports(history, member):
    client = signed_in_client(member(Role.SALES_REP))

    answer = client.get(f"/dashboards/leadership/{PERIOD}&export=csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))

    assert rows[0][:3] == ["month", "leads", "mqls"]
    assert [r[0] for r in rows[1:]] == [f"2026-{m:02d}" for m in range(1, 11)]


def test_an_unknown_dashboard_is_not_found(member):
    assert signed_in_client(member(Role.ADMIN)).get("/dashboards/finance/").status_code == 404


def test_a_bad_period_falls_back_to_the_last_year(history, member):
    page = signed_in_client(member(Role.ADMIN)).get("/dashboards/sales/?start=never&end=2026-13")

    assert page.status_code == 200


@pytest.mark.parametrize("query", ["end=0001-01", "start=9999-12&end=9999-12"])
def test_a_period_at_the_ends_of_the_calendar_opens(query, member):
    page = signed_in_client(member(Role.LEADERSHIP)).get(f"/dashboards/marketing/?{query}")

    assert page.status_code == 200


JANUARY = datetime(2026, 1, 10, tzinfo=UTC)
Q1 = "?start=2026-01&end=2026-03"


def _leads(org, n, *, channel, campaign=None, owner=None, upto=None):
    """n leads in January 2026, each moved up to `upto`'s stages in February."""
    leads = []
    for i in range(n):
        lead = lead_create(
            organization=org, by=None, name=f"{channel.code} {i}", stage="lead",
            channel=channel, campaign=campaign, owner=owner, created_at=JANUARY,
        )  # fmt: skip
        for stage in upto or []:
            lead_change_stage(
                lead=lead, to_stage=stage, by=None, at=datetime(2026, 2, 2, tzinfo=UTC)
            )
        leads.append(lead)
    return leads


@pytest.fixture
def funnel(org, member):
    """Paid search: 4 leads, 2 MQLs, 1 SQL who became a customer; a campaign of 400 bought
    them. Organic: 2 leads, none qualified. Ada owns the paid leads, Bo the organic ones."""
    ada, bo = member(Role.SALES_REP).user, member(Role.SALES_REP).user
    paid = Channel.objects.for_org(org).get(code="paid_search")
    organic = Channel.objects.for_org(org).get(code="organic_search")
    ads = record_create(
        Campaign, organization=org, name="Spring ads", channel=paid,
        start_date=date(2026, 1, 1), end_date=date(2026, 1, 31), actual_cost=Decimal("400"),
    )  # fmt: skip
    _leads(org, 2, channel=paid, campaign=ads, owner=ada)
    _leads(org, 1, channel=paid, campaign=ads, owner=ada, upto=["mql"])
    (buyer,) = _leads(org, 1, channel=paid, campaign=ads, owner=ada, upto=["mql", "sql"])
    deal = deal_create(organization=org, by=None, lead=buyer, amount=Decimal("900"))
    deal_win(deal=deal, by=None, at=datetime(2026, 3, 3, tzinfo=UTC))
    _leads(org, 2, channel=organic, owner=bo)
    kpis_recompute_full(organization_id=org.pk)
    return org, ada, bo


def _table(page, testid):
    """The rows of a table as lists of cell texts."""
    table = page.split(f'data-testid="{testid}"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)
        ]
        for r in rows
    ]


def test_marketing_shows_conversion_per_channel_beside_cost_per_lead(funnel, member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    page = client.get(f"/dashboards/marketing/{Q1}").content.decode()

    rows = {row[0]: row[1:] for row in _table(page, "conversion-by-channel")}
    # leads, lead to MQL, MQL to SQL, lead to customer, cost per lead
    assert rows["Paid search"] == ["4", "50.0%", "50.0%", "25.0%", "€100"]
    assert rows["Organic search"] == ["2", "0.0%", "—", "0.0%", "€0"]
    assert rows["All channels"] == ["6", "33.3%", "50.0%", "16.7%", "€66.67"]


def test_marketing_shows_conversion_per_campaign(funnel, member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    page = client.get(f"/dashboards/marketing/{Q1}").content.decode()

    rows = {row[0]: row[1:] for row in _table(page, "campaigns")}
    # leads, MQLs, lead to MQL, MQL to SQL, lead to customer, won revenue, cost, per lead, ROI
    assert rows["Spring ads"][:6] == [
        "4",
        "2",
        "50.0%",
        "50.0%",
        "25.0%",
        "€900",
    ]
    assert rows["Spring ads"][7] == "€100"


def test_the_conversions_are_the_stored_facts_not_the_crm_rows(funnel, member):
    org, _, _ = funnel
    client = signed_in_client(member(Role.MARKETING_MANAGER))
    before = _table(
        client.get(f"/dashboards/marketing/{Q1}").content.decode(), "conversion-by-channel"
    )

    _leads(org, 3, channel=Channel.objects.for_org(org).get(code="paid_search"), upto=["mql"])
    unchanged = _table(
        client.get(f"/dashboards/marketing/{Q1}").content.decode(), "conversion-by-channel"
    )
    kpis_recompute_full(organization_id=org.pk)
    after = _table(
        client.get(f"/dashboards/marketing/{Q1}").content.decode(), "conversion-by-channel"
    )

    assert unchanged == before
    paid = next(row for row in after if row[0] == "Paid search")
    assert paid[1:3] == ["7", "71.4%"]  # 5 of 7 leads are MQLs


def test_the_sales_dashboard_filters_by_owner(funnel, member):
    _, ada, bo = funnel
    client = signed_in_client(member(Role.SALES_MANAGER))

    ada_page = client.get(f"/dashboards/sales/{Q1}&owner={ada.pk}").content.decode()
    bo_page = client.get(f"/dashboards/sales/{Q1}&owner={bo.pk}").content.decode()

    ada_months = {row[0]: row[1:] for row in _table(ada_page, "kpi-table")[1:]}
    bo_months = {row[0]: row[1:] for row in _table(bo_page, "kpi-table")[1:]}
    # leads, MQLs, SQLs, won, lost, won revenue, win rate, cost, cost per lead, ROI
    assert ada_months["Jan 2026"][:2] == ["4", "0"]
    assert ada_months["Feb 2026"][1:3] == ["2", "1"]
    assert ada_months["Mar 2026"][3:6] == ["1", "0", "€900"]
    assert ada_months["Jan 2026"][7:] == ["—", "—", "—"]  # costs are not kept per owner
    assert bo_months["Jan 2026"][:2] == ["2", "0"]
    assert "Mar 2026" not in bo_months or bo_months["Mar 2026"][3] == "0"
    assert f'<option value="{ada.pk}" selected>' in ada_page
    assert 'data-testid="owner-note"' in ada_page


def test_the_leadership_dashboard_filters_by_owner_and_exports_it(funnel, member):
    _, ada, bo = funnel
    client = signed_in_client(member(Role.LEADERSHIP))

    ada_page = client.get(f"/dashboards/leadership/{Q1}&owner={ada.pk}").content.decode()
    bo_page = client.get(f"/dashboards/leadership/{Q1}&owner={bo.pk}").content.decode()
    export = client.get(
        f"/dashboards/leadership/{Q1}&owner={bo.pk}&channel=organic_search&export=csv"
    )

    assert _tile(ada_page, "Won revenue") == "€900"
    assert _tile(bo_page, "Won revenue") == "€0"
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [(r[0], r[1]) for r in rows[1:]] == [("2026-01", "2")]


def _tile(page, title):
    tile = page.split(f"<h2>{title}</h2>")[1]
    return re.search(r'<p class="big">(.*?)</p>', tile, re.S).group(1).strip()


def test_an_owner_of_another_organisation_filters_nothing(funnel, member, other_org):
    stranger = member(Role.SALES_REP, organization=other_org).user
    client = signed_in_client(member(Role.SALES_MANAGER))

    everyone = client.get(f"/dashboards/sales/{Q1}").content.decode()
    asked = client.get(f"/dashboards/sales/{Q1}&owner={stranger.pk}").content.decode()

    assert _table(asked, "kpi-table") == _table(everyone, "kpi-table")
    assert 'data-testid="owner-note"' not in asked


@pytest.mark.parametrize("name", ["marketing", "sales", "leadership"])
def test_an_empty_period_says_where_the_data_is(history, member, name):
    client = signed_in_client(member(Role.LEADERSHIP))

    page = client.get(f"/dashboards/{name}/?start=2019-01&end=2019-12").content.decode()

    said = page.split('data-testid="data-span">')[1].split("</p>")[0]
    first, last = (
        KpiFact.objects.for_org(history).aggregate(first=Min("month"), last=Max("month")).values()
    )
    assert (
        f"No data between 2019-01 and 2019-12: your data runs from {first:%Y-%m} to {last:%Y-%m}."
        in said
    )
    assert f'href="/dashboards/{name}/?start={first:%Y-%m}&amp;end={last:%Y-%m}"' in said
    shown = client.get(f"/dashboards/{name}/?start={first:%Y-%m}&end={last:%Y-%m}").content.decode()
    assert 'data-testid="data-span"' not in shown


def test_an_organisation_without_data_is_not_told_where_it_is(org, member):
    client = signed_in_client(member(Role.LEADERSHIP))

    page = client.get("/dashboards/marketing/").content.decode()

    assert 'data-testid="data-span"' not in page


def test_the_open_pipeline_shows_each_stage_by_name_under_headers(history, member):
    client = signed_in_client(member(Role.SALES_MANAGER))

    page = client.get(f"/dashboards/sales/{PERIOD}").content.decode()

    header, *rows = _table(page, "pipeline")
    assert header == ["Pipeline stage", "Open deals", "Amount"]
    assert {row[0] for row in rows} <= {"Discovery", "Proposal", "Negotiation"}
    assert len(rows) >= 2
    assert all(row[2].startswith("€") for row in rows)


def test_the_sales_dashboard_names_stages_and_writes_rates_as_percentages(history, member):
    client = signed_in_client(member(Role.SALES_MANAGER))

    page = client.get(f"/dashboards/sales/{PERIOD}").content.decode()

    pairs = dict(row for row in _table(page, "conversion")[1:])
    assert "Sales-qualified lead → Opportunity" in pairs  # not "sql->opportunity"
    assert all(re.fullmatch(r"\d+\.\d%|—", rate) for rate in pairs.values())
    assert re.fullmatch(r"\d+\.\d%", _tile(page, "Win rate"))  # 33.9%, not 0.3389


@pytest.mark.parametrize(
    ("language", "month", "channel", "header", "money"),
    [
        ("en", "Jan 2026", "Organic search", "Month", r"€[\d,]+"),
        ("it", "Gen 2026", "Ricerca organica", "Mese", r"[\d.]+\xa0€"),
        ("ru", "Янв 2026", "Органический поиск", "Месяц", r"[\d\xa0]+\xa0€"),
    ],
)
def test_the_dashboards_speak_the_members_language(
    history, member, language, month, channel, header, money
):
    client = signed_in_client(member(Role.LEADERSHIP))
    client.post(reverse("set_language"), {"language": language})

    page = client.get(f"/dashboards/leadership/{PERIOD}").content.decode()
    marketing = client.get(f"/dashboards/marketing/{PERIOD}").content.decode()

    table = _table(page, "kpi-table")
    assert table[0][0] == header  # not the code "month"
    assert table[1][0] == month
    assert re.fullmatch(money, table[1][6]), table[1][6]  # won revenue in euros, the locale's way
    chart = json.loads(page.split('id="dashboard-chart"')[1].split(">", 1)[1].split("</script>")[0])
    assert chart["data"][0]["x"][0] == month  # the chart's months too, not plotly's English
    assert chart["layout"]["title"]["text"]
    assert chart["layout"]["yaxis"]["title"]["text"] == "EUR"
    assert channel in [row[0] for row in _table(marketing, "conversion-by-channel")]


def test_leadership_reads_the_revenue_goal_against_won_revenue_first(history, member):
    client = signed_in_client(member(Role.LEADERSHIP))

    page = client.get(f"/dashboards/leadership/{PERIOD}").content.decode()

    head = page.split('data-testid="revenue-goal"')[1].split("</section>")[0]
    assert page.index('data-testid="revenue-goal"') < page.index('data-testid="tiles"')
    assert "Revenue goal of FY2026 against won revenue" in head
    assert "€900,000" in head  # the plan's goal, in the organisation's currency
    won = (
        KpiFact.objects.for_org(history)
        .filter(month__gte=date(2026, 1, 1), month__lte=date(2026, 11, 1))
        .aggregate(won=Sum("won_revenue"))["won"]
    )
    assert f"€{won:,.0f}" in head or f"€{won:,.2f}" in head
    tiles = page.split('data-testid="tiles"')[1]
    assert "Won revenue per paying customer" in tiles  # says what it divides by
    assert "paying customers, new or returning" in tiles


def test_an_owner_written_with_other_digits_shows_everyone(history, member):
    client = signed_in_client(member(Role.LEADERSHIP))

    page = client.get(f"/dashboards/sales/{PERIOD}&owner=%C2%B2")  # "²", a digit to isdigit()

    assert page.status_code == 200
    assert 'data-testid="owner-note"' not in page.content.decode()
