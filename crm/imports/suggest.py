"""A first mapping from a file's header: our field names, and what HubSpot, Salesforce and
Pipedrive call the same thing in their exports."""

from __future__ import annotations

import re

from crm.imports.mapping import FIELDS

SYNONYMS: dict[str, dict[str, list[str]]] = {
    "leads": {
        "external_id": [
            "id",
            "external id",
            "record id",
            "lead id",
            "contact id",
            "person id",
            "mql id",
            "person - id",
        ],
        "name": ["name", "full name", "contact name", "person - name", "lead name"],
        "email": ["email", "e-mail", "email address", "person - email", "work email"],
        "phone": ["phone", "phone number", "mobile phone", "person - phone"],
        "title": ["title", "job title", "position"],
        "company": [
            "company",
            "company name",
            "account",
            "account name",
            "organization - name",
            "organisation",
        ],
        "country": ["country", "country/region", "country region"],
        "city": ["city", "town"],
        "channel": [
            "channel",
            "source",
            "lead source",
            "original source",
            "origin",
            "lead - source",
            "utm source",
        ],
        "campaign": ["campaign", "campaign name", "first touch campaign"],
        "created_at": [
            "created",
            "created at",
            "create date",
            "created date",
            "first contact date",
            "lead - created",
            "date added",
        ],
        "stage": ["stage", "lifecycle stage", "lead status", "status"],
    },
    "deals": {
        "external_id": ["id", "external id", "record id", "deal id", "opportunity id", "deal - id"],
        "name": ["name", "deal name", "opportunity name", "deal - title", "title"],
        "lead": ["lead", "lead id", "contact id", "mql id", "person id"],
        "company": ["company", "account", "account name", "company name", "organization - name"],
        "product": ["product", "product name", "products"],
        "amount": [
            "amount",
            "value",
            "deal value",
            "close value",
            "deal - value",
            "opportunity amount",
        ],
        "currency": ["currency", "deal currency code", "opportunity currency", "deal - currency"],
        "status": ["status", "deal stage", "stage", "deal - status", "won lost"],
        "created_at": [
            "created",
            "create date",
            "created date",
            "engage date",
            "deal - deal created",
        ],
        "closed_at": [
            "closed",
            "close date",
            "closed date",
            "won date",
            "won time",
            "deal - won time",
            "deal - close date",
        ],
        "lost_reason": ["lost reason", "closed lost reason", "deal - lost reason"],
    },
    "companies": {
        "external_id": [
            "id",
            "external id",
            "record id",
            "company id",
            "account id",
            "organization - id",
        ],
        "name": [
            "name",
            "company",
            "company name",
            "account",
            "account name",
            "organization - name",
        ],
        "industry": ["industry", "sector", "vertical"],
        "employees": ["employees", "number of employees", "company size", "headcount"],
        "annual_revenue": ["annual revenue", "revenue"],
        "country": ["country", "country/region", "office location", "billing country"],
        "parent": ["parent", "parent company", "parent account", "subsidiary of"],
    },
    "campaigns": {
        "external_id": ["id", "external id", "campaign id"],
        "name": ["name", "campaign", "campaign name"],
        "channel": ["channel", "type", "source", "medium"],
        "start_date": ["start", "start date", "begins"],
        "end_date": ["end", "end date", "ends"],
        "budget": ["budget", "budgeted cost", "planned budget"],
        "actual_cost": ["actual cost", "cost", "spend", "amount spent"],
        "status": ["status"],
    },
    "activities": {
        "external_id": ["id", "external id", "activity id", "task id"],
        "lead": ["lead", "lead id", "contact id", "person id"],
        "deal": ["deal", "deal id", "opportunity id"],
        "kind": ["type", "kind", "activity type", "task type"],
        "at": ["date", "at", "activity date", "due date", "done time", "created"],
        "outcome": ["outcome", "result", "call outcome", "disposition"],
        "notes": ["notes", "note", "description", "comments", "subject"],
    },
}


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def suggest_columns(kind: str, header: list[str]) -> dict[str, str]:
    """field -> column, for the fields whose usual names appear in `header`."""
    by_plain = {_plain(column): column for column in header}
    suggestion: dict[str, str] = {}
    for name in FIELDS[kind]:
        for synonym in [name.replace("_", " "), *SYNONYMS.get(kind, {}).get(name, [])]:
            column = by_plain.get(_plain(synonym))
            if column and column not in suggestion.values():
                suggestion[name] = column
                break
    return suggestion
