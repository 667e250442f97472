"""Plan versus actual, pace and projection, and the metric dictionary's ratios: pure."""

from decimal import Decimal

from funnel.kpis.dictionary import derive, percentile, response
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
