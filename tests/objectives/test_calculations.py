"""The arithmetic of objectives, without a database: achievability against history, the
seeded probability, progress to date, and rep splits that add up."""

from datetime import date
from decimal import Decimal

import pytest

from objectives.calculations import (
    achievability,
    history_window,
    progress,
    quantile,
    split,
    verdict,
)
from objectives.metrics import BY_CODE, Direction

TODAY = date(2026, 11, 15)
REVENUE, WIN_RATE, RESPONSE = BY_CODE["won_revenue"], BY_CODE["win_rate"], BY_CODE["response"]


def months_of(values, last=date(2026, 10, 1)):
    """{month: parts} for `values` (oldest first) ending with `last`."""
    from smarketing.lib.months import add_months

    return {add_months(last, i - len(values) + 1): v for i, v in enumerate(values)}


def revenue(amounts):
    return months_of([{"won_revenue": Decimal(a)} for a in amounts])


def test_the_history_window_is_the_24_complete_months_before_today():
    assert history_window(TODAY) == (date(2024, 11, 1), date(2026, 10, 1))


def test_a_target_many_times_the_best_month_is_unrealistic():
    history = revenue([10_000] * 24)
    found = achievability(
        REVENUE, target=Decimal(240_000), direction=Direction.AT_LEAST,
        first=date(2027, 1, 1), last=date(2027, 6, 1), history=history, today=TODAY,
    )  # fmt: skip
    assert found.needed == Decimal("40000.00")  # a month, four times every month so far
    assert found.best == found.median == Decimal("10000.00")
    assert found.probability == 0
    assert found.verdict == "unrealistic"


def test_the_figures_are_the_historys_and_the_season_is_drawn_without_a_trend():
    history = revenue([i * 1000 for i in range(1, 25)])  # 1,000 ... 24,000
    found = achievability(
        REVENUE, target=Decimal(12 * 6 * 1000), direction=Direction.AT_LEAST,
        first=date(2027, 1, 1), last=date(2027, 6, 1), history=history, today=TODAY,
    )  # fmt: skip
    assert found.best == Decimal("24000.00")
    assert found.median == Decimal("12500.00")
    assert found.p90 == quantile([Decimal(i * 1000) for i in range(1, 25)], Decimal("0.9"))
    assert found.history_months == 24
    assert found.same_months_last_year == sum(
        Decimal(a) for a in (15000, 16000, 17000, 18000, 19000, 20000)
    )  # Jan to Jun 2026 were months 15 to 20 of the history
    # 12,000 a month is the median, but the winter and spring months drawn from (2025's and
    # 2026's) averaged less: no growth is assumed, so it is a stretch, not a sure thing.
    assert found.verdict == "stretch"


def test_the_probability_is_the_same_for_the_same_inputs():
    history = revenue([(i * 7919) % 13_000 + 2000 for i in range(24)])
    runs = {
        achievability(
            REVENUE, target=Decimal(60_000), direction=Direction.AT_LEAST,
            first=date(2027, 1, 1), last=date(2027, 6, 1), history=history, today=TODAY,
        ).probability
        for _ in range(3)
    }  # fmt: skip
    assert len(runs) == 1
    (probability,) = runs
    assert probability is not None
    assert Decimal(0) < probability < Decimal(1)


def test_too_little_history_gives_no_verdict():
    found = achievability(
        REVENUE, target=Decimal(1000), direction=Direction.AT_LEAST,
        first=date(2027, 1, 1), last=date(2027, 3, 1), history=revenue([500, 700]), today=TODAY,
    )  # fmt: skip
    assert (found.verdict, found.probability, found.history_months) == ("unknown", None, 2)


def test_a_rate_is_judged_as_a_rate_of_the_periods_sums():
    history = months_of([{"won_deals": 1, "closed_deals": 4}] * 24)  # 25 % every month
    easy = achievability(
        WIN_RATE, target=Decimal(20), direction=Direction.AT_LEAST,
        first=date(2027, 1, 1), last=date(2027, 3, 1), history=history, today=TODAY,
    )  # fmt: skip
    hard = achievability(
        WIN_RATE, target=Decimal(50), direction=Direction.AT_LEAST,
        first=date(2027, 1, 1), last=date(2027, 3, 1), history=history, today=TODAY,
    )  # fmt: skip
    assert (easy.best, easy.needed) == (Decimal("25.00"), Decimal("20.00"))
    assert (easy.probability, easy.verdict) == (Decimal(1), "achievable")
    assert (hard.probability, hard.verdict) == (Decimal(0), "unrealistic")


def test_a_response_time_at_most_is_judged_on_the_median_of_the_minutes():
    history = months_of([{"response_minutes": [30, 60, 90, 600]}] * 24)  # median 75 min
    found = achievability(
        RESPONSE, target=Decimal(2), direction=Direction.AT_MOST,
        first=date(2027, 1, 1), last=date(2027, 2, 1), history=history, today=TODAY,
    )  # fmt: skip
    assert found.best == Decimal("1.25")  # hours
    assert found.verdict == "achievable"


