"""Plan versus actual, pace and projection, and the metric dictionary's ratios: pure."""

from decimal import Decimal

from funnel.kpis.dictionary import (
    chained_conversion,
    derive,
    funnel_conversions,
    percentile,
    response,
)
from funnel.tracking import progress

TARGETS = {"2027-01": 10, "2027-02": 20, "2027-03": 30, "2027-04": 40}


def test_before_the_period_nothing_is_projected():
    p = progress(TARGETS, {}, "2026-12")

    assert (p.target, p.actual, p.variance, p.months_left) == (100, 0, 0, 4)
    assert (p.pace_needed, p.projected) == (25, None)


def test_mid_period_pace_and_projection_follow_the_plan_shape():
    p = progress(TARGETS, {"2027-01": 8, "2027-02": 16, "2027-03": 5}, "2027-03")

    assert (p.target_to_date, p.actual_to_date, p.variance) == (30, 24, -6)
    assert p.actual == 29  # the month in progress counts as actual, not yet as judged
    assert p.pace_needed == 38  # (100 - 24) over March and April, rounded up
    assert p.projected == 80  # 24 of 30 so far: 80 % of the whole target


def test_after_the_period_the_projection_is_the_outcome():
    p = progress(TARGETS, {"2027-01": 10, "2027-02": 30, "2027-03": 30, "2027-04": 45}, "2027-06")

    assert (p.variance, p.pace_needed, p.projected) == (15, None, 115)


def test_a_target_already_met_needs_no_pace():
    assert progress(TARGETS, {"2027-01": 120}, "2027-02").pace_needed == 0


def test_ratios_with_nothing_to_divide_by_are_none():
    facts = dict.fromkeys(
        ["leads", "won_deals", "lost_deals", "won_revenue", "customers", "new_customers",
         "repeat_deals", "repeat_revenue", "reactivated_customers", "cycle_days",
         "cycle_deals", "cost"],
        0,
    )  # fmt: skip

    kpis = derive(facts)

    assert [
        kpis[k] for k in ("win_rate", "avg_deal_size", "arpu", "cost_per_lead", "cac", "roi")
    ] == [None] * 6


def test_roi_is_attributed_revenue_less_cost_over_cost():
    facts = dict.fromkeys(
        ["leads", "lost_deals", "customers", "new_customers", "repeat_deals", "repeat_revenue",
         "reactivated_customers", "cycle_days", "cycle_deals"],
        1,
    ) | {"won_deals": 3, "won_revenue": Decimal("3000"), "cost": Decimal("1200")}  # fmt: skip

    kpis = derive(facts)

    assert kpis["roi"] == Decimal("1.5000")
    assert kpis["win_rate"] == Decimal("0.7500")
    assert kpis["avg_deal_size"] == Decimal("1000.00")


def test_percentiles_interpolate_like_postgresql():
    assert percentile([10, 20, 30, 40], Decimal("0.5")) == Decimal("25.0")
    assert percentile([10, 20, 30, 40], Decimal("0.9")) == Decimal("37.0")
    assert percentile([], Decimal("0.5")) is None


def test_response_share_counts_unanswered_leads_against_the_window():
    r = response(handed_over=4, minutes=[30, 90, 2000], window_minutes=60)

    assert (r.answered, r.median_minutes, r.within_window) == (
        3,
        Decimal("90.0"),
        Decimal("0.2500"),
    )


STAGES = ["lead", "mql", "sql", "opportunity", "customer"]


def test_marketings_conversions_come_from_the_stage_counts():
    # 8 leads, 4 became MQLs, 1 of them an SQL, who went on to opportunity and customer
    reached = {"lead": 8, "mql": 4, "sql": 1, "opportunity": 1, "customer": 1}
    converted = {"lead": 4, "mql": 1, "sql": 1, "opportunity": 1, "customer": 0}

    rates = funnel_conversions({"reached": reached, "converted": converted}, STAGES)

    assert rates == {
        "lead_to_mql": Decimal("0.5000"),
        "mql_to_sql": Decimal("0.2500"),
        "lead_to_customer": Decimal("0.1250"),
    }


def test_a_conversion_with_nobody_to_convert_is_not_a_number_but_nobody_going_on_is_nil():
    reached = {"lead": 3, "mql": 0}
    converted = {"lead": 0}

    rates = funnel_conversions({"reached": reached, "converted": converted}, STAGES)

    assert rates == {
        "lead_to_mql": Decimal("0.0000"),
        "mql_to_sql": None,  # no MQLs to convert
        "lead_to_customer": Decimal("0.0000"),  # no lead went on: none reaches a later stage
    }


def test_a_chain_spans_the_stages_between_in_the_funnels_order():
    reached = {"lead": 3, "mql": 3, "sql": 3}
    converted = {"lead": 2, "mql": 2, "sql": 2}

    assert chained_conversion(reached, converted, STAGES, "lead", "opportunity") == Decimal(
        "0.2963"
    )  # 8/27
    assert chained_conversion(reached, converted, STAGES, "sql", "lead") is None
    assert chained_conversion(reached, converted, STAGES, "lead", "won") is None
