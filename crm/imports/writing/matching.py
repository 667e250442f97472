"""Matching staged rows to the records they are (by key) and to the records they refer to,
and refusing, with a reason, the rows that would break a rule."""

from __future__ import annotations

from typing import Any

from crm.imports.writing.staging import STAGING, Target

Rejection = tuple[int, str, str, str]  # line, column, value, reason


def resolve(cursor: Any, target: Target, *, keys: bool = True) -> list[Rejection]:
    """Match each row to its record (unless not `keys`: rows written as new) and its
    references; refuse those that cannot be."""
    kind, columns = target.kind, target.staging_columns
    rejected: list[Rejection] = []
    if keys:
        extra = ", old_stage = t.stage" if target.mapping.kind == "leads" else ""
        _match(cursor, target, kind.table, "id", kind.keys, "", extra)
    for name, reference in kind.references.items():
        if f"{name}_ref" not in columns:
            continue
        _match(cursor, target, reference.table, f"{name}_id", reference.keys, name)
        rejected += refuse(
            cursor,
            f"{name}_ref <> '' AND {name}_id IS NULL",
            f"{name}_ref",
            target.mapping.columns.get(name, "(constant)"),
            f"no {reference.noun} of this organisation has this {' or '.join(k.replace('_', ' ') for k in reference.keys)}",
        )
    if target.mapping.kind == "activities":
        present = [f"{n}_id IS NULL" for n in ("lead", "deal") if f"{n}_id" in columns]
        rejected += refuse(
            cursor,
            " AND ".join(present),
            "line",
            "(row)",
            "an activity belongs to a lead or a deal",
        )
    # New rows need no check of their e-mails: the insert fails on one another lead has.
    if keys and target.mapping.kind == "leads" and "email" in columns:
        rejected += _email_conflicts(cursor, target)
    return rejected


def _match(
    cursor: Any,
    target: Target,
    table: str,
    into: str,
    keys: tuple[str, ...],
    source: str,
    extra: str = "",
) -> None:
    """Fill staging.`into` with the id of the row of `table` whose key equals the row's.

    A row's own keys are tried in order, each only for rows whose earlier keys are
    blank: a row with an external id is that record or a new one, never another record
    that happens to share its e-mail. A reference (`source`) may be any of the keys.
    """
    blank_earlier: list[str] = []
    for key in keys:
        source_column = f"{source}_ref" if source else key
        if source_column not in target.staging_columns:
            continue
        cursor.execute(
            f"UPDATE {STAGING} s SET {into} = t.id{extra} FROM {table} t "
            f"WHERE t.organization_id = %(org)s AND t.{key} <> '' AND t.{key} = s.{source_column} "
            f"AND s.{into} IS NULL{''.join(blank_earlier)}",
            target.params(),
        )
        if not source:
            blank_earlier.append(f" AND s.{key} = ''")


def refuse(cursor: Any, condition: str, value: str, column: str, reason: str) -> list[Rejection]:
    """Delete the staged rows that meet `condition`; each is a rejection for `reason`."""
    cursor.execute(f"DELETE FROM {STAGING} WHERE {condition} RETURNING line, {value}::text")
    return [(line, column, text or "", reason) for line, text in cursor.fetchall()]


def _email_conflicts(cursor: Any, target: Target) -> list[Rejection]:
    column = target.mapping.columns.get("email", "(constant)")
    rejected = refuse(
        cursor,
        # t.email <> '' lets the lookup use the partial unique index on e-mails
        "email <> '' AND EXISTS (SELECT 1 FROM crm_lead t WHERE t.organization_id = "
        f"{int(target.organization_id)} AND t.email <> '' AND t.email = {STAGING}.email "
        f"AND t.id IS DISTINCT FROM {STAGING}.id)",
        "email",
        column,
        "another lead already has this e-mail",
    )
    rejected += refuse(
        cursor,
        f"email <> '' AND EXISTS (SELECT 1 FROM {STAGING} o WHERE o.email = {STAGING}.email "
        f"AND o.line < {STAGING}.line)",
        "email",
        column,
        "an earlier line of this file has this e-mail",
    )
    return rejected