def test_verdict_thresholds():
    assert verdict(Decimal("0.5")) == "achievable"
    assert verdict(Decimal("0.49")) == "stretch"
    assert verdict(Decimal("0.1")) == "stretch"
    assert verdict(Decimal("0.099")) == "unrealistic"


def test_progress_to_date_follows_the_season_and_projects_at_the_rate_so_far():
    # A year objective of 1,200; by mid-November (the 15th of 30 days) in an even year
    # 10.5 of 12 months are due: 1,050 expected. 950 recorded projects 950 / 0.875 = 1,085.71.
    actuals = {date(2026, m, 1): {"won_revenue": Decimal(95)} for m in range(1, 11)}
    found = progress(
        REVENUE, target=Decimal(1200), direction=Direction.AT_LEAST, first=date(2026, 1, 1),
        last=date(2026, 12, 1), actuals=actuals, today=TODAY,
    )  # fmt: skip
    assert found.expected == Decimal("1050.00")
    assert found.actual == Decimal(950)
    assert found.projected == Decimal("1085.71")
    assert found.pace == Decimal("166.67")  # 250 left over 1.5 months
    assert found.status == "at_risk"  # short, but within a tenth of the target
    seasonal = progress(
        REVENUE, target=Decimal(1200), direction=Direction.AT_LEAST, first=date(2026, 1, 1),
        last=date(2026, 12, 1), actuals=actuals, today=TODAY,
        profile={date(2026, 12, 1): Decimal(11), **{date(2026, m, 1): Decimal(1) for m in range(1, 12)}},
    )  # fmt: skip
    # December weighs half the year: by mid-November only 10.5 / 22 of it is due.
    assert seasonal.expected == Decimal("572.73")
    assert seasonal.status == "on_track"


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2025, 12, 31), "not_started"),
        (date(2027, 1, 1), "missed"),
        (date(2026, 1, 2), "early"),
    ],
)
def test_progress_before_during_and_after_the_period(today, status):
    found = progress(
        REVENUE, target=Decimal(1200), direction=Direction.AT_LEAST, first=date(2026, 1, 1),
        last=date(2026, 12, 1), actuals={}, today=today,
    )  # fmt: skip
    assert found.status == status


def test_a_sum_reached_before_the_end_is_achieved():
    found = progress(
        REVENUE, target=Decimal(100), direction=Direction.AT_LEAST, first=date(2026, 1, 1),
        last=date(2026, 12, 1), actuals={date(2026, 2, 1): {"won_revenue": 150}}, today=TODAY,
    )  # fmt: skip
    assert found.status == "achieved"


def test_a_rate_is_on_track_at_risk_or_off_track_by_its_value_so_far():
    def status(won, closed):
        return progress(
            WIN_RATE, target=Decimal(30), direction=Direction.AT_LEAST, first=date(2026, 1, 1),
            last=date(2026, 12, 1), actuals={date(2026, 3, 1): {"won_deals": won, "closed_deals": closed}},
            today=TODAY,
        ).status  # fmt: skip

    assert status(3, 10) == "on_track"
    assert status(28, 100) == "at_risk"
    assert status(2, 10) == "off_track"


@pytest.mark.parametrize(
    ("total", "shares", "whole", "parts"),
    [
        (Decimal(100), {1: 1, 2: 1, 3: 1}, True, {1: 34, 2: 33, 3: 33}),
        (
            Decimal("1000.00"),
            {1: 1, 2: 1, 3: 1},
            False,
            {1: Decimal("333.34"), 2: Decimal("333.33"), 3: Decimal("333.33")},
        ),
        (Decimal(10), {1: 3, 2: 1}, True, {1: 8, 2: 2}),  # 7.5 / 2.5: the tie goes first
        (Decimal(7), {1: 0, 2: 0}, True, {1: 4, 2: 3}),  # no shares: equal
    ],
)
def test_a_split_adds_up_exactly(total, shares, whole, parts):
    found = split(total, {k: Decimal(v) for k, v in shares.items()}, whole=whole)
    assert found == {k: Decimal(v) for k, v in parts.items()}
    assert sum(found.values()) == total


def test_a_split_of_awkward_shares_still_adds_up():
    shares = {i: Decimal(i * 37 % 11 + 1) for i in range(1, 40)}
    for total in (Decimal("123456.78"), Decimal("1.00"), Decimal("99999.99")):
        assert sum(split(total, shares, whole=False).values()) == total
    assert sum(split(Decimal(1001), shares, whole=True).values()) == 1001


def test_a_rate_judges_only_the_months_where_it_is_defined():
    # Eleven months of leads without a closed deal, one month at 75 %: one month of history.
    history = months_of(
        [{"leads": 10, "won_deals": 0, "closed_deals": 0}] * 11
        + [{"won_deals": 3, "closed_deals": 4}]
    )
    found = achievability(
        WIN_RATE, target=Decimal(20), direction=Direction.AT_LEAST,
        first=date(2027, 1, 1), last=date(2027, 3, 1), history=history, today=TODAY,
    )  # fmt: skip

    assert found.history_months == 1
    assert (found.verdict, found.probability) == ("unknown", None)
