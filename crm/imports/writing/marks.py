"""The KPI cells a wave's rows make stale, marked in the CRM's change journal."""

from __future__ import annotations

from crm.imports.writing.staging import CREATED_LEADS, Target
from crm.journal import mark_every_lead, mark_new_leads, mark_selected

# Whose KPI cells a written row makes stale, per kind: (cells of, the ids of those).
MARKS = {
    "leads": ("leads", "SELECT id FROM {table}"),
    "deals": ("deals", "SELECT id FROM {table}"),
    "campaigns": ("campaigns", "SELECT id FROM {table}"),
    "activities": (
        "leads",
        "SELECT lead_id FROM crm_activity WHERE id IN (SELECT id FROM {table})",
    ),
}


def mark_rows(target: Target, table: str) -> None:
    """Mark the cells of the rows whose ids `table` holds (CHANGING or TOUCHED); companies
    have no cells, but their leads' profiles change."""
    if target.mapping.kind == "companies":
        mark_every_lead(target.organization_id)
    if target.mapping.kind in MARKS:
        kind, ids = MARKS[target.mapping.kind]
        mark_selected(target.organization_id, kind, ids.format(table=table))
        if kind == "deals":  # a won deal moved its lead to customer
            mark_selected(
                target.organization_id,
                "leads",
                f"SELECT lead_id FROM crm_deal WHERE id IN ({ids.format(table=table)})",
            )


def mark_created_leads(target: Target) -> None:
    """Mark the cells of the wave's new leads (a leads import's, in CREATED_LEADS)."""
    if target.mapping.kind == "leads":
        mark_new_leads(
            target.organization_id, f"SELECT created_at, channel_id FROM {CREATED_LEADS}"
        )


def mark_deals_of(target: Target, companies: list[int]) -> None:
    """Mark every deal of these companies: a deal's kind counts in its month's KPIs."""
    mark_selected(
        target.organization_id,
        "deals",
        f"SELECT id FROM crm_deal WHERE company_id = ANY(ARRAY{[int(c) for c in companies]}::bigint[])",
    )
