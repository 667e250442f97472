"""A first mapping from a file's header: which kind of records it holds, from the columns
that give each kind away, and which column goes to which field, from our field names and
what HubSpot, Salesforce and Pipedrive call the same thing in their exports."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

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


# A clue's weight: a column only one kind holds as its own data (a won date, a budget) says
# much more than one naming the kind (`lead_type`, `Account Name`), which files of other
# kinds carry as references.
OWN_DATA = 3
NAMES_THE_KIND = 1


@dataclass(frozen=True)
class Clue:
    """Columns that give a kind away: any column whose words contain one of `names`."""

    kind: str
    what: StrOrPromise  # shown to the user as the reason the column counted
    names: tuple[str, ...]
    weight: int = OWN_DATA


CLUES = [
    Clue("deals", _("a won or close date"), ("won", "close date", "closed date", "closing date", "expected close")),
    Clue("deals", _("an amount, value or revenue"), ("amount", "value", "revenue")),
    Clue("deals", _("a deal stage or status"), ("deal stage", "deal status", "stage name", "probability", "pipeline")),
    Clue("deals", _("a lost reason"), ("lost reason",)),
    Clue("deals", _("names a deal or opportunity"), ("deal", "deals", "opportunity"), NAMES_THE_KIND),
    Clue("leads", _("an e-mail address"), ("email", "e mail", "email address")),
    Clue("leads", _("a lead source or origin"), ("lead source", "source", "original source", "origin")),
    Clue("leads", _("a first contact date"), ("first contact",)),
    Clue("leads", _("a lifecycle stage or lead status"), ("lifecycle stage", "lead status")),
    Clue("leads", _("a person's name or job title"), ("first name", "last name", "job title")),
    Clue("leads", _("names a lead, contact or person"), ("lead", "contact", "person", "mql", "phone"), NAMES_THE_KIND),
    Clue("campaigns", _("a budget or spend"), ("budget", "budgeted cost", "spend", "spent", "amount spent", "actual cost", "cost")),
    Clue("campaigns", _("a start or end date"), ("start", "start date", "end", "end date")),
    Clue("campaigns", _("names a campaign"), ("campaign",), NAMES_THE_KIND),
    Clue("companies", _("an industry or sector"), ("industry", "sector", "vertical")),
    Clue("companies", _("a number of employees"), ("employees", "number of employees", "headcount", "company size")),
    Clue("companies", _("a website or domain"), ("website", "website url", "domain", "domain name")),
    Clue("companies", _("annual revenue or a parent company"), ("annual revenue", "subsidiary of", "parent company", "parent account")),
    Clue("companies", _("names a company, account or organisation"), ("company", "account", "organization", "organisation"), NAMES_THE_KIND),
    Clue("activities", _("an activity type or subject"), ("activity type", "task type", "subject")),
    Clue("activities", _("a due or done date"), ("due", "due date", "done", "done time", "activity date")),
    Clue("activities", _("a call outcome"), ("outcome", "call outcome", "disposition")),
    Clue("activities", _("names an activity, task, call or meeting"), ("activity", "task", "call", "meeting"), NAMES_THE_KIND),
]  # fmt: skip


@dataclass(frozen=True)
class Reason:
    column: str
    what: StrOrPromise


@dataclass(frozen=True)
class KindSuggestion:
    """The kind a header most looks like (None: no column gives any away), and why."""

    kind: str | None
    reasons: list[Reason]  # the columns that counted for it, in the file's order
    scores: dict[str, int]


def _words(column: str) -> list[str]:
    """A column's words, whatever the export's style: "Close Date", "close_date", "CloseDate",
    "Deal - Won time"."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", column)
    return re.sub(r"[^a-z0-9]+", " ", spaced.lower()).split()


def _contains(words: list[str], name: list[str]) -> bool:
    return any(words[i : i + len(name)] == name for i in range(len(words) - len(name) + 1))


def _clue_of(column: str) -> Clue | None:
    """The most specific clue a column matches: "amount spent" is a campaign's spend, not a
    deal's amount, and "annual revenue" a company's, not a deal's revenue."""
    words = _words(column)
    matches = [
        (len(name.split()), clue.weight, clue)
        for clue in CLUES
        for name in clue.names
        if _contains(words, name.split())
    ]
    return max(matches, key=lambda match: match[:2])[2] if matches else None


def suggest_kind(header: list[str]) -> KindSuggestion:
    """Weigh every kind's recognisable columns; the heaviest kind is the suggestion (the
    first in FIELDS' order on a tie)."""
    scores = dict.fromkeys(FIELDS, 0)
    reasons: dict[str, list[Reason]] = {kind: [] for kind in FIELDS}
    for column in header:
        clue = _clue_of(column)
        if clue is not None:
            scores[clue.kind] += clue.weight
            reasons[clue.kind].append(Reason(column, clue.what))
    best = max(scores, key=lambda kind: scores[kind])
    if not scores[best]:
        return KindSuggestion(None, [], scores)
    return KindSuggestion(best, reasons[best], scores)
