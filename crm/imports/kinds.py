"""How each kind of record is stored: its table, how rows are matched, what references
it resolves, and the defaults of columns an import leaves unmapped."""

from __future__ import annotations

from dataclasses import dataclass

from crm.imports.numbers import MONEY_DIGITS, MONEY_PLACES

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


@dataclass(frozen=True)
class Reference:
    table: str
    keys: tuple[str, ...]  # columns tried in order to find the referenced row
    noun: str


COMPANY = Reference("crm_company", ("external_id", "name"), "company")
CAMPAIGN = Reference("crm_campaign", ("external_id", "name"), "campaign")
LEAD = Reference("crm_lead", ("external_id", "email"), "lead")
DEAL = Reference("crm_deal", ("external_id",), "deal")


@dataclass(frozen=True)
class Kind:
    table: str
    keys: tuple[str, ...]  # own columns that identify an existing row, tried in order
    references: dict[str, Reference]  # field -> what it points to, resolved in SQL
    defaults: dict[str, str]  # column -> SQL expression for inserts ('%(…)s' params allowed)
    deferred: tuple[str, ...] = ()  # fields written after all rows are in (company parents)


KINDS = {
    "leads": Kind(
        "crm_lead",
        ("external_id", "email"),
        {"company": COMPANY, "campaign": CAMPAIGN},
        {
            "external_id": "''",
            "name": "''",
            "email": "''",
            "phone": "''",
            "title": "''",
            "country": "''",
            "city": "''",
            "created_at": "%(now)s",
            "stage": "%(first_stage)s",
            "updated_at": "%(now)s",
        },
    ),
    "deals": Kind(
        "crm_deal",
        ("external_id",),
        {"lead": LEAD, "company": COMPANY},
        {
            "external_id": "''",
            "name": "''",
            "product": "''",
            "currency": "%(currency)s",
            "status": "'open'",
            "pipeline_stage": "''",
            "lost_reason": "''",
            "kind": "'new'",
            "updated_at": "%(now)s",
        },
    ),
    "companies": Kind(
        "crm_company",
        ("external_id", "name"),
        {},
        {"external_id": "''", "industry": "''", "country": "''"},
        deferred=("parent",),
    ),
    "campaigns": Kind(
        "crm_campaign",
        ("external_id", "name"),
        {},
        {"external_id": "''", "status": "'planned'"},
    ),
    "activities": Kind(
        "crm_activity",
        ("external_id",),
        {"lead": LEAD, "deal": DEAL},
        {"external_id": "''", "outcome": "''", "notes": "''"},
    ),
}


def column_of(field: str, field_type: str) -> str:
    """The table column a field is stored in: foreign keys end in _id."""
    return f"{field}_id" if field_type in ("channel", "ref") else field
