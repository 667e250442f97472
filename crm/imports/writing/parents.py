"""Company parents: collected from each wave, linked once every company is in (a parent
may come later in the file than its subsidiaries)."""

from __future__ import annotations

from typing import Any

from crm.imports.writing.matching import Rejection
from crm.imports.writing.staging import STAGING, Target

Parent = tuple[int, str, str, str]  # line, external id, name, parent


def staged_parents(cursor: Any, target: Target) -> list[Parent]:
    """The wave's companies that name a parent."""
    if target.mapping.kind != "companies" or "parent_ref" not in target.staging_columns:
        return []
    ext = "external_id" if "external_id" in target.staging_columns else "''"
    cursor.execute(f"SELECT line, {ext}, name, parent_ref FROM {STAGING} WHERE parent_ref <> ''")
    return list(cursor.fetchall())


def link_parents(cursor: Any, target: Target, parents: list[Parent]) -> list[Rejection]:
    """Link each company to the parent it names (by external id or name); the companies
    whose parent no company is are noted."""
    cursor.execute("DROP TABLE IF EXISTS import_parents")
    cursor.execute(
        "CREATE TEMP TABLE import_parents (line int, external_id text, name text, parent text) ON COMMIT DROP"
    )
    with cursor.cursor.copy("COPY import_parents FROM STDIN") as copy:
        for row in parents:
            copy.write_row(row)
    cursor.execute(
        "UPDATE crm_company c SET parent_id = p.id FROM import_parents i, LATERAL ("
        "  SELECT id FROM crm_company p WHERE p.organization_id = %(org)s"
        "  AND ((p.external_id <> '' AND p.external_id = i.parent) OR p.name = i.parent) ORDER BY p.id LIMIT 1) p "
        "WHERE c.organization_id = %(org)s AND c.id <> p.id AND c.parent_id IS DISTINCT FROM p.id "
        "AND ((i.external_id <> '' AND c.external_id = i.external_id) OR (i.external_id = '' AND c.name = i.name))",
        target.params(),
    )
    cursor.execute(
        "SELECT line, parent FROM import_parents i WHERE NOT EXISTS (SELECT 1 FROM crm_company p "
        "WHERE p.organization_id = %(org)s AND ((p.external_id <> '' AND p.external_id = i.parent) OR p.name = i.parent))",
        target.params(),
    )
    column = target.mapping.columns.get("parent", "(constant)")
    return [
        (
            line,
            column,
            parent,
            "imported without its parent: no company has this external id or name",
        )
        for line, parent in cursor.fetchall()
    ]
