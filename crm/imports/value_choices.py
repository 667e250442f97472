"""The mapping step's value table: each distinct value of a mapped column (a channel, an
owner, a status, a stage) with its count and what it becomes, as a choice among ours.

Pure: it takes the file's counted values and the organisation's options as plain data, and
turns a posted form back into the mapping document's `values` and `new_sales_reps`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as ReadOnly
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from crm.imports.mapping import FIELDS, MEMBER_REF, Field
from crm.imports.values import ColumnValues

NEW_REP = "+rep"  # the form's choice "record as a sales rep without a login"
UNKNOWN_CHANNEL = "unknown"  # where blank channels go unless the user says otherwise
LISTED_TYPES = {"channel", "choice", "stage", "pipeline_stage"}


@dataclass(frozen=True)
class Options:
    """What a value may become, in this organisation."""

    channels: list[tuple[str, str]]  # (code, name)
    members: list[tuple[str, str]]  # (username, label)
    member_keys: dict[str, str]  # lower-case username, e-mail or full name -> username
    stages: list[tuple[str, str]]  # (code, name)
    pipeline_stages: list[tuple[str, str]]
    # Whether the member importing may make new channels (edit_campaigns): if not, a new
    # channel is neither offered nor suggested, since its rows would be refused.
    may_create_channels: bool = True


@dataclass
class ValueRow:
    source: str
    count: int
    selected: str
    new: tuple[str, str] | None = None  # a choice of its own: a channel still to create


@dataclass
class ValueField:
    name: str
    column: str
    options: list[tuple[str, str]]  # (value, label); the row's own new option comes first
    rows: list[ValueRow] = field(default_factory=list)
    distinct: int = 0

    @property
    def capped(self) -> bool:
        return self.distinct > len(self.rows)


def listed_fields(kind: str, columns: dict[str, str]) -> dict[str, str]:
    """The mapped fields whose values are mapped one by one: field -> the file's column."""
    return {
        name: column
        for name, column in columns.items()
        if name in FIELDS[kind] and _listed(FIELDS[kind][name])
    }


def _listed(spec: Field) -> bool:
    return spec.type in LISTED_TYPES or spec.ref == MEMBER_REF


def channel_code(value: str) -> str:
    """The code a channel name becomes, as the import makes it (crm.imports.transform)."""
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


def value_fields(
    document: dict[str, Any],
    counted: ReadOnly[str, ColumnValues],
    options: Options,
) -> list[ValueField]:
    """One table per listed field, each value preselected from the document, else suggested."""
    kind = document["kind"]
    values = document.get("values") or {}
    reps = set(document.get("new_sales_reps") or [])
    tables = []
    for name, column in listed_fields(kind, document.get("columns") or {}).items():
        spec = FIELDS[kind][name]
        found = counted.get(column)
        if found is None:
            continue
        table = ValueField(name, column, _options(spec, options), distinct=found.distinct)
        chosen = values.get(name) or {}
        for source, count in found.counts:
            if spec.ref == MEMBER_REF and source in reps:
                selected = NEW_REP
            elif source in chosen:
                selected = chosen[source]
            else:
                selected = _suggest(spec, source, options)
            new = _new_channel(spec, source, table) if options.may_create_channels else None
            table.rows.append(ValueRow(source, count, selected, new))
        tables.append(table)
    return tables


def _options(spec: Field, options: Options) -> list[tuple[str, str]]:
    if spec.ref == MEMBER_REF:
        return [
            ("", _("Unassigned")),
            (NEW_REP, _("A new sales rep (no login yet, invite later)")),
            *options.members,
        ]
    if spec.type == "channel":
        return [("", _("No channel")), *options.channels]
    codes = {"stage": options.stages, "pipeline_stage": options.pipeline_stages}
    choices = codes.get(spec.type) or [(c, c) for c in spec.choices]
    return [("", _("As in the file")), *choices]


def _new_channel(spec: Field, source: str, table: ValueField) -> tuple[str, str] | None:
    """The choice of a new channel for this value, when no channel has its code yet."""
    code = channel_code(source) or UNKNOWN_CHANNEL
    if spec.type != "channel" or code in {value for value, _label in table.options}:
        return None
    return (code, _("New channel: %(code)s") % {"code": code})


def _suggest(spec: Field, source: str, options: Options) -> str:
    """What a value most likely is: the same code, member or choice; else, for an owner, a
    new sales rep, and for a channel a new one (blanks: no channel, a group of their own,
    never merged into a channel coded 'unknown' unless the user says so)."""
    if spec.ref == MEMBER_REF:
        if not source:
            return ""
        return options.member_keys.get(source.lower(), NEW_REP)
    if spec.type == "channel":
        code = channel_code(source)
        known = {existing for existing, _name in options.channels}
        return code if code in known or options.may_create_channels else ""
    value = source.lower()
    codes = {"stage": options.stages, "pipeline_stage": options.pipeline_stages}.get(spec.type)
    allowed = [code for code, _label in codes] if codes is not None else list(spec.choices)
    return value if value in allowed else ""


def _changes(spec: Field, source: str, chosen: str) -> bool:
    """Whether the choice is worth writing down: a member named as in the file, or a
    choice left "as in the file", changes nothing."""
    if spec.ref == MEMBER_REF:
        return chosen.lower() != source.lower()
    if spec.type == "channel":
        return chosen != source  # blank included: "no channel" for a named one
    return chosen not in ("", source)


def posted_values(
    kind: str, columns: dict[str, str], posted: ReadOnly[str, str]
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The form's value tables -> (values, new_sales_reps) for the mapping document.

    The form sends, per listed field and row i, `vsrc_<field>_<i>` (the file's value) and
    `vmap_<field>_<i>` (the choice). Only what changes a value is written down."""
    values: dict[str, dict[str, str]] = {}
    reps: list[str] = []
    for name in listed_fields(kind, columns):
        spec = FIELDS[kind][name]
        table = {}
        index = 0
        while f"vsrc_{name}_{index}" in posted:
            source = posted[f"vsrc_{name}_{index}"]
            chosen = posted.get(f"vmap_{name}_{index}", source)
            index += 1
            if spec.ref == MEMBER_REF and chosen == NEW_REP:
                reps.append(source)
            elif _changes(spec, source, chosen):
                table[source] = chosen
        if table:
            values[name] = table
    return values, reps
