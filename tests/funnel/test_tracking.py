"""Plan versus actual, pace and projection, and the metric dictionary's ratios: pure."""

from datetime import date
from decimal import Decimal

from funnel.tracking import elapsed_share, progress
from kpis.dictionary import (
    chained_conversion,
    derive,
    funnel_conversions,
    percentile,
    response,
)

TARGETS = {"2027-01": 10, "2027-02": 20, "2027-03": 30, "2027-04": 40}


def test_before_the_period_nothing_is_due_or_projected():
    p = progress(TARGETS, {}, date(2026, 12, 15))

    assert (p.target, p.actual, p.target_to_date, p.variance) == (100, 0, 0, 0)
    assert p.months_left == 4
    assert (p.pace_needed, p.projected) == (25, None)


def test_mid_period_the_current_month_counts_by_the_days_elapsed():
    # 15 March: 15 of 31 days gone, so 30 x 15/31 = 14.5 of March's target is due.
    p = progress(TARGETS, {"2027-01": 8, "2027-02": 16, "2027-03": 5}, date(2027, 3, 15))

    assert p.target_to_date == 45  # 10 + 20 + 14.5, rounded half up
    assert p.actual == p.actual_to_date == 29  # March so far counts, as the target does
    assert p.variance == -16  # actual and target to date: one definition for both
    assert p.months_left == Decimal(16) / 31 + 1  # the rest of March and April
    assert p.pace_needed == 47  # (100 - 29) / 1.516..., rounded up
    assert p.projected == 65  # 29 of 44.5 due: 65 % of the whole target


def test_on_the_last_day_of_a_month_all_of_it_is_due():
    p = progress(TARGETS, {"2027-01": 10}, date(2027, 1, 31))

    assert (p.target_to_date, p.variance, p.projected) == (10, 0, 100)
    assert p.months_left == 3


def test_after_the_period_the_projection_is_the_outcome():
    p = progress(
        TARGETS, {"2027-01": 10, "2027-02": 30, "2027-03": 30, "2027-04": 45}, date(2027, 6, 1)
    )

    assert (p.target_to_date, p.variance, p.pace_needed, p.projected) == (100, 15, None, 115)


def test_a_target_already_met_needs_no_pace():
    assert progress(TARGETS, {"2027-01": 120}, date(2027, 2, 1)).pace_needed == 0


def test_elapsed_share_counts_today():
    assert elapsed_share(date(2026, 11, 29)) == Decimal(29) / 30
    assert elapsed_share(date(2028, 2, 29)) == 1


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


def test_nothing_is_projected_before_a_tenth_of_the_target_is_due():
    # A plan for next year whose leads start this month: 23 of 2,433 are due so far.
    early = progress(
        {"2026-11": 25, "2026-12": 408, "2027-01": 2000}, {"2026-11": 151}, date(2026, 11, 28)
    )

    assert early.target_to_date == 23
    assert early.projected is None  # 151 against 23 would project 15,973
