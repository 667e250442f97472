"""The pulse's arithmetic and the alignment index on constructed data, without a database:
scores turned round onto 0 to 100, the anonymity threshold per team, comments in an order
that says nothing of who wrote them, the periods and their answering window, and the index
of the parts that have data, each weighted as documented."""

from datetime import date
from decimal import Decimal

import pytest

from reviews.alignment import (
    WEIGHTS,
    alignment_index,
    delivered_share,
    mean_share,
    on_track_share,
    shared_weight,
    weighted,
)
from reviews.pulse import (
    MIN_ANSWERS,
    STATEMENTS,
    aligned,
    closing_day,
    due_to_open,
    next_opening,
    period_end,
    period_of,
    pulse_score,
    team_result,
)


def answer(**scores):
    return {code: scores.get(code, 1) for code in STATEMENTS}


def test_it_turns_agreement_with_the_signs_round_onto_100_for_aligned():
    assert aligned(Decimal(1)) == 100
    assert aligned(Decimal(5)) == 0
    assert aligned(Decimal(3)) == 50
    assert aligned(Decimal("2.2")) == Decimal("70.0")


def test_two_answers_are_hidden_three_are_shown():
    two = team_result("sales", [answer(), answer(stuck=5)], ["a", "b"], closed=True)
    three = team_result("sales", [answer(), answer(stuck=5), answer(conflict=3)], [], closed=True)

    assert MIN_ANSWERS == 3
    assert (two.shown, two.answers, two.missing) == (False, 2, 1)
    assert two.score is None
    assert two.means is None
    assert two.comments == ()
    assert three.means is not None
    assert three.scores is not None
    assert three.shown
    assert three.answers == 3
    assert three.missing == 0
    # 15 scores: thirteen 1s, a 5 and a 3 -> a mean of 21 / 15 = 1.4 -> (5 - 1.4) / 4 = 90
    assert three.score == Decimal("90.0")
    # "stuck": 1, 5, 1 -> 7 / 3 = 2.33 (its score from the exact mean: 66.7, not 66.8)
    assert three.means["stuck"] == Decimal("2.33")
    assert three.scores["stuck"] == Decimal("66.7")
    assert three.means["conflict"] == Decimal("1.67")
    assert three.means["overlap"] == Decimal("1.00")
    assert three.scores["overlap"] == 100


def test_an_open_pulse_shows_nothing_however_many_answered():
    result = team_result("marketing", [answer()] * 5, ["fine"], closed=False)

    assert not result.shown
    assert result.answers == 5
    assert result.comments == ()


def test_comments_come_ordered_by_their_text_and_blank_ones_are_dropped():
    result = team_result(
        "marketing", [answer()] * 3, ["zebra", "", "Apple", "  ", "banana"], closed=True
    )

    assert result.comments == ("Apple", "banana", "zebra")


def test_the_pulse_part_is_the_mean_of_the_teams_shown_each_counting_the_same():
    marketing = team_result("marketing", [answer()] * 3, [], closed=True)  # 100
    sales = team_result("sales", [answer(**dict.fromkeys(STATEMENTS, 3))] * 9, [], closed=True)
    hidden = team_result("sales", [answer()] * 2, [], closed=True)

    assert pulse_score([marketing, sales]) == 75
    assert pulse_score([marketing, hidden]) == 100
    assert pulse_score([hidden]) is None


@pytest.mark.parametrize(
    ("day", "cadence", "period", "end"),
    [
        (date(2026, 5, 17), "monthly", date(2026, 5, 1), date(2026, 6, 1)),
        (date(2026, 5, 17), "quarterly", date(2026, 4, 1), date(2026, 7, 1)),
        (date(2026, 12, 31), "quarterly", date(2026, 10, 1), date(2027, 1, 1)),
        (date(2026, 1, 1), "quarterly", date(2026, 1, 1), date(2026, 4, 1)),
    ],
)
def test_periods_are_months_or_calendar_quarters(day, cadence, period, end):
    assert period_of(day, cadence) == period
    assert period_end(period, cadence) == end


def test_a_pulse_answers_for_14_days_never_past_its_period():
    assert closing_day(date(2026, 5, 1), "monthly", date(2026, 5, 1)) == date(2026, 5, 15)
    assert closing_day(date(2026, 5, 1), "monthly", date(2026, 5, 25)) == date(2026, 6, 1)
    assert closing_day(date(2026, 4, 1), "quarterly", date(2026, 5, 25)) == date(2026, 6, 8)


