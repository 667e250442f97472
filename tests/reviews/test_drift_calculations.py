"""The maths of drift, without a database: Wilson intervals against published values, the
median's interval from order statistics against the exact binomial, the window that waits
for cohorts to mature, and what a drift means in customers."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from math import comb

import pytest

from reviews import drift

ENTERED = datetime(2026, 9, 1, 12, tzinfo=UTC)


def cohort(reached_days, lost=0):
    """Leads that moved on after these days, and `lost` that did not."""
    return [(ENTERED, float(d)) for d in reached_days] + [(ENTERED, None)] * lost


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [  # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score)
        (81, 263, "0.2553", "0.3662"),
        (15, 148, "0.0624", "0.1605"),
        (0, 20, "0.0000", "0.1611"),
        (1, 29, "0.0061", "0.1718"),
    ],
)
def test_wilson_gives_the_published_intervals(successes, trials, low, high):
    interval = drift.wilson(successes, trials)

    assert f"{interval.low:.4f}" == low
    assert f"{interval.high:.4f}" == high


def test_wilson_stays_within_zero_and_one():
    assert drift.wilson(0, 1).low == 0.0
    assert drift.wilson(5, 5).high == 1.0
    with pytest.raises(ValueError, match="3 of 0 is not a rate"):
        drift.wilson(3, 0)
    with pytest.raises(ValueError, match="4 of 3 is not a rate"):
        drift.wilson(4, 3)


@pytest.mark.parametrize(
    ("count", "rank"),
    # The ranks of the classical tables (Conover, Practical Nonparametric Statistics).
    [(5, 0), (6, 1), (8, 1), (9, 2), (10, 2), (20, 6), (30, 10), (100, 40)],
)
def test_the_medians_interval_takes_the_tabled_order_statistics(count, rank):
    assert drift.order_statistic(count) == rank


@pytest.mark.parametrize("count", range(6, 160))
def test_the_rank_is_the_largest_whose_exact_coverage_reaches_95_percent(count):
    def coverage(rank):  # 1 - 2 P(B <= rank - 1), B ~ binomial(count, 1/2), exactly
        tail = sum(comb(count, k) for k in range(rank))
        return 1 - 2 * Fraction(tail, 2**count)

    rank = drift.order_statistic(count)

    assert coverage(rank) >= Fraction(95, 100)
    assert coverage(rank + 1) < Fraction(95, 100)


def test_the_medians_interval_of_ten_durations_is_the_second_and_ninth():
    durations = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10]

    assert drift.median_interval(durations) == drift.Interval(2, 9)
    assert drift.median_interval([1, 2, 3, 4, 5]) is None  # five cannot reach 95 %


def test_a_hundred_thousand_durations_are_quick_in_floats():
    durations = [float(d % 97) for d in range(100_000)]

    interval = drift.median_interval(durations)

    assert interval is not None
    assert interval.low <= 48 <= interval.high


def test_a_rate_drifts_when_its_interval_lies_wholly_below_the_assumption():
    measured = drift.measure_rate(cohort([5] * 20, lost=80), Decimal("0.3"))

    assert measured.measured == Decimal("0.2000")
    assert (measured.low, measured.high) == (Decimal("0.1334"), Decimal("0.2888"))
    assert measured.sample == 100
    assert measured.direction == drift.BELOW
    assert measured.drifts


def test_a_rate_within_its_interval_does_not_drift():
    measured = drift.measure_rate(cohort([5] * 25, lost=75), Decimal("0.3"))

    assert measured.low is not None
    assert measured.high is not None
    assert measured.low < Decimal("0.3") < measured.high
    assert measured.direction == drift.WITHIN
    assert not measured.drifts


def test_a_rate_above_drifts_too_and_an_empty_cohort_is_not_measured():
    assert drift.measure_rate(cohort([5] * 60, lost=40), Decimal("0.3")).direction == drift.ABOVE
    empty = drift.measure_rate([], Decimal("0.3"))
    assert (empty.direction, empty.measured, empty.sample) == (drift.UNMEASURED, None, 0)


def test_a_stage_time_is_the_median_of_those_that_moved_on():
    slow = drift.measure_days(
        cohort([12, 14, 15, 16, 18, 20, 21, 22, 25, 30], lost=50), Decimal(10)
    )

    assert slow.measured == Decimal("19.0")  # (18 + 20) / 2
    assert (slow.low, slow.high) == (Decimal(14), Decimal(25))  # the 2nd and the 9th
    assert slow.sample == 10
    assert slow.direction == drift.ABOVE


def test_a_stage_time_needs_six_durations_and_an_assumption():
    few = drift.measure_days(cohort([3, 4, 5]), Decimal(10))

    assert (few.measured, few.low, few.direction) == (Decimal("4.0"), None, drift.UNMEASURED)
    assert drift.measure_days(cohort([3, 4, 5]), None) is None
    assert drift.measure_days(cohort([3, 4, 5]), Decimal(0)) is None  # it plans none


def test_the_window_ends_when_its_youngest_cohort_is_mature():
    today = date(2026, 11, 30)

    assert drift.cohort_window(today, 90, Decimal("12.5")) == (
        date(2026, 7, 25),
        date(2026, 10, 23),  # 38 days back: three times 12.5, rounded up
    )
    assert drift.maturity(None) == drift.maturity(Decimal(0)) == 30
    assert drift.maturity(Decimal(200)) == 365


def test_only_the_leads_that_entered_in_the_window_count():
    leads = [(datetime(2026, 9, day, 23, tzinfo=UTC), None) for day in (1, 2, 29, 30)]

    kept = drift.in_window(leads, date(2026, 9, 2), date(2026, 9, 30))

    assert [at.day for at, _days in kept] == [2, 29]


def test_the_customers_ahead_count_this_month_by_its_days_left():
    targets = {"2026-10": 10, "2026-11": 20, "2026-12": 30}

    ahead = drift.customers_ahead(targets, date(2026, 11, 15))

    assert ahead == [
        drift.Ahead("2026-11", Decimal(10), Decimal("0.5")),
        drift.Ahead("2026-12", Decimal(30), Decimal(1)),
    ]
    assert drift.customers_ahead(targets, date(2027, 1, 3)) == []  # the plan is over


def test_a_rate_drift_runs_the_reverse_funnel_forwards_at_the_measured_rate():
    ahead = [drift.Ahead("2027-01", Decimal(60), Decimal(1)),
             drift.Ahead("2027-02", Decimal(40), Decimal(1))]  # fmt: skip
    rates = [Decimal("0.4"), Decimal("0.5"), Decimal("0.5"), Decimal("0.25")]

    # 100 customers need 100 / 0.25 / 0.5 / 0.5 / 0.4 = 4,000 leads; at 0.3 instead of 0.4
    # from lead to MQL they give 4,000 x 0.3 x 0.5 x 0.5 x 0.25 = 75 customers.
    assert drift.rate_impact(ahead, rates, 0, Decimal("0.3")) == Decimal(-25)
    assert drift.rate_impact(ahead, rates, 3, Decimal("0.3")) == Decimal(20)
    assert drift.rate_impact([], rates, 0, Decimal("0.3")) == 0


def test_a_slower_stage_moves_that_many_days_of_customers_past_the_plans_end():
    ahead = [drift.Ahead("2026-11", Decimal(10), Decimal("0.5")),
             drift.Ahead("2026-12", Decimal(30), Decimal(1)),
             drift.Ahead("2027-01", Decimal(30), Decimal(1))]  # fmt: skip
    month = Decimal("30.4375")

    assert drift.days_impact(ahead, month) == Decimal(-30)
    assert drift.days_impact(ahead, month * Decimal("1.5")) == Decimal(-45)
    assert drift.days_impact(ahead, -month / 2) == Decimal(15)  # faster: as many come in
    assert drift.days_impact(ahead, month * 10) == Decimal(-70)  # no more than are ahead


def test_customers_are_whole_and_revenue_is_theirs_at_the_deal_size():
    assert drift.whole(Decimal("-24.5")) == -25
    assert drift.whole(Decimal("12.49")) == 12
    assert drift.revenue(-12, Decimal("7000")) == Decimal("-84000.00")


def test_the_judgement_is_strict():
    assumed = Decimal("0.25")

    assert drift.judged(assumed, Decimal("0.2"), Decimal("0.25")) == drift.WITHIN
    assert drift.judged(assumed, Decimal("0.25"), Decimal("0.3")) == drift.WITHIN
    assert drift.judged(assumed, Decimal("0.1"), Decimal("0.2499")) == drift.BELOW
    assert drift.judged(assumed, Decimal("0.2501"), Decimal("0.3")) == drift.ABOVE


def test_a_cohort_measured_early_would_look_lost():
    # Why the window waits: 100 leads that all move on after 20 days, seen 10 days in.
    entered = [datetime(2026, 11, 20, 12, tzinfo=UTC) + timedelta(hours=h) for h in range(100)]
    seen_early = [(at, None) for at in entered]

    assert drift.measure_rate(seen_early, Decimal("0.9")).direction == drift.BELOW
    start, end = drift.cohort_window(date(2026, 11, 30), 90, Decimal(20))
    assert drift.in_window(seen_early, start, end) == []  # not yet measured
