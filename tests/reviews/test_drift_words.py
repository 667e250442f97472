"""What a plan at risk says in a notification: the stage, by how much, and what it costs,
with numbers as the reader's language writes them; and what an older event said. And a
stored row's words (reviews.drift_words), as pages, the pack and the digest show them."""

from decimal import Decimal

from django.utils import translation

from reviews.drift_words import drift_words
from reviews.models import PlanDrift
from reviews.words import signed, title
from smarketing.lib.events import Kind

RATE = {
    "plan_name": "FY2027", "stage_name": "Lead → MQL", "metric": "rate", "assumed": "0.2500",
    "measured": "0.1820", "customers_delta": -12, "revenue_delta": "-84000.00",
}  # fmt: skip


def test_a_rate_says_what_was_measured_against_what_was_assumed():
    assert title(Kind.PLAN_AT_RISK, RATE) == (
        "Plan “FY2027” is at risk: Lead → MQL converts 18.2%, not the 25.0% assumed "
        "(-12 customers at current rates)"
    )


def test_a_stage_time_says_days_and_a_gain_its_sign():
    data = {
        **RATE,
        "metric": "days",
        "assumed": "20.0000",
        "measured": "12.5",
        "customers_delta": 1,
    }

    assert title(Kind.PLAN_AT_RISK, data) == (
        "Plan “FY2027” is at risk: Lead → MQL takes 12.5 days, not the 20.0 assumed "
        "(+1 customer at current rates)"
    )


def test_no_customers_at_stake_and_an_older_event_say_less():
    assert title(Kind.PLAN_AT_RISK, {**RATE, "customers_delta": 0}).endswith("25.0% assumed")
    assert title(Kind.PLAN_AT_RISK, {"plan_name": "FY2027", "stage_name": "Lead → MQL"}) == (
        "Plan “FY2027” is at risk: Lead → MQL drifts from its assumption"
    )


def test_the_readers_language_writes_the_numbers():
    with translation.override("it"):
        words = title(Kind.PLAN_AT_RISK, {**RATE, "customers_delta": -1200})

    assert "18,2%" in words
    assert "-1.200" in words
    assert signed(3) == "+3"


def test_a_rows_customers_and_revenue_carry_their_signs_and_a_row_within_says_none():
    names = {"lead": "Lead", "mql": "MQL"}
    gain = PlanDrift(stage="lead->mql", metric="rate", assumed=Decimal("0.25"),
                     measured=Decimal("0.4"), low=Decimal("0.3"), high=Decimal("0.5"), sample=90,
                     direction="above", customers_delta=2, revenue_delta=Decimal("20000"))  # fmt: skip
    within = PlanDrift(stage="lead->mql", metric="days", assumed=Decimal("5"),
                       measured=Decimal("5"), low=Decimal("4"), high=Decimal("6"), sample=30,
                       direction="within")  # fmt: skip

    words = drift_words(gain, stage_names=names, currency="EUR")
    assert (words.customers, words.revenue) == ("+2", "+€20,000")
    assert words.impact == "at current rates +2 customers, +€20,000 revenue"
    quiet = drift_words(within, stage_names=names, currency="EUR")
    assert (quiet.customers, quiet.revenue, quiet.impact) == ("", "", "")
    assert quiet.interval == "4.0–6.0"