def test_the_beat_opens_a_period_only_during_its_first_14_days():
    assert due_to_open(date(2026, 5, 1), "monthly") == date(2026, 5, 1)
    assert due_to_open(date(2026, 5, 14), "monthly") == date(2026, 5, 1)
    assert due_to_open(date(2026, 5, 15), "monthly") is None
    assert due_to_open(date(2026, 5, 3), "quarterly") is None  # its quarter began in April
    assert due_to_open(date(2026, 7, 3), "quarterly") == date(2026, 7, 1)


def test_the_next_pulse_opens_today_if_its_period_is_young_and_had_none():
    assert next_opening(date(2026, 5, 3), "monthly", held=False) == date(2026, 5, 3)
    assert next_opening(date(2026, 5, 3), "monthly", held=True) == date(2026, 6, 1)
    assert next_opening(date(2026, 5, 20), "monthly", held=False) == date(2026, 6, 1)
    assert next_opening(date(2026, 5, 20), "quarterly", held=False) == date(2026, 7, 1)


def test_the_index_is_the_weighted_mean_of_all_six_parts():
    values = {
        "pulse": Decimal("0.60"), "sla_marketing": Decimal("0.90"), "sla_sales": Decimal("0.50"),
        "acceptance": Decimal("0.70"), "incentives": Decimal("0.40"), "on_track": Decimal("1"),
    }  # fmt: skip

    index = alignment_index(values)

    # 0.25 x 0.6 + 0.15 x (0.9 + 0.5 + 0.7 + 0.4 + 1.0) = 0.15 + 0.525 = 0.675
    assert sum(WEIGHTS.values()) == 1
    assert index.score == Decimal("67.5")
    assert [p.code for p in index.parts] == list(WEIGHTS)
    assert all(p.weight_used == p.weight for p in index.parts)
    assert index.missing == []


def test_a_part_without_data_is_left_out_and_the_others_weights_rescaled():
    index = alignment_index(
        {"pulse": Decimal("0.8"), "acceptance": Decimal("0.5"), "on_track": None}
    )

    # (0.25 x 0.8 + 0.15 x 0.5) / 0.40 = 0.275 / 0.4 = 0.6875
    assert index.score == Decimal("68.8")
    parts = {p.code: p for p in index.parts}
    assert parts["pulse"].weight_used == Decimal("0.625")
    assert parts["acceptance"].weight_used == Decimal("0.375")
    assert parts["on_track"].value is None
    assert parts["on_track"].weight_used == 0
    assert parts["on_track"].weight == Decimal("0.15")
    assert index.missing == ["sla_marketing", "sla_sales", "incentives", "on_track"]


def test_without_any_data_there_is_no_index():
    index = alignment_index({})

    assert index.score is None
    assert len(index.missing) == len(WEIGHTS)


def test_the_measured_parts_from_their_figures():
    assert delivered_share(4, 4) == 1
    assert delivered_share(6, 4) == 1  # delivering more does not make up for another part
    assert delivered_share(3, 4) == Decimal("0.75")
    assert delivered_share(3, 0) is None
    assert mean_share([Decimal("0.5"), None, Decimal("0.75"), Decimal("0.5")]) == Decimal("0.5833")
    assert mean_share([None, None]) is None
    teams = {
        "marketing": {"weight": Decimal(30), "on_shared": Decimal(30)},
        "sales": {"weight": Decimal(70), "on_shared": Decimal(40)},
    }
    assert shared_weight(teams) == Decimal("0.7")
    assert shared_weight({"marketing": {"weight": Decimal(0), "on_shared": Decimal(0)}}) is None
    assert on_track_share(["on_track", "achieved", "off_track", "missed", "early"]) == Decimal(
        "0.5"
    )
    assert on_track_share(["not_started", "early"]) is None


def test_a_quarter_weights_its_months_by_their_mqls():
    # 10 MQLs at 50 %, 30 at 90 %, a month without any: (5 + 27) / 40 = 0.8
    assert weighted([(Decimal("0.5"), 10), (Decimal("0.9"), 30), (None, 0)]) == Decimal("0.8")
    assert weighted([(None, 0), (Decimal("0.4"), 0)]) is None
