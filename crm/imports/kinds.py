"""How each kind of record is imported, derived from its model: the table, the fields a
mapping may name (their names, types, lengths, choices and whether a file must give them),
how rows are matched, what references are resolved, and the SQL defaults of columns an
import leaves unmapped. Written here is only what the model does not say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import models

from crm.imports.numbers import MONEY_DIGITS, MONEY_PLACES
from crm.models import Activity, Campaign, Channel, Company, Deal, Lead

ModelField = models.Field[Any, Any]
SQL_TYPES = {
    "text": "text",
    "email": "text",
    "stage": "text",
    "pipeline_stage": "text",
    "choice": "text",
    "currency": "text",
    "datetime": "timestamptz",
    "date": "date",
    "decimal": f"numeric({MONEY_DIGITS},{MONEY_PLACES})",
    "int": "integer",
    "channel": "bigint",
    "ref": "bigint",
}
# Fields whose values an import checks against the organisation (its stages) or a standard
# (e-mail addresses, ISO 4217 currencies), by name: the model stores them as plain text.
CHECKED_TYPES = {
    "email": "email",
    "stage": "stage",
    "pipeline_stage": "pipeline_stage",
    "currency": "currency",
}


@dataclass(frozen=True)
class Field:
    """A field a mapping may set, as the import reads it."""

    name: str
    type: str  # text, email, datetime, date, decimal, int, choice, stage, channel, currency, ref
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    ref: str = ""  # for type "ref": company, lead, deal, campaign, user


@dataclass(frozen=True)
class Reference:
    table: str
    keys: tuple[str, ...]  # columns tried in order to find the referenced row
    noun: str


@dataclass(frozen=True)
class Kind:
    """One kind of record: its model, and what an import does that the model does not say."""

    model: type[models.Model]
    keys: tuple[str, ...]  # own columns that identify an existing row, tried in order
    # column -> SQL of the value an import gives where the file gives none: the time of the
    # import, the organisation's first stage or currency ('%(…)s' params).
    given: dict[str, str] = field(default_factory=dict)
    deferred: tuple[str, ...] = ()  # fields written after all rows are in (company parents)
    derived: tuple[str, ...] = ()  # fields the product works out, never imported
    required: tuple[str, ...] = ()  # fields a file must give though the model has a default
    longest: dict[str, int] = field(default_factory=dict)  # text the model does not limit

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @cached_property
    def fields(self) -> dict[str, Field]:
        """The fields a mapping may set, in the model's order."""
        return {f.name: self._field(f) for f in self._imported()}

    @cached_property
    def references(self) -> dict[str, Reference]:
        """field -> the kind of record it points to, resolved in SQL by that kind's keys."""
        found = {}
        for model_field in self._imported():
            target = KIND_OF.get(model_field.related_model)  # type: ignore[arg-type]
            if target is not None and model_field.name not in self.deferred:
                found[model_field.name] = Reference(
                    target.table, target.keys, target.model._meta.model_name or ""
                )
        return found

    @cached_property
    def unique_keys(self) -> frozenset[str]:
        """The names of the constraints that make each key unique in the organisation where
        set, if every key has one (else none): a row that matches a record by a key then
        cannot be inserted beside it, so a wave may insert first and look keys up only if
        an insert conflicts (crm.imports.writing)."""
        names = set()
        for key in self.keys:
            name = next(
                (
                    c.name
                    for c in self.model._meta.constraints
                    if isinstance(c, models.UniqueConstraint)
                    and list(c.fields) == ["organization", key]
                    and c.condition == ~models.Q(**{key: ""})
                ),
                None,
            )
            if name is None:
                return frozenset()
            names.add(name)
        return frozenset(names)

    @cached_property
    def defaults(self) -> dict[str, str]:
        """column -> SQL for inserts that leave it unmapped: what the import gives, the
        model's default choice, the time for a column stamped at every save, '' for text
        that may be blank. Other columns are nullable, or a file must give them."""
        defaults = {}
        for model_field in self.model._meta.concrete_fields:
            name = model_field.name
            if name in self.given:
                defaults[name] = self.given[name]
            elif getattr(model_field, "auto_now", False):
                defaults[name] = "%(now)s"
            elif model_field.choices and model_field.has_default():
                defaults[name] = f"'{model_field.get_default()}'"
            elif isinstance(model_field, models.CharField | models.TextField) and model_field.blank:
                defaults[name] = "''"
        return defaults

    def _imported(self) -> list[ModelField]:
        return [
            f
            for f in self.model._meta.concrete_fields
            if f.editable
            and not f.primary_key
            and f.name != "organization"
            and f.name not in self.derived
        ]

    def _field(self, model_field: ModelField) -> Field:
        name = model_field.name
        required = name in self.required or not (
            model_field.blank or model_field.has_default() or name in self.given
        )
        related = model_field.related_model
        if name in self.deferred:  # another record's external id or name, as text
            target = KIND_OF[related]  # type: ignore[index]
            longest = max(_max_length(target.model, key) or 0 for key in target.keys)
            return Field(name, "text", required, longest)
        if related is Channel:
            return Field(name, "channel", required, _max_length(Channel, "code"))
        if related is not None:
            return Field(name, "ref", required, ref=related._meta.model_name or "")  # type: ignore[union-attr]
        max_length = self.longest.get(name, model_field.max_length)
        if name in CHECKED_TYPES:
            return Field(name, CHECKED_TYPES[name], required, max_length)
        if model_field.choices:
            choices = tuple(str(value) for value, _label in model_field.flatchoices)
            return Field(name, "choice", required, choices=choices)
        return Field(name, _type_of(model_field), required, max_length)


def _max_length(model: type[models.Model], name: str) -> int | None:
    return getattr(model._meta.get_field(name), "max_length", None)


def _type_of(model_field: ModelField) -> str:
    if isinstance(model_field, models.DateTimeField):  # before DateField, its parent
        return "datetime"
    if isinstance(model_field, models.DateField):
        return "date"
    if isinstance(model_field, models.DecimalField):
        return "decimal"
    if isinstance(model_field, models.IntegerField):
        return "int"
    return "text"


KINDS = {
    "leads": Kind(
        Lead,
        ("external_id", "email"),
        given={"created_at": "%(now)s", "stage": "%(first_stage)s"},
    ),
    "deals": Kind(
        Deal,
        ("external_id",),
        given={"currency": "%(currency)s"},
        derived=("kind",),  # from the company's earlier wins (crm.rules)
    ),
    "companies": Kind(Company, ("external_id", "name"), deferred=("parent",)),
    "campaigns": Kind(Campaign, ("external_id", "name")),
    "activities": Kind(
        Activity,
        ("external_id",),
        required=("at",),  # the model's default is now: a file's activity is dated by the file
        longest={"notes": 10_000},
    ),
}
# The kind of record stored in each model, for the references to it.
KIND_OF: dict[type[models.Model], Kind] = {kind.model: kind for kind in KINDS.values()}


def column_of(field: str, field_type: str) -> str:
    """The table column a field is stored in: foreign keys end in _id."""
    return f"{field}_id" if field_type in ("channel", "ref") else field
