"""Bulk upsert of JSON records by external id, through the same engine as file imports."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from crm.imports.mapping import DATE_TYPES, FIELDS, Mapping, MappingError, parse_mapping
from crm.imports.numbers import largest, normalise_decimal, too_large
from crm.imports.reading import LINE
from crm.imports.runner import import_context
from crm.imports.transform import prepare
from crm.imports.writing import writer_for
from orgs.models import Organization

MAX_ROWS = 1000


class BulkError(ValueError):
    """The request is refused whole; `fields` names the fields at fault, if any."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


def bulk_upsert(
    *, organization: Organization, kind: str, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """Create or update `rows` (each with an external_id); the same batch twice creates nothing."""
    mapping = _mapping(kind, rows)
    frame = _frame(rows, mapping)
    formats = {
        name: "ISO8601" for name in mapping.mapped if mapping.fields[name].type in DATE_TYPES
    }
    # Like POST /leads/ and /campaigns/, a bulk upsert refers to channels and creates none.
    context = import_context(organization, mapping, formats, may_create_channels=False)
    missing_id = (
        frame["external_id"].str.strip() == ""
        if "external_id" in frame
        else pd.Series(True, index=frame.index)
    )
    valid, refused = prepare(frame[~missing_id], mapping, context)
    writer = writer_for(organization, mapping, first_stage=context.stages[0])
    counts, refused_by_sql = writer.write(valid)
    writer.finish()
    errors = [
        {
            "index": int(i),
            "field": "external_id",
            "value": "",
            "reason": "external_id is required for a bulk upsert",
        }
        for i in frame.index[missing_id]
    ]
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


def _mapping(kind: str, rows: list[dict[str, Any]]) -> Mapping:
    """The mapping of a request's records: each field any record has, as a column of its
    own; or BulkError, refusing the request whole."""
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
    try:
        return parse_mapping({"kind": kind, "columns": {name: name for name in present}})
    except MappingError as error:  # a required field no record has
        raise BulkError(" ".join(error.problems)) from None


def _frame(rows: list[dict[str, Any]], mapping: Mapping) -> pd.DataFrame:
    """The records as text columns, as a file's rows are read, each numbered by its
    position in the list; or BulkError for values no column can hold."""
    present = mapping.mapped
    frame = pd.DataFrame(
        [
            {name: "" if row.get(name) is None else str(row.get(name)) for name in present}
            for row in rows
        ],
        dtype=str,
    )
    unstorable = _unstorable(frame, mapping)
    if unstorable:
        raise BulkError(_("Some values cannot be stored at all."), unstorable)
    frame[LINE] = range(len(rows))  # a record's position in the list
    return frame


def _unstorable(frame: pd.DataFrame, mapping: Mapping) -> dict[str, list[str]]:
    """Values no column can hold: text with a NUL character (PostgreSQL text cannot) and
    amounts wider than their column. Only a program sends them, so the whole request is
    refused as malformed, as the one-record endpoints refuse it (the database used to, with a 500)."""
    problems: dict[str, list[str]] = {}
    for name in frame.columns:
        values = frame[name]
        reasons = pd.Series("", index=frame.index)
        reasons[values.str.contains("\x00", regex=False)] = _("holds a NUL character")
        if mapping.fields[name].type == "decimal":
            wide = too_large(normalise_decimal(values.str.strip()))
            reasons[wide] = _("larger than %(largest)s") % {"largest": largest()}
        for index, reason in reasons[reasons != ""].items():
            problems.setdefault(name, []).append(
                _("record %(index)s: %(reason)s") % {"index": index, "reason": reason}
            )
    return problems
