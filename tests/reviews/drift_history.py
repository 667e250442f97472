"""A history built so that one assumption of a plan clearly drifts and the others do not,
its figures worked out by hand (today is T; a day is T - n at noon UTC).

The plan assumes lead -> MQL 50 % in 5 days, MQL -> SQL 50 % in 10 days, SQL ->
opportunity 50 % in 15 days, opportunity -> customer 25 % in 30 days. Over a 90-day window
each pair measures the cohorts that entered between T - 90 - 3 x its days and T - 3 x its
days:

- lead -> MQL, [T-105, T-15): 200 leads entered, 60 moved on after 3 to 7 days (twelve of
  each): 30 %, whose 95 % interval (Wilson) lies below 50 %; at risk. Their median, 5 days,
  is the plan's: its interval (the 22nd and 39th of the 60, 4 and 6 days) holds it.
- MQL -> SQL, [T-120, T-30): 100 leads came in as MQLs, 50 moved on after 8 to 12 days:
  50 %, as assumed, in a median of 10 days, as assumed.
- SQL -> opportunity and opportunity -> customer: nobody entered in their windows (the 50
  SQLs above came after T-45); not measured.

The leads that moved on did so after their next pair's window ended, so that no cohort
holds another's leads.
"""

from datetime import UTC, date, datetime, time, timedelta

from crm.services.leads import lead_change_stage, lead_create
from funnel.services import plan_activate, plan_create
from smarketing.lib.months import add_months

STAGES = ["lead", "mql", "sql", "opportunity", "customer"]
INPUTS = {
    "revenue_goal": "1200000",
    "average_deal_size": "12000",
    "stages": STAGES,
    "conversion_rates": ["0.5", "0.5", "0.5", "0.25"],
    "stage_days": ["5", "10", "15", "30"],
}


def day(today: date, back: int) -> datetime:
    return datetime.combine(today - timedelta(days=back), time(12), tzinfo=UTC)


def build_history(org, today: date) -> None:
    for i in range(140):  # lead, and no further
        lead_create(organization=org, by=None, name=f"Lost {i}", stage="lead",
                    created_at=day(today, 16 + i % 84))  # fmt: skip
    for i in range(60):  # lead -> MQL after 3..7 days, MQL after T-30
        entered = day(today, 16 + i % 14)
        lead = lead_create(organization=org, by=None, name=f"Moved {i}", stage="lead",
                           created_at=entered)  # fmt: skip
        lead_change_stage(lead=lead, to_stage="mql", by=None,
                          at=entered + timedelta(days=3 + i % 5))  # fmt: skip
    for i in range(50):  # came in as MQLs, no further
        lead_create(organization=org, by=None, name=f"Stuck {i}", stage="mql",
                    created_at=day(today, 31 + i % 89))  # fmt: skip
    for i in range(50):  # MQL -> SQL after 8..12 days, SQL after T-45
        entered = day(today, 31 + i % 14)
        lead = lead_create(organization=org, by=None, name=f"Qualified {i}", stage="mql",
                           created_at=entered)  # fmt: skip
        lead_change_stage(lead=lead, to_stage="sql", by=None,
                          at=entered + timedelta(days=8 + i % 5))  # fmt: skip


def active_plan(org, first_month: date, months: int = 12, name: str = "FY plan"):
    """An active plan of `months` months from `first_month`: 100 customers at 12,000 each."""
    plan = plan_create(organization=org, by=None, name=name, first_month=first_month,
                       last_month=add_months(first_month, months - 1), inputs=INPUTS)  # fmt: skip
    return plan_activate(plan=plan)
