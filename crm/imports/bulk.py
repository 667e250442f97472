"""Bulk upsert of JSON records by external id, through the same engine as file imports."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.utils import timezone

from crm.imports.mapping import DATE_TYPES, FIELDS, parse_mapping
from crm.imports.reading import LINE
from crm.imports.runner import _context, _funnel
from crm.imports.transform import prepare
from crm.imports.writing import Writer
from orgs.models import Organization

MAX_ROWS = 1000


class BulkError(ValueError):
    pass


def bulk_upsert(
    *, organization: Organization, kind: str, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """Create or update `rows` (each with an external_id); the same batch twice creates nothing."""
    if not isinstance(rows, list) or not rows:
        raise BulkError("Send a non-empty JSON list of records.")
    if len(rows) > MAX_ROWS:
        raise BulkError(f"At most {MAX_ROWS} records per request; this one has {len(rows)}.")
    if not all(isinstance(row, dict) for row in rows):
        raise BulkError("Every item of the list must be a JSON object.")
    fields = FIELDS[kind]
    unknown = sorted({key for row in rows for key in row} - set(fields))
    if unknown:
        raise BulkError(
            f"Unknown fields: {', '.join(unknown)}. Fields of {kind}: {', '.join(fields)}."
        )
    present = [name for name in fields if any(name in row for row in rows)]
    mapping = parse_mapping({"kind": kind, "columns": {name: name for name in present}})
    frame = pd.DataFrame(
        [
            {name: "" if row.get(name) is None else str(row.get(name)) for name in present}
            for row in rows
        ],
        dtype=str,
    )
    frame[LINE] = range(len(rows))  # a record's position in the list
    formats = {name: "ISO8601" for name in present if fields[name].type in DATE_TYPES}
    context = _context(organization, mapping, formats)
    missing_id = (
        frame["external_id"].str.strip() == ""
        if "external_id" in frame
        else pd.Series(True, index=frame.index)
    )
    errors = [
        {
            "index": int(i),
            "field": "external_id",
            "value": "",
            "reason": "external_id is required for a bulk upsert",
        }
        for i in frame.index[missing_id]
    ]
    valid, refused = prepare(frame[~missing_id], mapping, context)
    writer = Writer(
        organization_id=organization.pk,
        mapping=mapping,
        now=timezone.now(),
        first_stage=context.stages[0],
        currency=organization.currency,
        funnel=_funnel(organization),
    )
    counts, refused_by_sql = writer.write(valid)
    writer.finish()
    for line, column, value, reason in (
        list(refused.itertuples(index=False, name=None)) + refused_by_sql
    ):
        errors.append({"index": int(line), "field": column, "value": value, "reason": reason})
    errors.sort(key=lambda e: (e["index"], e["field"]))
    return {
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "rejected": len({e["index"] for e in errors}),
        "errors": errors,
    }
