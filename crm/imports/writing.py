"""Writing validated rows: COPY into a staging table, then upserts in SQL.

Each chunk is one transaction. Rows are matched to existing records by their keys
(external id first), references are resolved against the organisation's rows, and rows
that would break a rule are refused with a reason. Then only rows whose mapped values
differ are updated, new rows are inserted, and every stage change is recorded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from django.db import connection, transaction

from crm.imports.kinds import KINDS, SQL_TYPES, Kind, column_of
from crm.imports.mapping import Mapping
from crm.imports.reading import LINE
from crm.rules import derive_deal_kinds, win_makes_customers
from crm.services.changes import mark_selected

STAGING = "import_staging"
TOUCHED = "import_touched"  # ids of the rows a wave inserted or changed
CHANGING = "import_changing"  # ids of the existing rows a wave is about to change
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
# Tables an import of a kind writes beside its own: a lead's stage history.
ALSO_WRITTEN = {"leads": ["crm_leadstagechange"]}
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
Rejection = tuple[int, str, str, str]  # line, column, value, reason


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


@dataclass
class Writer:
    organization_id: int
    mapping: Mapping
    now: datetime
    first_stage: str
    currency: str
    funnel: list[str]  # the funnel's stage codes in order, exits left out
    customer_stage: str | None  # where a won deal takes its lead
    touched_companies: set[int] = field(default_factory=set)
    written_since_analyze: int = 0
    parents: list[tuple[int, str, str, str]] = field(
        default_factory=list
    )  # line, ext id, name, parent

    @property
    def kind(self) -> Kind:
        return KINDS[self.mapping.kind]

    def params(self) -> dict[str, Any]:
        return {
            "org": self.organization_id,
            "now": self.now,
            "first_stage": self.first_stage,
            "currency": self.currency,
            "funnel": self.funnel,
        }

    # --- the staging table ---------------------------------------------------------------

    def staging_columns(self) -> dict[str, str]:
        """Staging column -> SQL type."""
        columns = {"line": "integer", "id": "bigint", "old_stage": "text"}
        for name in self.mapping.mapped:
            spec = self.mapping.fields[name]
            if name in self.kind.references:
                columns[f"{name}_ref"] = "text"
                columns[f"{name}_id"] = "bigint"
            elif name in self.kind.deferred:
                columns[f"{name}_ref"] = "text"
            else:
                columns[column_of(name, spec.type)] = SQL_TYPES[spec.type]
        return columns

    def _frame_for_copy(self, frame: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
        renamed = {LINE: "line"}
        for name in self.mapping.mapped:
            spec = self.mapping.fields[name]
            if name in self.kind.references or name in self.kind.deferred:
                renamed[name] = f"{name}_ref"
            else:
                renamed[name] = column_of(name, spec.type)
        out = frame.rename(columns=renamed)[list(renamed.values())]
        return list(renamed.values()), out

    # --- one chunk ------------------------------------------------------------------------

    def write(self, frame: pd.DataFrame) -> tuple[Counts, list[Rejection]]:
        """Upsert the chunk, in waves so that a key repeated in the file updates in file order."""
        counts, rejected = Counts(), []
        for wave in _waves(frame, self.mapping):
            with transaction.atomic(), connection.cursor() as cursor:
                wave_counts, wave_rejected = self._write_wave(cursor, wave)
            counts.add(wave_counts)
            rejected.extend(wave_rejected)
        return counts, rejected

    def _write_wave(self, cursor: Any, frame: pd.DataFrame) -> tuple[Counts, list[Rejection]]:
        columns = self.staging_columns()
        # A crash can lose only the last moments of an import, which is safe to run again;
        # not waiting for each commit's WAL flush makes bulk writes several times faster.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # Each wave joins its rows to the table by key: tens of thousands of index lookups,
        # which the default cost of a random page (4, for spinning disks) made the planner
        # trade for hashing every row of the organisation, several times a wave.
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(
            f"CREATE TEMP TABLE {STAGING} ({', '.join(f'{c} {t}' for c, t in columns.items())}) ON COMMIT DROP"
        )
        names, data = self._frame_for_copy(frame)
        buffer = io.StringIO()
        data.to_csv(buffer, index=False, header=False, quoting=csv.QUOTE_NONNUMERIC)
        # csv writes None as a quoted "": FORCE_NULL reads it back as NULL where that is meant.
        nullable = [n for n in names if columns[n] != "text" or n in ("stage", "status")]
        force_null = f", FORCE_NULL ({', '.join(nullable)})" if nullable else ""
        statement = f"COPY {STAGING} ({', '.join(names)}) FROM STDIN (FORMAT csv{force_null})"
        with cursor.cursor.copy(statement) as copy:
            copy.write(buffer.getvalue())
        # Temporary tables are never analysed on their own: without statistics the planner
        # scans the whole target table for every chunk instead of looking rows up by key.
        cursor.execute(f"ANALYZE {STAGING}")
        cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
        cursor.execute(f"CREATE TEMP TABLE {TOUCHED} (id bigint) ON COMMIT DROP")
        rejected = self._resolve(cursor)
        # The cells rows leave: only those the file changes (a file imported again marks
        # nothing, where marking every matched row cost more than the import's own compare).
        self._find_changing(cursor)
        self._mark(CHANGING)
        counts = self._upsert(cursor)
        self._after_chunk(cursor)
        self._mark(TOUCHED)
        self._keep_statistics(cursor, counts.created + counts.updated)
        return counts, rejected

    def _keep_statistics(self, cursor: Any, written: int) -> None:
        """ANALYZE the table once an import has written a tenth of it: autovacuum comes later,
        and until then the planner believes the organisation has the rows it had before the
        import (none, on a first one) and plans the next waves' joins for that."""
        self.written_since_analyze += written
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [self.kind.table])
        rows = max(cursor.fetchone()[0], 0)
        if self.written_since_analyze > max(10_000, rows // 10):
            for table in [self.kind.table, *ALSO_WRITTEN.get(self.mapping.kind, [])]:
                cursor.execute(f"ANALYZE {table}")
            self.written_since_analyze = 0

    def _mark(self, table: str) -> None:
        if self.mapping.kind in MARKS:
            kind, ids = MARKS[self.mapping.kind]
            mark_selected(self.organization_id, kind, ids.format(table=table))
            if kind == "deals":  # a won deal moved its lead to customer
                mark_selected(
                    self.organization_id,
                    "leads",
                    f"SELECT lead_id FROM crm_deal WHERE id IN ({ids.format(table=table)})",
                )

    def _match(
        self,
        cursor: Any,
        table: str,
        target: str,
        keys: tuple[str, ...],
        source: str,
        extra: str = "",
    ) -> None:
        """Fill staging.`target` with the id of the row of `table` whose key equals the row's.

        A row's own keys are tried in order, each only for rows whose earlier keys are
        blank: a row with an external id is that record or a new one, never another record
        that happens to share its e-mail. A reference (`source`) may be any of the keys.
        """
        blank_earlier: list[str] = []
        for key in keys:
            source_column = f"{source}_ref" if source else key
            if source_column not in self.staging_columns():
                continue
            cursor.execute(
                f"UPDATE {STAGING} s SET {target} = t.id{extra} FROM {table} t "
                f"WHERE t.organization_id = %(org)s AND t.{key} <> '' AND t.{key} = s.{source_column} "
                f"AND s.{target} IS NULL{''.join(blank_earlier)}",
                self.params(),
            )
            if not source:
                blank_earlier.append(f" AND s.{key} = ''")

    def _resolve(self, cursor: Any) -> list[Rejection]:
        rejected: list[Rejection] = []
        extra = ", old_stage = t.stage" if self.mapping.kind == "leads" else ""
        self._match(cursor, self.kind.table, "id", self.kind.keys, "", extra)
        for name, reference in self.kind.references.items():
            if f"{name}_ref" not in self.staging_columns():
                continue
            self._match(cursor, reference.table, f"{name}_id", reference.keys, name)
            rejected += self._refuse(
                cursor,
                f"{name}_ref <> '' AND {name}_id IS NULL",
                f"{name}_ref",
                self.mapping.columns.get(name, "(constant)"),
                f"no {reference.noun} of this organisation has this {' or '.join(k.replace('_', ' ') for k in reference.keys)}",
            )
        if self.mapping.kind == "activities":
            present = [
                f"{n}_id IS NULL" for n in ("lead", "deal") if f"{n}_id" in self.staging_columns()
            ]
            rejected += self._refuse(
                cursor,
                " AND ".join(present),
                "line",
                "(row)",
                "an activity belongs to a lead or a deal",
            )
        if self.mapping.kind == "leads" and "email" in self.staging_columns():
            rejected += self._email_conflicts(cursor)
        return rejected

    def _refuse(
        self, cursor: Any, condition: str, value: str, column: str, reason: str
    ) -> list[Rejection]:
        cursor.execute(f"DELETE FROM {STAGING} WHERE {condition} RETURNING line, {value}::text")
        return [(line, column, text or "", reason) for line, text in cursor.fetchall()]

    def _email_conflicts(self, cursor: Any) -> list[Rejection]:
        column = self.mapping.columns.get("email", "(constant)")
        rejected = self._refuse(
            cursor,
            # t.email <> '' lets the lookup use the partial unique index on e-mails
            "email <> '' AND EXISTS (SELECT 1 FROM crm_lead t WHERE t.organization_id = "
            f"{int(self.organization_id)} AND t.email <> '' AND t.email = {STAGING}.email "
            f"AND t.id IS DISTINCT FROM {STAGING}.id)",
            "email",
            column,
            "another lead already has this e-mail",
        )
        rejected += self._refuse(
            cursor,
            f"email <> '' AND EXISTS (SELECT 1 FROM {STAGING} o WHERE o.email = {STAGING}.email "
            f"AND o.line < {STAGING}.line)",
            "email",
            column,
            "an earlier line of this file has this e-mail",
        )
        return rejected

    # --- updates and inserts ------------------------------------------------------------

    def _written_columns(self) -> list[str]:
        columns = []
        for name in self.mapping.mapped:
            if name in self.kind.deferred:
                continue
            columns.append(
                column_of(name, self.mapping.fields[name].type)
                if name not in self.kind.references
                else f"{name}_id"
            )
        return columns

    def _upsert(self, cursor: Any) -> Counts:
        cursor.execute(f"SELECT count(*) FROM {STAGING} WHERE id IS NOT NULL")
        matched = cursor.fetchone()[0]
        if self.mapping.kind == "leads":
            self._record_stage_changes(cursor)
        updated = self._update(cursor)
        created = self._insert(cursor)
        return Counts(created=created, updated=updated, unchanged=matched - updated)

    def _new_value(self, column: str, current: str = "t.") -> str:
        """The value an update writes: an empty stage or status in the file keeps the current
        one, and a lead never moves back to an earlier funnel stage (FORWARD_STAGE)."""
        if column == "stage" and self.mapping.kind == "leads":
            return FORWARD_STAGE.format(current=f"{current}stage")
        if column in ("stage", "status"):
            return f"COALESCE(s.{column}, {current}{column})"
        return f"s.{column}"

    def _updated_columns(self) -> list[str]:
        return [c for c in self._written_columns() if c != "stage_changed_at"]

    def _find_changing(self, cursor: Any) -> None:
        """Put in CHANGING the matched rows whose written columns the file changes."""
        cursor.execute(f"DROP TABLE IF EXISTS {CHANGING}")
        cursor.execute(f"CREATE TEMP TABLE {CHANGING} (id bigint PRIMARY KEY) ON COMMIT DROP")
        columns = self._updated_columns()
        if not columns:
            return
        old = ", ".join(f"t.{c}" for c in columns)
        new = ", ".join(self._new_value(c) for c in columns)
        cursor.execute(
            f"INSERT INTO {CHANGING} SELECT DISTINCT t.id FROM {self.kind.table} t "
            f"JOIN {STAGING} s ON t.id = s.id WHERE ROW({old}) IS DISTINCT FROM ROW({new})",
            self.params(),
        )

    def _update(self, cursor: Any) -> int:
        """Write the rows _find_changing found; the others are unchanged."""
        columns = self._updated_columns()
        if not columns:
            return 0
        assignments = [f"{c} = {self._new_value(c)}" for c in columns]
        if self.mapping.kind == "leads" and "stage" in columns:
            when = (
                "COALESCE(s.stage_changed_at, %(now)s)"
                if "stage_changed_at" in self.staging_columns()
                else "%(now)s"
            )
            assignments.append(
                f"stage_changed_at = CASE WHEN {self._new_value('stage')} <> t.stage "
                f"THEN {when} ELSE t.stage_changed_at END"
            )
        if "updated_at" in self.kind.defaults:
            assignments.append("updated_at = %(now)s")
        cursor.execute(
            f"WITH changed AS (UPDATE {self.kind.table} t SET {', '.join(assignments)} FROM {STAGING} s "
            f"WHERE t.id = s.id AND t.id IN (SELECT id FROM {CHANGING}) "
            f"RETURNING t.id) INSERT INTO {TOUCHED} SELECT id FROM changed",
            self.params(),
        )
        return int(cursor.rowcount)

    def _insert(self, cursor: Any) -> int:
        written = self._written_columns()
        columns = ["organization_id", *written]
        values = ["%(org)s"] + [
            f"COALESCE(s.{c}, {self.kind.defaults[c]})" if c in self.kind.defaults else f"s.{c}"
            for c in written
        ]
        for column, default in self.kind.defaults.items():
            if column not in written:
                columns.append(column)
                values.append(default)
        if self.mapping.kind == "leads":
            if "stage_changed_at" not in written:
                columns.append("stage_changed_at")
                values.append(values[columns.index("created_at")])
            cursor.execute(
                f"WITH new AS (INSERT INTO crm_lead ({', '.join(columns)}) SELECT {', '.join(values)} "
                f"FROM {STAGING} s WHERE s.id IS NULL RETURNING id, stage, created_at), "
                "entered AS (INSERT INTO crm_leadstagechange (organization_id, lead_id, from_stage, to_stage, at, source) "
                "SELECT %(org)s, id, '', stage, created_at, 'import' FROM new) "
                f"INSERT INTO {TOUCHED} SELECT id FROM new",
                self.params(),
            )
        else:
            cursor.execute(
                f"WITH new AS (INSERT INTO {self.kind.table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                f"FROM {STAGING} s WHERE s.id IS NULL RETURNING id) INSERT INTO {TOUCHED} SELECT id FROM new",
                self.params(),
            )
        return int(cursor.rowcount)

    def _record_stage_changes(self, cursor: Any) -> None:
        if "stage" not in self.staging_columns():
            return
        when = "%(now)s"
        if "stage_changed_at" in self.staging_columns():
            when = "COALESCE(s.stage_changed_at, %(now)s)"
        new_stage = self._new_value("stage", current="s.old_")
        cursor.execute(
            "INSERT INTO crm_leadstagechange (organization_id, lead_id, from_stage, to_stage, at, source) "
            f"SELECT %(org)s, s.id, s.old_stage, {new_stage}, {when}, 'import' FROM {STAGING} s "
            f"WHERE s.id IS NOT NULL AND {new_stage} <> s.old_stage",
            self.params(),
        )

    def _after_chunk(self, cursor: Any) -> None:
        if self.mapping.kind == "deals":
            if "company_id" in self.staging_columns():
                cursor.execute(
                    f"SELECT DISTINCT company_id FROM {STAGING} WHERE company_id IS NOT NULL"
                )
                self.touched_companies.update(row[0] for row in cursor.fetchall())
            if "lead_id" in self.staging_columns():
                win_makes_customers(
                    cursor,
                    self.organization_id,
                    f"SELECT lead_id FROM {STAGING}",
                    self.customer_stage,
                )
        if self.mapping.kind == "companies" and "parent_ref" in self.staging_columns():
            ext = "external_id" if "external_id" in self.staging_columns() else "''"
            cursor.execute(
                f"SELECT line, {ext}, name, parent_ref FROM {STAGING} WHERE parent_ref <> ''"
            )
            self.parents.extend(cursor.fetchall())

    def finish(self) -> list[Rejection]:
        """What waits for every row: company parents, and deal kinds."""
        notes: list[Rejection] = []
        with transaction.atomic(), connection.cursor() as cursor:
            if self.parents:
                notes = self._link_parents(cursor)
            if self.touched_companies:
                companies = sorted(self.touched_companies)
                derive_deal_kinds(cursor, self.organization_id, companies)
                # A deal's kind counts in its month's KPIs: every deal of these companies.
                mark_selected(
                    self.organization_id,
                    "deals",
                    f"SELECT id FROM crm_deal WHERE company_id = ANY(ARRAY{[int(c) for c in companies]}::bigint[])",
                )
        return notes

    def _link_parents(self, cursor: Any) -> list[Rejection]:
        cursor.execute("DROP TABLE IF EXISTS import_parents")
        cursor.execute(
            "CREATE TEMP TABLE import_parents (line int, external_id text, name text, parent text) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY import_parents FROM STDIN") as copy:
            for row in self.parents:
                copy.write_row(row)
        cursor.execute(
            "UPDATE crm_company c SET parent_id = p.id FROM import_parents i, LATERAL ("
            "  SELECT id FROM crm_company p WHERE p.organization_id = %(org)s"
            "  AND ((p.external_id <> '' AND p.external_id = i.parent) OR p.name = i.parent) ORDER BY p.id LIMIT 1) p "
            "WHERE c.organization_id = %(org)s AND c.id <> p.id AND c.parent_id IS DISTINCT FROM p.id "
            "AND ((i.external_id <> '' AND c.external_id = i.external_id) OR (i.external_id = '' AND c.name = i.name))",
            self.params(),
        )
        cursor.execute(
            "SELECT line, parent FROM import_parents i WHERE NOT EXISTS (SELECT 1 FROM crm_company p "
            "WHERE p.organization_id = %(org)s AND ((p.external_id <> '' AND p.external_id = i.parent) OR p.name = i.parent))",
            self.params(),
        )
        column = self.mapping.columns.get("parent", "(constant)")
        return [
            (
                line,
                column,
                parent,
                "imported without its parent: no company has this external id or name",
            )
            for line, parent in cursor.fetchall()
        ]


def _waves(frame: pd.DataFrame, mapping: Mapping) -> list[pd.DataFrame]:
    """Split rows so that no key repeats within a wave (the file's later row comes later)."""
    keys = [k for k in KINDS[mapping.kind].keys if k in frame]
    if frame.empty or not keys:
        return [frame] if not frame.empty else []
    key = pd.Series("", index=frame.index)
    for name in reversed(keys):
        values = frame[name].fillna("")
        key = values.where(values != "", key)
    order = key.groupby(key).cumcount().where(key != "", 0)
    return [frame[order == wave] for wave in range(int(order.max()) + 1)]
