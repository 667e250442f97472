"""The learning window and the targets moved out of months already over: pure."""

from datetime import date

import pytest

from funnel.calculations import StageTarget
from funnel.planning import learning_window, left_share, reschedule
from funnel.tracking import elapsed_share


def test_a_plan_for_next_year_learns_from_the_last_twelve_complete_months():
    # Seen on 29 November 2026: November is not over, so it is not learned from.
    start, end = learning_window(
        first_month=date(2027, 1, 1),
        today=date(2026, 11, 29),
        last_month_with_data=date(2026, 11, 1),
    )

    assert (start, end) == (date(2025, 11, 1), date(2026, 11, 1))


def test_a_plan_starting_this_month_learns_from_the_twelve_before_it():
    assert learning_window(
        first_month=date(2026, 11, 1), today=date(2026, 11, 3), last_month_with_data=None
    ) == (date(2025, 11, 1), date(2026, 11, 1))


def test_history_that_stopped_long_ago_is_learned_where_it_is():
    # The olist export ends in 2018: learn from its last twelve months, not from empty ones.
    start, end = learning_window(
        first_month=date(2027, 1, 1),
        today=date(2026, 11, 29),
        last_month_with_data=date(2018, 8, 1),
    )

    assert (start, end) == (date(2017, 9, 1), date(2018, 9, 1))


def _stage(by_month, grid=None):
    total = sum(by_month.values())
    return StageTarget("lead", total, by_month, {}, grid or {})


def test_targets_the_days_left_cannot_carry_move_into_the_next_month():
    # 29 November, at the end of the day: 1 of 30 days left. 300 leads were due in
    # September and October, and November's own 300 assumed a whole month.
    lead = _stage({"2026-09": 100, "2026-10": 200, "2026-11": 300, "2026-12": 400, "2027-01": 500})

    [stage], [moved] = reschedule([lead], first_month=date(2027, 1, 1), today=date(2026, 11, 29))

    assert sum(stage.by_month.values()) == lead.needed  # nothing lost
    assert stage.by_month == {"2026-11": 10, "2026-12": 400 + 590, "2027-01": 500}
    assert moved.stage == "lead"
    assert moved.count == 590
    assert moved.from_months == ["2026-09", "2026-10", "2026-11"]
    assert moved.into == {"2026-12": 590}


def test_channels_move_with_their_month_and_still_add_up():
    grid = {"2026-10": {"ads": 7, "seo": 3}, "2026-12": {"ads": 1, "seo": 1}}
    lead = _stage({"2026-10": 10, "2026-12": 2}, grid)

    [stage], [moved] = reschedule([lead], first_month=date(2027, 1, 1), today=date(2026, 11, 16))

    assert stage.by_month == {m: sum(row.values()) for m, row in stage.by_month_and_channel.items()}
    assert sum(stage.by_month.values()) == 12
    assert sum(row["ads"] for row in stage.by_month_and_channel.values()) == 8
    assert moved.count == 10
    assert sum(moved.into.values()) == 10


def test_a_plan_already_under_way_is_measured_not_rescheduled():
    lead = _stage({"2026-01": 100, "2026-06": 100})

    stages, moved = reschedule([lead], first_month=date(2026, 1, 1), today=date(2026, 11, 29))

    assert stages == [lead]
    assert moved == []


def test_the_days_left_and_elapsed_make_the_whole_month():
    assert float(left_share(date(2026, 11, 29))) == pytest.approx(1 / 30)
    assert left_share(date(2026, 11, 30)) == 0
    assert left_share(date(2026, 11, 1)) + elapsed_share(date(2026, 11, 1)) == 1


def test_seasonality_from_few_deals_is_pulled_toward_an_average_month():
    from decimal import Decimal

    from funnel.assumptions import seasonality_weights

    # June rests on two deals of 30,000, the other months on ten of 10,000 each: the raw
    # ratio says June is 0.33 of an average month (or, with one more deal, 0.5).
    revenue = {m: (Decimal(100_000), 10) for m in range(1, 13) if m != 6}
    revenue[6] = (Decimal(30_000), 2)

    weights = seasonality_weights(revenue)

    assert sum(weights.values()) == pytest.approx(12, abs=0.01)
    assert Decimal("0.75") < weights[6] < 1  # pulled toward 1: two deals say little
    assert weights[1] == weights[12]
    no_december = seasonality_weights({m: (Decimal(50_000), 10) for m in range(1, 12)})
    assert no_december[12] == no_december[1] == 1  # no history: an average month, not 0


def test_a_learned_plan_takes_at_most_the_channels_a_plan_holds():
    from decimal import Decimal

    from funnel.assumptions import Figure, Learned

    learned = Learned(start=date(2026, 1, 1), end=date(2027, 1, 1), stages=["lead", "customer"])
    learned.cost_per_lead = {f"c{i:02d}": Figure(Decimal(10), 100 + i) for i in range(60)}

    shares = learned.channel_shares(most=50)

    assert len(shares) == 50
    assert "c59" in shares  # the largest are kept
    assert "c00" not in shares
    assert sum(share for share, _ in shares.values()) == 1
