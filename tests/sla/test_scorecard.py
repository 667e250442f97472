"""The scorecard's arithmetic, without a database: pro-rating, shares that are not a
misleading zero, and the shortfall in volume, quality and speed."""

from decimal import Decimal

import pytest

from sla.scorecard import Counts, PlanRates, prorated, rate_between, share, shortfall

RATES = {"lead->mql": Decimal("0.5"), "mql->sql": Decimal("0.5"), "sql->customer": Decimal("0.2")}
STAGES = ["lead", "mql", "sql", "customer"]
PLAN = PlanRates(handoff_to_customer=Decimal("0.1"), accepted_to_customer=Decimal("0.2"),
                 average_deal=Decimal("20000"))  # fmt: skip


def counts(**changes):
    base = {"committed": 100, "delivered": 80, "decided": 80, "accepted": 48,
            "acceptance_bar": Decimal("0.7"), "touch_due": 80, "within_window": 60,
            "won_within": 12, "won_late": 2}  # fmt: skip
    return Counts(**(base | changes))


def test_the_plans_rate_from_a_stage_to_another_is_the_product_of_its_steps():
    assert rate_between(STAGES, RATES, "mql", "customer") == Decimal("0.1")
    assert rate_between(STAGES, RATES, "lead", "customer") == Decimal("0.05")
    assert rate_between(STAGES, RATES, "sql", "mql") is None  # backwards
    assert rate_between(STAGES, {}, "mql", "customer") is None  # the plan lacks a step


@pytest.mark.parametrize(("elapsed", "due"), [("0", 0), ("0.5", 20), ("0.49", 20), ("1", 40)])
def test_a_months_commitment_is_due_as_its_working_time_goes_by(elapsed, due):
    assert prorated(40, Decimal(elapsed)) == due


def test_a_share_of_nothing_is_not_measured_rather_than_zero():
    assert share(0, 0) is None
    assert share(1, 3) == Decimal("0.3333")


def test_the_shortfall_in_volume_quality_and_speed():
    parts = shortfall(counts(), PLAN)

    # 20 MQLs missing, at 10 % to a customer of 20,000 each.
    assert (parts["volume"].mqls, parts["volume"].customers) == (Decimal(20), Decimal("2.0"))
    assert parts["volume"].revenue == Decimal("40000.00")
    # 80 decided x 70 % = 56 accepted wanted, 48 were: 8, at 20 % from the accepted stage.
    assert (parts["quality"].mqls, parts["quality"].customers) == (Decimal(8), Decimal("1.6"))
    # 20 late; in time 12/60 = 20 % won, late 2/20 = 10 %: half their chance lost.
    # 20 x 0.5 x 10 % = 1 customer.
    assert parts["speed"].mqls == Decimal(20)
    assert parts["speed"].customers == Decimal("1.0")
    assert parts["speed"].revenue == Decimal("20000.00")


def test_what_speed_is_worth_needs_enough_history_on_both_sides():
    part = shortfall(counts(within_window=10, won_within=2), PLAN)["speed"]

    assert part.customers is None
    assert part.note == "not_enough_history"


def test_without_a_plan_the_shortfall_is_counted_in_mqls_only():
    parts = shortfall(counts(), PlanRates(None, None, None))

    assert parts["volume"].mqls == 20
    assert parts["volume"].customers is None
    assert parts["volume"].note == "no_plan"


def test_a_team_over_its_commitment_owes_nothing():
    parts = shortfall(counts(delivered=120, accepted=80, decided=80, within_window=80), PLAN)

    assert [parts[k].mqls for k in ("volume", "quality", "speed")] == [0, 0, 0]
