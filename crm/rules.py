"""The CRM's business rules, each written once: in Python for the record a service writes,
and beside it its SQL twin for the many rows an import (or the demo) writes at once.
tests/crm/test_rules.py runs both forms on the same cases.

The Python forms are pure (no database); the SQL twins take a cursor and the rows' ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from crm.models import Deal, LeadStageChange

# --- A deal's kind: new, repeat or reactivation ---------------------------------------------

REPEAT_WINDOW = timedelta(days=365)


def deal_date(created_at: datetime | None, closed_at: datetime | None) -> datetime | None:
    """The date a deal's kind is judged at: when it was opened, else (unknown in some
    exports) when it closed."""
    return created_at or closed_at


def deal_kind(when: datetime | None, earlier_wins: Iterable[datetime]) -> str:
    """new: the company never won with us before; repeat: its last win is within the 12
    months before `when`; reactivation: it won before, but longer ago."""
    wins = [win for win in earlier_wins if when is None or win < when]
    if not wins:
        return Deal.Kind.NEW
    if when is None or when - max(wins) <= REPEAT_WINDOW:
        return Deal.Kind.REPEAT
    return Deal.Kind.REACTIVATION


# The SQL twin of deal_date and deal_kind, for every deal of some companies at once: a
# deal's earlier wins are the other won deals of its company closed before its date.
DEAL_KINDS_SQL = """
    UPDATE crm_deal d SET kind = k.kind FROM (
        SELECT d.id, CASE WHEN w.last_win IS NULL THEN %(new)s
            WHEN COALESCE(d.created_at, d.closed_at) IS NULL
            OR COALESCE(d.created_at, d.closed_at) - w.last_win <= %(window)s THEN %(repeat)s
            ELSE %(reactivation)s END AS kind
        FROM crm_deal d LEFT JOIN LATERAL (
            SELECT max(x.closed_at) AS last_win FROM crm_deal x
            WHERE x.company_id = d.company_id AND x.status = %(won)s AND x.id <> d.id
            AND (COALESCE(d.created_at, d.closed_at) IS NULL
                OR x.closed_at < COALESCE(d.created_at, d.closed_at))
        ) w ON true
        WHERE d.organization_id = %(org)s AND d.company_id = ANY(%(companies)s)
    ) k WHERE k.id = d.id AND d.kind <> k.kind
"""


def derive_deal_kinds(cursor: Any, organization_id: int, company_ids: list[int]) -> None:
    """Set the kind of every deal of these companies (deal_kind, in SQL)."""
    cursor.execute(
        DEAL_KINDS_SQL,
        {
            "org": organization_id,
            "companies": company_ids,
            "window": REPEAT_WINDOW,
            "won": Deal.Status.WON.value,
            "new": Deal.Kind.NEW.value,
            "repeat": Deal.Kind.REPEAT.value,
            "reactivation": Deal.Kind.REACTIVATION.value,
        },
    )


# --- A won deal makes its lead a customer ---------------------------------------------------


def customer_since(
    *,
    stage: str,
    created_at: datetime,
    deals: Iterable[tuple[str, datetime | None]],
    customer_stage: str | None,
) -> datetime | None:
    """When a lead becomes a customer through its deals, given as (status, close date):
    at the close of its earliest won deal, never before the lead entered the funnel. None
    when no deal is won, the lead is a customer already, or no stage is the customer stage."""
    if customer_stage is None or stage == customer_stage:
        return None
    return won_since(created_at=created_at, deals=deals)


def won_since(
    *, created_at: datetime, deals: Iterable[tuple[str, datetime | None]]
) -> datetime | None:
    """customer_since for a lead not at the customer stage: the close of its earliest won
    deal, never before the lead entered the funnel; None when no deal is won."""
    closes = [closed for status, closed in deals if status == Deal.Status.WON and closed]
    if not closes:
        return None
    return max(min(closes), created_at)


# The SQL twin of customer_since for many leads at once: the leads of won deals move to
# the customer stage, and the move is recorded in their history as a deal won.
WIN_MAKES_CUSTOMERS_SQL = """
    WITH won AS (
        SELECT DISTINCT ON (l.id) l.id, l.stage AS old_stage,
            GREATEST(d.closed_at, l.created_at) AS at
        FROM crm_deal d JOIN crm_lead l ON l.id = d.lead_id
        WHERE d.organization_id = %(org)s AND d.status = %(won)s AND l.stage <> %(customer)s
        AND d.lead_id IN ({lead_ids}) ORDER BY l.id, d.closed_at
    ), moved AS (
        UPDATE crm_lead l SET stage = %(customer)s, stage_changed_at = won.at
        FROM won WHERE l.id = won.id RETURNING l.id
    ) INSERT INTO crm_leadstagechange (organization_id, lead_id, from_stage, to_stage, at, source)
    SELECT %(org)s, id, old_stage, %(customer)s, at, %(source)s FROM won
"""


def win_makes_customers(
    cursor: Any, organization_id: int, lead_ids_sql: str, customer_stage: str | None
) -> None:
    """Move the leads `lead_ids_sql` selects that have a won deal to `customer_stage`
    (customer_since, in SQL), recording each move. Without a customer stage (None) no lead
    moves: `stage <> NULL` holds for no row."""
    cursor.execute(
        WIN_MAKES_CUSTOMERS_SQL.format(lead_ids=lead_ids_sql),
        {
            "org": organization_id,
            "won": Deal.Status.WON.value,
            "customer": customer_stage,
            "source": LeadStageChange.Source.DEAL_WON.value,
        },
    )
