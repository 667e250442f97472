"""Updates and inserts of a wave's staged rows: only rows whose mapped values differ are
updated, new rows are inserted, and every change of a lead's stage is recorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError
from psycopg import errors

from crm.imports.kinds import column_of
from crm.imports.writing.staging import CHANGING, CREATED_LEADS, STAGING, TOUCHED, Target

# An import moves a lead forward in the funnel, or to an exit stage (disqualified,
# recycled), or out of one; never back to an earlier funnel stage: an old export saying
# "mql" must not undo a won deal.
FORWARD_STAGE = (
    "CASE WHEN s.stage IS NULL THEN {current}"
    " WHEN array_position(%(funnel)s::text[], {current}) IS NULL"
    " OR array_position(%(funnel)s::text[], s.stage) IS NULL"
    " OR array_position(%(funnel)s::text[], s.stage) > array_position(%(funnel)s::text[], {current})"
    " THEN s.stage ELSE {current} END"
)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def upsert(cursor: Any, target: Target) -> Counts:
    """Record the leads' stage changes, update the rows find_changing found, insert the new."""
    cursor.execute(f"SELECT count(*) FROM {STAGING} WHERE id IS NOT NULL")
    matched = cursor.fetchone()[0]
    if target.mapping.kind == "leads":
        _record_stage_changes(cursor, target)
    updated = _update(cursor, target)
    created = _insert(cursor, target)
    return Counts(created=created, updated=updated, unchanged=matched - updated)


def insert_new(cursor: Any, target: Target) -> Counts:
    """Insert every staged row as a new record (rows not matched: see Writer)."""
    return Counts(created=_insert(cursor, target))


def is_key_conflict(error: IntegrityError, target: Target) -> bool:
    """Whether the insert failed on a key a record of the organisation already has."""
    cause = error.__cause__
    return (
        isinstance(cause, errors.UniqueViolation)
        and cause.diag.constraint_name in target.kind.unique_keys
    )


def find_changing(cursor: Any, target: Target) -> None:
    """Put in CHANGING the matched rows whose written columns the file changes."""
    cursor.execute(f"DROP TABLE IF EXISTS {CHANGING}")
    cursor.execute(f"CREATE TEMP TABLE {CHANGING} (id bigint PRIMARY KEY) ON COMMIT DROP")
    columns = _updated_columns(target)
    if not columns:
        return
    old = ", ".join(f"t.{c}" for c in columns)
    new = ", ".join(_new_value(target, c) for c in columns)
    cursor.execute(
        f"INSERT INTO {CHANGING} SELECT DISTINCT t.id FROM {target.kind.table} t "
        f"JOIN {STAGING} s ON t.id = s.id WHERE ROW({old}) IS DISTINCT FROM ROW({new})",
        target.params(),
    )


def _written_columns(target: Target) -> list[str]:
    kind, fields = target.kind, target.mapping.fields
    return [
        f"{name}_id" if name in kind.references else column_of(name, fields[name].type)
        for name in target.mapping.mapped
        if name not in kind.deferred
    ]


def _updated_columns(target: Target) -> list[str]:
    return [c for c in _written_columns(target) if c != "stage_changed_at"]


def _new_value(target: Target, column: str, current: str = "t.") -> str:
    """The value an update writes: an empty stage or status in the file keeps the current
    one, and a lead never moves back to an earlier funnel stage (FORWARD_STAGE)."""
    if column == "stage" and target.mapping.kind == "leads":
        return FORWARD_STAGE.format(current=f"{current}stage")
    if column in ("stage", "status"):
        return f"COALESCE(s.{column}, {current}{column})"
    return f"s.{column}"


def _stage_changed_at(target: Target) -> str:
    """When a lead whose stage the file changes changed it: the file's date, else now."""
    if "stage_changed_at" in target.staging_columns:
        return "COALESCE(s.stage_changed_at, %(now)s)"
    return "%(now)s"


def _update(cursor: Any, target: Target) -> int:
    """Write the rows find_changing found; the others are unchanged."""
    columns = _updated_columns(target)
    if not columns:
        return 0
    assignments = [f"{c} = {_new_value(target, c)}" for c in columns]
    if target.mapping.kind == "leads" and "stage" in columns:
        assignments.append(
            f"stage_changed_at = CASE WHEN {_new_value(target, 'stage')} <> t.stage "
            f"THEN {_stage_changed_at(target)} ELSE t.stage_changed_at END"
        )
    if "updated_at" in target.kind.defaults:
        assignments.append("updated_at = %(now)s")
    cursor.execute(
        f"WITH changed AS (UPDATE {target.kind.table} t SET {', '.join(assignments)} FROM {STAGING} s "
        f"WHERE t.id = s.id AND t.id IN (SELECT id FROM {CHANGING}) "
        f"RETURNING t.id) INSERT INTO {TOUCHED} SELECT id FROM changed",
        target.params(),
    )
    return int(cursor.rowcount)


def _insert(cursor: Any, target: Target) -> int:
    kind, written = target.kind, _written_columns(target)
    columns = ["organization_id", *written]
    values = ["%(org)s"] + [
        f"COALESCE(s.{c}, {kind.defaults[c]})" if c in kind.defaults else f"s.{c}" for c in written
    ]
    for column, default in kind.defaults.items():
        if column not in written:
            columns.append(column)
            values.append(default)
    if target.mapping.kind == "leads":
        created = values[columns.index("created_at")]
        if "stage_changed_at" not in written:
            columns.append("stage_changed_at")
            values.append(created)
        else:  # a row without one (an empty cell, a null) entered its stage when created
            at = columns.index("stage_changed_at")
            values[at] = f"COALESCE(s.stage_changed_at, {created})"
        # New leads go to CREATED_LEADS, not TOUCHED: their cells are marked from what
        # was written (marks.mark_created_leads), with nothing to look up.
        cursor.execute(
            f"WITH new AS (INSERT INTO crm_lead ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM {STAGING} s WHERE s.id IS NULL RETURNING id, stage, created_at, channel_id), "
            "entered AS (INSERT INTO crm_leadstagechange (organization_id, lead_id, from_stage, to_stage, at, source) "
            "SELECT %(org)s, id, '', stage, created_at, 'import' FROM new) "
            f"INSERT INTO {CREATED_LEADS} SELECT created_at, channel_id FROM new",
            target.params(),
        )
    else:
        cursor.execute(
            f"WITH new AS (INSERT INTO {kind.table} ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM {STAGING} s WHERE s.id IS NULL RETURNING id) INSERT INTO {TOUCHED} SELECT id FROM new",
            target.params(),
        )
    return int(cursor.rowcount)


def _record_stage_changes(cursor: Any, target: Target) -> None:
    if "stage" not in target.staging_columns:
        return
    new_stage = _new_value(target, "stage", current="s.old_")
    cursor.execute(
        "INSERT INTO crm_leadstagechange (organization_id, lead_id, from_stage, to_stage, at, source) "
        f"SELECT %(org)s, s.id, s.old_stage, {new_stage}, {_stage_changed_at(target)}, 'import' FROM {STAGING} s "
        f"WHERE s.id IS NOT NULL AND {new_stage} <> s.old_stage",
        target.params(),
    )
