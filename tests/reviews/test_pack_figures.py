"""The review pack's arithmetic, on plain rows: no database."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from reviews.pack_figures import (
    follow_up,
    journey,
    last_day,
    pack_months,
    parse_month,
    ranked,
    read_to,
    result_line,
)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-03", date(2026, 3, 1)),
        ("1990-01", date(1990, 1, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("2026-3", None),
        ("0001-01", None),  # before any business date
        ("0000-01", None),  # before the calendar
        ("9999-12", None),
        ("2026-03-01", None),
        ("", None),
        (None, None),
        ("२०२६-०३", None),  # digits of another script are not a month
    ],
)
def test_it_reads_a_month_written_yyyy_mm_and_nothing_else(text, month):
    assert parse_month(text) == month


def test_a_pack_reads_an_ended_month_to_its_last_day_and_the_running_one_to_today():
    assert last_day(date(2028, 2, 1)) == date(2028, 2, 29)
    assert read_to(date(2026, 2, 1), date(2026, 11, 30)) == date(2026, 2, 28)
    assert read_to(date(2026, 11, 1), date(2026, 11, 12)) == date(2026, 11, 12)


def test_the_packs_run_from_the_first_data_to_the_month_under_way():
    months = pack_months(
        first_data=date(2024, 5, 1), joined=date(2026, 9, 1), this_month=date(2026, 11, 1)
    )

    assert (months.first, months.last) == (date(2024, 5, 1), date(2026, 11, 1))
    assert months.holds(date(2024, 5, 1))
    assert months.holds(date(2026, 11, 1))
    assert not months.holds(date(2024, 4, 1))
    assert not months.holds(date(2026, 12, 1))
    assert months.latest_ended() == date(2026, 10, 1)


def test_an_organisation_without_data_has_the_packs_from_the_month_it_joined():
    months = pack_months(first_data=None, joined=date(2026, 11, 1), this_month=date(2026, 11, 1))

    assert months.first == months.last == date(2026, 11, 1)
    assert months.latest_ended() == date(2026, 11, 1)  # none is over: the one under way


def _rows(stage, targets, actuals):
    return [
        {"month": date(2026, m, 1), "stage": stage, "channel": "", "target": t,
         "actual": actuals.get(m, 0)}
        for m, t in targets.items()
    ]  # fmt: skip


def test_the_journey_of_an_ended_month_holds_it_against_its_whole_target_and_the_plan_to_date():
    rows = [
        *_rows("lead", {1: 100, 2: 100, 3: 100}, {1: 90, 2: 120, 3: 50}),
        *_rows("customer", {2: 10, 3: 10}, {2: 4, 3: 6}),
    ]

    lead, customer = journey(rows, ["lead", "mql", "customer"], month=date(2026, 2, 1),
                             to=date(2026, 2, 28))  # fmt: skip

    assert (lead.stage, lead.target, lead.due, lead.actual, lead.variance) == (
        "lead",
        100,
        100,
        120,
        20,
    )
    assert lead.attainment == Decimal("1.2000")
    # January and February, not March: the plan to the end of the month read
    assert (lead.plan_due, lead.plan_actual, lead.plan_variance) == (200, 210, 10)
    assert lead.plan_attainment == Decimal("1.0500")
    assert lead.plan_target == 300
    assert (customer.target, customer.actual, customer.variance) == (10, 4, -6)
    assert customer.attainment == Decimal("0.4000")


def test_the_running_month_is_held_against_its_target_pro_rated_to_today():
    rows = _rows("lead", {11: 300}, {11: 90})

    (lead,) = journey(rows, ["lead"], month=date(2026, 11, 1), to=date(2026, 11, 10))

    assert (lead.target, lead.due, lead.actual) == (300, 100, 90)  # 10 of 30 days gone
    assert lead.variance == -10
    assert lead.attainment == Decimal("0.9000")


def test_a_stage_without_a_target_in_the_month_is_due_nothing():
    rows = _rows("lead", {1: 50}, {1: 50, 2: 7})

    (lead,) = journey(rows, ["lead"], month=date(2026, 2, 1), to=date(2026, 2, 28))

    assert (lead.target, lead.due, lead.attainment) == (0, 0, None)
    assert lead.plan_due == 50


def _kpis(leads=0, mqls=0, customers=0, revenue="0", cost="0"):
    cost, revenue = Decimal(cost), Decimal(revenue)
    return {
        "leads": leads, "mqls": mqls, "new_customers": customers, "won_revenue": revenue,
        "cost": cost, "cost_per_lead": (cost / leads).quantize(Decimal("0.01")) if leads else None,
        "roi": ((revenue - cost) / cost).quantize(Decimal("0.0001")) if cost else None,
    }  # fmt: skip


def test_results_rank_the_best_first_and_drop_the_rows_of_campaigns_long_over():
    lines = [
        result_line(None, "No channel", _kpis(leads=3)),
        result_line("email", "E-mail", _kpis(leads=10, mqls=5, cost="50")),
        result_line("paid", "Paid search", _kpis(leads=4, customers=1, revenue="900", cost="400")),
        result_line(7, "Spring ads 2024", _kpis()),  # an empty row
        result_line("event", "Event", _kpis(leads=10, mqls=6, cost="500")),
    ]

    names = [line.name for line in ranked(lines)]

    assert names == ["Paid search", "Event", "E-mail", "No channel"]
    paid = ranked(lines)[0]
    assert paid.cost_per_lead == Decimal("100.00")
    assert paid.roi == Decimal("1.2500")


def _decision(month, done=False):
    return SimpleNamespace(month=month, done_at="2026-10-02" if done else None)


def test_a_pack_follows_up_the_last_review_and_the_open_decisions_of_earlier_ones():
    october, september, june = date(2026, 10, 1), date(2026, 9, 1), date(2026, 6, 1)
    decisions = [
        last_open := _decision(september), last_done := _decision(september, done=True),
        old_open := _decision(june), _decision(june, done=True), new := _decision(october),
        _decision(date(2026, 11, 1)),  # a later review's: not this pack's
    ]  # fmt: skip

    found = follow_up(decisions, october)

    assert found.last_review == [last_open, last_done]  # done or not
    assert found.carried_over == [old_open]  # only those still open
    assert found.this_review == [new]
