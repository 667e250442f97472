"""What written deals change beside themselves: the leads of won deals become customers
(after each wave), and the kinds of their companies' deals (once every row is in)."""

from __future__ import annotations

from typing import Any

from crm.imports.writing.marks import mark_deals_of
from crm.imports.writing.staging import STAGING, Target
from crm.rules import derive_deal_kinds, win_makes_customers


def after_deal_wave(cursor: Any, target: Target) -> set[int]:
    """Move the leads of the wave's won deals to the customer stage; return the companies
    whose deals' kinds are to be derived once every row is in."""
    if target.mapping.kind != "deals":
        return set()
    companies: set[int] = set()
    if "company_id" in target.staging_columns:
        cursor.execute(f"SELECT DISTINCT company_id FROM {STAGING} WHERE company_id IS NOT NULL")
        companies.update(row[0] for row in cursor.fetchall())
    if "lead_id" in target.staging_columns:
        win_makes_customers(
            cursor, target.organization_id, f"SELECT lead_id FROM {STAGING}", target.customer_stage
        )
    return companies


def derive_kinds(cursor: Any, target: Target, companies: set[int]) -> None:
    """Derive the kind of every deal of these companies, and mark their KPI cells."""
    ordered = sorted(companies)
    derive_deal_kinds(cursor, target.organization_id, ordered)
    mark_deals_of(target, ordered)
