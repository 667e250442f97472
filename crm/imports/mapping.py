"""The mapping document, the same for the UI, the CLI and the API:

{"kind": "leads",
 "columns": {"external_id": "mql_id", "created_at": "first_contact_date", "channel": "origin"},
 "constants": {"stage": "mql"},
 "values": {"channel": {"": "unknown"}, "owner": {"M. Frase": "moses", "Temp desk": ""}},
 "new_sales_reps": ["Darcel Schlecht"],
 "date_formats": {"created_at": "%d-%m-%Y"}}

`values` maps a file's value to ours: for a member field (owner, by) to a member's
username, e-mail or full name, or "" to leave the record unassigned. An owner no member
matches is not a reason to refuse a row: the record is imported unassigned, and counted.
`new_sales_reps` names owners to record as sales reps without a login, who can be invited
later: their records are theirs from this import on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.imports import dates
from crm.imports.kinds import KINDS, Field


class MappingError(ValueError):
    """The mapping cannot be used; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# What each kind of record is called where a person reads it.
KIND_NAMES = {
    "leads": _("leads"),
    "deals": _("deals"),
    "companies": _("companies"),
    "campaigns": _("campaigns"),
    "activities": _("activities"),
    "channels": _("channels"),
}
# The fields of each kind a mapping may set, from its model (crm.imports.kinds).
FIELDS: dict[str, dict[str, Field]] = {kind: spec.fields for kind, spec in KINDS.items()}
DATE_TYPES = {"date", "datetime"}
KEYS = {"kind", "columns", "constants", "values", "date_formats", "new_sales_reps"}
MEMBER_REF = "user"  # a field of type "ref" with this ref names a member


@dataclass(frozen=True)
class Mapping:
    kind: str
    columns: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)
    new_sales_reps: tuple[str, ...] = ()

    @property
    def fields(self) -> dict[str, Field]:
        return FIELDS[self.kind]

    @property
    def mapped(self) -> list[str]:
        """Every field this import sets, from a column or a constant, in declaration order."""
        return [name for name in self.fields if name in self.columns or name in self.constants]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": self.columns,
            "constants": self.constants,
            "values": self.values,
            "date_formats": self.date_formats,
            "new_sales_reps": list(self.new_sales_reps),
        }

    def columns_missing(self, header: list[str]) -> list[str]:
        """The mapped columns that a file with this header does not have."""
        return [column for column in self.columns.values() if column not in header]

    @property
    def member_fields(self) -> list[str]:
        """The fields this import sets that name a member (owner, by)."""
        return [n for n in self.mapped if self.fields[n].ref == MEMBER_REF]


def no_column_problem(mapping: Mapping, header: list[str]) -> str | None:
    """What tells a person that their file lacks some of the mapping's columns, or None."""
    missing = mapping.columns_missing(header)
    if not missing:
        return None
    return gettext("The file has no column %(c)s.") % {"c": ", ".join(missing)}


def parse_mapping(document: str | bytes | dict[str, Any]) -> Mapping:
    """Check a mapping document; raise MappingError with every problem found."""
    document = _json_object(document)
    problems: list[str] = []
    unknown = sorted(set(document) - KEYS)
    if unknown:
        problems.append(f"Unknown keys: {', '.join(unknown)} (allowed: {', '.join(sorted(KEYS))}).")
    kind = document.get("kind")
    if kind not in FIELDS:
        raise MappingError(
            [*problems, f"'kind' must be one of: {', '.join(FIELDS)} (got {kind!r})."]
        )
    sections = {
        key: document.get(key) or {} for key in ("columns", "constants", "values", "date_formats")
    }
    problems += _section_problems(kind, sections)
    reps = document.get("new_sales_reps") or []
    if not (isinstance(reps, list) and all(isinstance(r, str) and r.strip() for r in reps)):
        problems.append("'new_sales_reps' must be a list of names.")
    if problems:
        raise MappingError(problems)
    columns, constants = sections["columns"], sections["constants"]
    problems = _missing_fields(kind, columns, constants)
    if problems:
        raise MappingError(problems)
    return Mapping(
        kind,
        dict(columns),
        dict(constants),
        dict(sections["values"]),
        dict(sections["date_formats"]),
        tuple(dict.fromkeys(r.strip() for r in reps)),
    )


def _json_object(document: str | bytes | dict[str, Any]) -> dict[str, Any]:
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise MappingError([f"The mapping is not valid JSON: {exc}."]) from None
    if not isinstance(document, dict):
        raise MappingError(["The mapping must be a JSON object."])
    return document


def _section_problems(kind: str, sections: dict[str, Any]) -> list[str]:
    """What is wrong in the sections that name fields: columns, constants, values, formats."""
    fields, problems = FIELDS[kind], []
    for key, section in sections.items():
        if not isinstance(section, dict):
            problems.append(f"'{key}' must be an object.")
            continue
        for name, value in section.items():
            if name not in fields:
                problems.append(
                    f"'{key}' names {name!r}, which is not a field of {kind} (fields: {', '.join(fields)})."
                )
            elif key == "values" and not (
                isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
            ):
                problems.append(
                    f"'values.{name}' must map source values to our values, as strings."
                )
            elif key != "values" and not isinstance(value, str):
                problems.append(f"'{key}.{name}' must be a string.")
            elif key == "date_formats" and fields[name].type not in DATE_TYPES:
                problems.append(f"'date_formats' names {name!r}, which is not a date.")
            elif key == "date_formats" and not _usable_format(value):
                problems.append(
                    f"'date_formats.{name}' is not a date format like %d/%m/%Y: {value[:40]!r}."
                )
    return problems


def _usable_format(fmt: str) -> bool:
    """Whether pandas can parse with `fmt` (%s, a lone % or %Q are refused only there)."""
    try:
        dates.parse(pd.Series(["2026-01-31"]), fmt)
    except ValueError:
        return False
    return True


def _missing_fields(kind: str, columns: dict[str, str], constants: dict[str, str]) -> list[str]:
    """Fields given twice, and those the kind needs that are given neither way."""
    problems = [
        f"{name!r} is given both a column and a constant: choose one."
        for name in sorted(set(columns) & set(constants))
    ]
    for spec in FIELDS[kind].values():
        if spec.required and spec.name not in columns and spec.name not in constants:
            problems.append(f"{kind} need {spec.name!r}: map it to a column or give it a constant.")
    if kind == "activities" and not ({"lead", "deal"} & (set(columns) | set(constants))):
        problems.append("activities need 'lead' or 'deal' mapped, to know what they belong to.")
    return problems
