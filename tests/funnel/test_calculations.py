"""The reverse funnel, without a database."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel.calculations import ChannelInput, FunnelInput, FunnelInputError, allocate, calculate

STAGES = ["lead", "mql", "sql", "opportunity", "customer"]
RATES = [D("0.4"), D("0.5"), D("0.6"), D("0.25")]
YEAR = [f"2027-{m:02d}" for m in range(1, 13)]


def test_the_worked_example_of_the_domain():
    result = calculate(
        FunnelInput(
            stages=["lead", "customer"],
            conversion_rates=[D("0.02")],
            average_deal_size=D("25000"),
            baseline_revenue=D("4000000"),
            growth_pct=D("25"),
        )
    )

    assert result.revenue_goal == D("5000000")
    assert result.customers_needed == 200
    assert result.leads_needed == 10000


def test_decimal_counts_do_not_inherit_float_noise():
    result = calculate(
        FunnelInput(
            stages=["lead", "customer"],
            conversion_rates=[D("0.57")],
            average_deal_size=D(1),
            revenue_goal=D(57),
        )
    )

    assert (
        result.leads_needed == 100
    )  # 57 / 0.57 in floats is 100.00000000000001, which would round up to 101


def test_stages_months_and_channels_with_budget():
    channels = [
        ChannelInput("search", D("0.6"), D("40")),
        ChannelInput("social", D("0.4"), D("25")),
    ]
    result = calculate(
        FunnelInput(
            stages=STAGES,
            conversion_rates=RATES,
            average_deal_size=D("20000"),
            revenue_goal=D("2000000"),
            months=YEAR,
            seasonality=[D(1)] * 6 + [D("0.5")] * 2 + [D("1.5")] * 4,
            stage_days=[D(10), D(20), D(30), D(60)],
            channels=channels,
        )
    )

    assert [s.needed for s in result.stages] == [3335, 1334, 667, 400, 100]
    assert result.month_shift == {"lead": 4, "mql": 4, "sql": 3, "opportunity": 2, "customer": 0}
    leads = result.stages[0]
    assert (
        min(leads.by_month) == "2026-09"
    )  # a customer in January 2027 needs its lead four months earlier
    assert sum(leads.by_month.values()) == leads.needed
    assert sum(leads.by_channel.values()) == 3335
    assert abs(leads.by_channel["search"] - D("0.6") * 3335) <= len(YEAR)  # split month by month
    assert result.budget == leads.by_channel["search"] * 40 + leads.by_channel["social"] * 25


def test_channel_shares_can_come_from_conversion_and_cost():
    channels = [
        ChannelInput("cheap", cost_per_lead=D(10), conversion=D("0.01")),
        ChannelInput("good", cost_per_lead=D(40), conversion=D("0.08")),
    ]

    result = calculate(
        FunnelInput(
            stages=["lead", "customer"],
            conversion_rates=[D("0.05")],
            average_deal_size=D(1000),
            revenue_goal=D(100000),
            channels=channels,
        )
    )

    assert result.channel_shares == {
        "cheap": D("0.3333333333333333333333333333"),
        "good": D("0.6666666666666666666666666667"),
    }
    assert sum(result.stages[0].by_channel.values()) == result.leads_needed == 2000


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"conversion_rates": [D(0)]}, "conversion_rates[0]", "greater than 0 and at most 1"),
        ({"conversion_rates": [D("1.2")]}, "conversion_rates[0]", "greater than 0 and at most 1"),
        ({"conversion_rates": [D("NaN")]}, "conversion_rates[0]", "greater than 0"),
        ({"conversion_rates": []}, "conversion_rates", "give 1 rates"),
        ({"average_deal_size": D(0)}, "average_deal_size", "greater than 0"),
        ({"average_deal_size": D("-5")}, "average_deal_size", "greater than 0"),
        ({"stages": [], "conversion_rates": []}, "stages", "at least one stage"),
        ({"stages": ["a", "a"]}, "stages", "appears twice"),
        ({"revenue_goal": None}, "revenue_goal", "baseline_revenue with growth_pct"),
        ({"revenue_goal": D("Infinity")}, "revenue_goal", "greater than 0"),
        (
            {"revenue_goal": None, "baseline_revenue": D(100), "growth_pct": D(-100)},
            "growth_pct",
            "greater than -100",
        ),
        ({"months": ["2027-02", "2027-01"]}, "months", "cannot end before it starts"),
        ({"months": ["2027-13"]}, "months", "not a month"),
        ({"months": YEAR, "seasonality": [D(1)]}, "seasonality", "one weight per month"),
        ({"months": ["2027-01"], "seasonality": [D(0)]}, "seasonality", "not all 0"),
        ({"stage_days": [D(-1)]}, "stage_days", "cannot be negative"),
        (
            {"channels": [ChannelInput("a", D("0.5")), ChannelInput("b", D("0.4"))]},
            "channels",
            "add up to 0.9, not 1",
        ),
        (
            {"channels": [ChannelInput("a", D("1")), ChannelInput("a", D("0"))]},
            "channels",
            "appears twice",
        ),
        ({"channels": [ChannelInput("a", D("1"), D("-1"))]}, "channels", "cannot be negative"),
        ({"channels": [ChannelInput("a", None, D(10))]}, "channels", "give a conversion"),
    ],
)
def test_bad_inputs_name_their_field(changes, field, message):
    data = {
        "stages": ["lead", "customer"],
        "conversion_rates": [D("0.1")],
        "average_deal_size": D(100),
        "revenue_goal": D(1000),
        **changes,
    }

    with pytest.raises(FunnelInputError) as error:
        calculate(FunnelInput(**data))

    assert error.value.field == field
    assert message in error.value.message


def test_allocation_adds_up_and_follows_the_weights():
    assert allocate(10, [D(1), D(1), D(1)]) == [4, 3, 3]
    assert allocate(0, [D(1), D(2)]) == [0, 0]
    assert allocate(7, [D(0), D(1)]) == [0, 7]


rates = st.lists(st.decimals(min_value=D("0.01"), max_value=D(1), places=2), min_size=1, max_size=5)
goals = st.decimals(min_value=D(1000), max_value=D(10_000_000), places=2)
deal_sizes = st.decimals(min_value=D(100), max_value=D(100_000), places=2)


def funnel(goal, size, rate_list, **extra):
    stages = [f"s{i}" for i in range(len(rate_list) + 1)]
    return FunnelInput(
        stages=stages,
        conversion_rates=rate_list,
        average_deal_size=size,
        revenue_goal=goal,
        **extra,
    )


@settings(max_examples=200, deadline=None)
@given(goals, deal_sizes, rates)
def test_pushing_the_targets_down_through_the_rates_reaches_the_goal(goal, size, rate_list):
    result = calculate(funnel(goal, size, rate_list))

    flowing = D(result.stages[0].needed)
    for rate in rate_list:
        flowing *= rate
    assert flowing * size >= goal * (1 - D("1e-20"))


@settings(max_examples=200, deadline=None)
@given(
    goals,
    deal_sizes,
    rates,
    st.decimals(min_value=D("0.01"), max_value=D(5), places=2),
    st.integers(0, 4),
)
def test_targets_never_fall_when_the_goal_rises_or_a_rate_falls(
    goal, size, rate_list, raise_by, which
):
    base = [s.needed for s in calculate(funnel(goal, size, rate_list)).stages]
    higher_goal = [
        s.needed for s in calculate(funnel(goal * (1 + raise_by), size, rate_list)).stages
    ]
    i = which % len(rate_list)
    lower = list(rate_list)
    lower[i] = max(D("0.01"), lower[i] / 2)
    lower_rate = [s.needed for s in calculate(funnel(goal, size, lower)).stages]

    assert all(h >= b for h, b in zip(higher_goal, base, strict=True))
    assert all(lo >= b for lo, b in zip(lower_rate, base, strict=True))


@settings(max_examples=100, deadline=None)
@given(
    goals,
    deal_sizes,
    rates,
    st.lists(st.decimals(min_value=D(0), max_value=D(3), places=1), min_size=1, max_size=24),
    st.lists(st.integers(1, 100), min_size=1, max_size=6),
)
def test_months_and_channels_add_up_to_the_totals(goal, size, rate_list, weights, share_points):
    if sum(weights) == 0:
        weights = [D(1)] * len(weights)
    months = [f"{2027 + i // 12}-{i % 12 + 1:02d}" for i in range(len(weights))]
    total = sum(share_points)
    channels = [ChannelInput(f"c{i}", D(p) / total, D(10)) for i, p in enumerate(share_points)]
    channels[-1] = ChannelInput(
        channels[-1].code, D(1) - sum((c.share or D(0) for c in channels[:-1]), D(0)), D(10)
    )
    result = calculate(
        funnel(goal, size, rate_list, months=months, seasonality=weights, channels=channels)
    )

    for stage in result.stages:
        assert sum(stage.by_month.values()) == stage.needed
        assert sum(stage.by_channel.values()) == stage.needed
        for month, row in stage.by_month_and_channel.items():
            assert sum(row.values()) == stage.by_month[month]


def test_what_if_a_rate_improves_five_points():
    from funnel.calculations import Scenario, what_if

    base = FunnelInput(
        stages=STAGES,
        conversion_rates=RATES,
        average_deal_size=D("20000"),
        revenue_goal=D("2000000"),
        channels=[ChannelInput("search", D(1), D(40))],
    )

    comparison = what_if(base, Scenario(rate_points={"mql->sql": D("0.05")}))

    assert comparison["plan"]["leads_needed"] == 3335
    assert comparison["scenario"]["stages"]["mql"] == 1213  # 667 / 0.55, rounded up
    assert comparison["difference"]["leads_needed"] == 3033 - 3335
    assert comparison["difference"]["budget"] == D(40) * (3033 - 3335)


def test_what_if_refuses_an_unknown_pair_or_a_rate_pushed_past_1():
    from funnel.calculations import Scenario, what_if

    base = FunnelInput(
        stages=["lead", "customer"],
        conversion_rates=[D("0.98")],
        average_deal_size=D(1),
        revenue_goal=D(10),
    )

    with pytest.raises(FunnelInputError, match="no stage pair mql->sql"):
        what_if(base, Scenario(rate_points={"mql->sql": D("0.05")}))
    with pytest.raises(FunnelInputError) as error:
        what_if(base, Scenario(rate_points={"lead->customer": D("0.05")}))
    assert error.value.field == "conversion_rates[0]"
