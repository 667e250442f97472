"""personas.discovery.discover on hand-made rows: no database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crm.selectors import CLOSED_DEAL_COLUMNS
from personas.discovery import SMALL_SAMPLE, ClosedDeal, discover

CLOSED = datetime(2026, 5, 31, 12, tzinfo=UTC)


def deal(status="won", amount="100", cycle=10, customer=None, **attributes):
    """A closed deal, `cycle` days after its creation (None: creation unknown)."""
    values = {
        "industry": None,
        "employees": None,
        "annual_revenue": None,
        "company_country": None,
        "lead_country": None,
        "channel": None,
        "channel_name": None,
        "product": "",
        **attributes,
    }
    return ClosedDeal(
        status=status,
        amount=None if amount is None else Decimal(amount),
        created_at=None if cycle is None else CLOSED - timedelta(days=cycle),
        closed_at=CLOSED,
        customer=customer,
        **values,
    )


def by_value(result):
    return {
        (tuple(s["value"]) if isinstance(s["value"], list) else s["value"]): s
        for s in result["segments"]
    }


def test_the_rows_come_in_the_selectors_column_order():
    assert ClosedDeal._fields == CLOSED_DEAL_COLUMNS


def test_a_segment_has_every_figure():
    rows = [
        deal(amount="100", cycle=10, customer=1, industry="Software"),
        deal(amount="300", cycle=20, customer=1, industry="Software"),
        deal(amount="200.50", cycle=40, customer=2, industry="Software"),
        deal(amount=None, cycle=None, customer=3, industry="Software"),  # amount unknown
        deal(status="lost", amount="999", customer=4, industry="Software"),
        deal(status="lost", amount="5", industry="Retail"),
        deal(status="lost", amount="5", industry="Retail"),
        deal(status="lost", amount="5", industry="Retail"),
    ]

    software = by_value(discover(rows, ["industry"]))["Software"]

    assert software == {
        "value": "Software",
        "label": "Software",
        "won_revenue": Decimal("600.50"),
        "won_deals": 4,
        "lost_deals": 1,
        "win_rate": Decimal("0.8000"),
        "avg_deal_size": Decimal("200.17"),  # 600.50 over the 3 won deals with an amount
        "median_cycle_days": Decimal("20.0"),  # of 10, 20 and 40
        "customers": 3,
        "repeat_rate": Decimal("0.3333"),  # customer 1 of 1, 2, 3
        "lift": Decimal("1.6000"),  # 0.8 over 4 won of 8 closed
        "small_sample": True,
    }


def test_overall_counts_every_deal():
    rows = [
        deal(customer=1, industry="Software"),
        deal(status="lost", industry="Retail"),
        deal(amount="50", customer=1, industry="Retail"),
    ]

    overall = discover(rows, ["industry"])["overall"]

    assert overall["value"] is None
    assert overall["label"] == "All closed deals"
    assert overall["won_revenue"] == Decimal("150")
    assert (overall["won_deals"], overall["lost_deals"]) == (2, 1)
    assert overall["win_rate"] == Decimal("0.6667")
    assert overall["customers"] == 1
    assert overall["repeat_rate"] == Decimal("1.0000")
    assert overall["lift"] == Decimal("1.0000")


def test_deals_without_a_value_form_the_unknown_segment():
    rows = [deal(industry="Software"), deal(industry=""), deal(industry="  "), deal()]

    segments = by_value(discover(rows, ["industry"]))

    assert segments[None]["won_deals"] == 3
    assert segments[None]["label"] == "Unknown"
    assert set(segments) == {"Software", None}


def test_segments_come_by_won_revenue_highest_first_then_by_won_deals():
    rows = [
        deal(amount="10", industry="A"),
        deal(amount="300", industry="B"),
        deal(amount="300", industry=None),
        deal(amount="150", industry="C"),
        deal(amount="150", industry="C"),
        deal(status="lost", industry="D"),
    ]

    result = discover(rows, ["industry"])

    # B, unknown and C all won 300: C won two deals; B and unknown one each, unknown last.
    assert [s["value"] for s in result["segments"]] == ["C", "B", None, "A", "D"]


def test_a_pair_is_a_list_of_values_read_as_a_over_b():
    rows = [
        deal(industry="Software", employees=30),
        deal(industry="Software", employees=30),
        deal(industry="Software", employees=300),
        deal(industry=None, employees=30),
    ]

    result = discover(rows, ["industry", "size_band"])

    assert [(s["value"], s["label"], s["won_deals"]) for s in result["segments"]] == [
        (["Software", "11-50"], "Software / 11-50", 2),
        (["Software", "201-1000"], "Software / 201-1000", 1),
        ([None, "11-50"], "Unknown / 11-50", 1),
    ]


def test_size_and_revenue_bands_include_their_ends_as_documented():
    employees = [0, 10, 11, 50, 51, 200, 1000, 5000, 5001, None]
    revenues = ["0", "999999.99", "1000000", "9999999", "10000000", "250000000", "1000000000"]
    rows = [deal(employees=n) for n in employees] + [
        deal(annual_revenue=Decimal(r)) for r in revenues
    ]

    sizes = by_value(discover(rows[: len(employees)], ["size_band"]))
    bands = by_value(discover(rows[len(employees) :], ["revenue_band"]))

    assert {k: s["won_deals"] for k, s in sizes.items()} == {
        "1-10": 2,
        "11-50": 2,
        "51-200": 2,
        "201-1000": 1,
        "1001-5000": 1,
        "5001+": 1,
        None: 1,
    }
    assert {k: s["won_deals"] for k, s in bands.items()} == {
        "<1M": 2,
        "1M-10M": 2,
        "10M-50M": 1,
        "250M-1B": 1,
        "1B+": 1,
    }


def test_country_is_the_companys_else_the_leads_and_channel_reads_its_name():
    rows = [
        deal(company_country="France", lead_country="Spain", channel="seo", channel_name="SEO"),
        deal(company_country="", lead_country="Spain", channel="seo", channel_name="SEO"),
        deal(product="GTX Pro"),
    ]

    countries = by_value(discover(rows, ["country"]))
    channels = by_value(discover(rows, ["channel"]))
    products = by_value(discover(rows, ["product"]))

    assert {k: s["won_deals"] for k, s in countries.items()} == {"France": 1, "Spain": 1, None: 1}
    assert channels["seo"]["label"] == "SEO"
    assert channels["seo"]["won_deals"] == 2
    assert products["GTX Pro"]["won_deals"] == 1


def test_a_segment_is_a_small_sample_below_the_documented_number_of_closed_deals():
    rows = [deal(industry="Big") for _ in range(SMALL_SAMPLE - 1)]
    rows += [deal(status="lost", industry="Big"), deal(industry="Small")]

    result = discover(rows, ["industry"])

    assert SMALL_SAMPLE == 30
    assert by_value(result)["Big"]["small_sample"] is False
    assert by_value(result)["Small"]["small_sample"] is True
    assert result["overall"]["small_sample"] is False


def test_with_nothing_won_overall_lift_and_rates_are_null_not_an_error():
    rows = [deal(status="lost", industry="A"), deal(status="lost", industry="B")]

    result = discover(rows, ["industry"])

    for figures in [result["overall"], *result["segments"]]:
        assert figures["win_rate"] == Decimal("0.0000")
        assert figures["lift"] is None
        assert figures["avg_deal_size"] is None
        assert figures["median_cycle_days"] is None
        assert figures["repeat_rate"] is None
        assert figures["won_revenue"] == Decimal(0)


def test_no_deals_give_no_segments_and_null_rates():
    result = discover([], ["channel"])

    assert result["segments"] == []
    assert result["overall"]["win_rate"] is None
    assert result["overall"]["lift"] is None
    assert result["overall"]["small_sample"] is True
