"""One MQL's clock, without a database: response time in business hours, the window, attempts,
the decision, and each breach once its deadline has passed."""

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sla.calendar import WorkingTime
from sla.clock import Terms, lead_clock

ROME = ZoneInfo("Europe/Rome")
WEEK = WorkingTime(ROME, frozenset({1, 2, 3, 4, 5}), time(9), time(18), frozenset())
TERMS = Terms(first_touch_hours=Decimal(4), attempts=3, attempts_days=2, decision_days=3)


def rome(text):
    return datetime.fromisoformat(text).replace(tzinfo=ROME)


FRIDAY_EVENING = rome("2027-01-15 17:30")


def clock(touches=(), decision=None, now="2027-01-25 12:00", terms=TERMS):
    return lead_clock(handoff_at=FRIDAY_EVENING, touches=[rome(t) for t in touches],
                      decision=decision, terms=terms, calendar=WEEK, now=rome(now))  # fmt: skip


def test_a_touch_on_monday_morning_is_within_a_four_hour_window():
    found = clock(touches=["2027-01-18 09:45", "2027-01-18 15:00", "2027-01-19 10:00"],
                  decision=("accepted", rome("2027-01-19 11:00"), ""))  # fmt: skip

    assert found.response_business_hours == Decimal("1.25")
    assert found.first_touch_at == rome("2027-01-18 09:45")
    assert found.within_window is True
    assert found.attempts == 3
    assert found.decision == "accepted"
    assert found.breaches == []


def test_a_late_first_touch_and_a_late_decision_are_breaches_with_their_deadlines():
    # 4 business hours after Friday 17:30: Monday 12:30. Two business days of attempts:
    # Tuesday 17:30. Three business days for the decision: Wednesday 17:30.
    found = clock(
        touches=["2027-01-18 14:00"], decision=("rejected", rome("2027-01-21 09:00"), "no_budget")
    )

    assert found.within_window is False
    assert [(b.kind, b.due) for b in found.breaches] == [
        ("first_touch", rome("2027-01-18 12:30")),
        ("attempts", rome("2027-01-19 17:30")),
        ("decision", rome("2027-01-20 17:30")),
    ]
    assert found.reason == "no_budget"


def test_nothing_is_a_breach_before_its_deadline():
    found = clock(now="2027-01-18 11:00")

    assert found.within_window is None  # the window is still open
    assert found.breaches == []
    later = clock(now="2027-01-18 13:00")
    assert later.within_window is False
    assert [b.kind for b in later.breaches] == ["first_touch"]


def test_a_decision_before_the_attempts_deadline_waives_the_attempts():
    found = clock(
        touches=["2027-01-18 09:30"], decision=("rejected", rome("2027-01-18 10:00"), "duplicate")
    )

    assert [b.kind for b in found.breaches] == []


def test_without_an_agreement_the_clock_measures_but_judges_nothing():
    found = clock(touches=["2027-01-18 09:45"], terms=None)

    assert found.response_business_hours == Decimal("1.25")
    assert found.within_window is None
    assert found.breaches == []


def test_a_lead_never_handed_over_has_no_clock():
    found = lead_clock(
        handoff_at=None,
        touches=[],
        decision=None,
        terms=TERMS,
        calendar=WEEK,
        now=rome("2027-01-25 12:00"),
    )

    assert (found.handoff_at, found.response_business_hours, found.breaches) == (None, None, [])


def test_a_decision_before_the_touch_was_due_waives_the_touch_and_a_later_one_does_not():
    early = clock(decision=("rejected", rome("2027-01-18 10:00"), "duplicate"))
    late = clock(decision=("rejected", rome("2027-01-18 13:00"), "duplicate"))

    assert early.within_window is None  # nothing was owed: sales decided from the record
    assert early.breaches == []
    assert late.within_window is False
    assert [b.kind for b in late.breaches] == ["first_touch"]
