"""Who may do what: the role x action matrix.

This table is the only place that grants rights. Views, API endpoints and the
navigation ask `can(role, action)`; docs/permissions.md is generated from it
(`python manage.py permission_matrix`) and a test keeps the two equal.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orgs.models import Role


class Action(StrEnum):
    VIEW = "view"
    MANAGE_OWN_TOKENS = "manage_own_tokens"
    EDIT_LEADS = "edit_leads"
    EDIT_DEALS = "edit_deals"
    EDIT_CAMPAIGNS = "edit_campaigns"
    IMPORT_RECORDS = "import_records"
    EDIT_PLANS = "edit_plans"
    EDIT_PERSONAS = "edit_personas"
    APPROVE_PERSONAS = "approve_personas"
    EDIT_OBJECTIVES = "edit_objectives"
    EDIT_SLA = "edit_sla"
    DECIDE_MQLS = "decide_mqls"
    KEEP_REVIEWS = "keep_reviews"
    ANSWER_PULSE = "answer_pulse"
    MANAGE_WEBHOOKS = "manage_webhooks"
    MANAGE_MEMBERS = "manage_members"
    EDIT_ORGANIZATION = "edit_organization"


ACTION_LABELS = {
    Action.VIEW: _("See the organisation's pages, dashboards and API data"),
    Action.MANAGE_OWN_TOKENS: _("Create and revoke one's own API tokens"),
    Action.EDIT_LEADS: _("Create, edit, merge and move leads; edit companies and activities"),
    Action.EDIT_DEALS: _("Create, edit, win and lose deals"),
    Action.EDIT_CAMPAIGNS: _("Create and edit campaigns and channels"),
    Action.IMPORT_RECORDS: _("Import files of CRM records"),
    Action.EDIT_PLANS: _("Create, edit and activate funnel plans"),
    Action.EDIT_PERSONAS: _("Create, edit and archive buyer personas"),
    Action.APPROVE_PERSONAS: _(
        "Approve a buyer persona for one's own team (an admin stands in for either team)"
    ),
    Action.EDIT_OBJECTIVES: _(
        "Create, edit and delete shared objectives, assign their owners and weights, split "
        "them into rep targets"
    ),
    Action.EDIT_SLA: _("Set the business calendar of the Sales-Marketing SLA"),
    Action.DECIDE_MQLS: _("Accept or reject the MQLs marketing hands over to sales"),
    Action.KEEP_REVIEWS: _(
        "Keep the monthly review: its decisions, owners and due dates; open the alignment pulse"
    ),
    Action.ANSWER_PULSE: _("Answer the alignment pulse for one's own team"),
    Action.MANAGE_WEBHOOKS: _("Register, test and resend the organisation's webhooks"),
    Action.MANAGE_MEMBERS: _("Invite members, change their roles, remove them"),
    Action.EDIT_ORGANIZATION: _("Edit the organisation's name and currency"),
}

_EVERYONE = frozenset({Action.VIEW, Action.MANAGE_OWN_TOKENS})
# The two managers agree the ideal customer: each edits personas and approves for their team.
_PERSONAS = frozenset({Action.EDIT_PERSONAS, Action.APPROVE_PERSONAS})
# The two managers set the shared objectives together; reps and leadership read them.
_OBJECTIVES = frozenset({Action.EDIT_OBJECTIVES})
# The two managers keep the agreement between their teams (its calendar, for now).
_SLA = frozenset({Action.EDIT_SLA})
# The two managers run the monthly review together; their teams answer the pulse.
_REVIEWS = frozenset({Action.KEEP_REVIEWS, Action.ANSWER_PULSE})

MATRIX: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.MARKETING_MANAGER: _EVERYONE
    | {Action.EDIT_LEADS, Action.EDIT_CAMPAIGNS, Action.IMPORT_RECORDS, Action.EDIT_PLANS}
    | _PERSONAS
    | _OBJECTIVES
    | _SLA
    | _REVIEWS,
    Role.SALES_MANAGER: _EVERYONE
    | {Action.EDIT_LEADS, Action.EDIT_DEALS, Action.IMPORT_RECORDS, Action.EDIT_PLANS}
    | _PERSONAS
    | _OBJECTIVES
    | _SLA
    | _REVIEWS
    | {Action.DECIDE_MQLS},
    Role.SALES_REP: _EVERYONE
    | {Action.EDIT_LEADS, Action.EDIT_DEALS, Action.DECIDE_MQLS, Action.ANSWER_PULSE},
    # Leadership reads everything and changes nothing of the organisation's data. A
    # personal token only reads too, because it acts with this same role.
    Role.LEADERSHIP: _EVERYONE,
}

# Actions that change nothing of the organisation's data: the only ones leadership has.
READ_ONLY_ACTIONS = frozenset({Action.VIEW, Action.MANAGE_OWN_TOKENS})

# The right that writing each kind of record needs, however it is written: one by one, in a
# bulk upsert or by a file import (which needs import_records besides). Without it an import
# was a way round the matrix: a marketing manager importing won deals.
RECORD_WRITES: dict[str, Action] = {
    "channels": Action.EDIT_CAMPAIGNS,
    "campaigns": Action.EDIT_CAMPAIGNS,
    "companies": Action.EDIT_LEADS,
    "leads": Action.EDIT_LEADS,
    "activities": Action.EDIT_LEADS,
    "deals": Action.EDIT_DEALS,
}


def can(role: str | None, action: Action) -> bool:
    if role is None:
        return False
    return action in MATRIX.get(Role(role), frozenset())


def can_write(role: str | None, kind: str) -> bool:
    """May `role` write records of `kind` (leads, deals, ...)?"""
    return kind in RECORD_WRITES and can(role, RECORD_WRITES[kind])


def can_import(role: str | None, kind: str) -> bool:
    """May `role` import a file of records of `kind`?"""
    return can(role, Action.IMPORT_RECORDS) and can_write(role, kind)


def import_refusal(kind: str, name: str | None = None) -> str:
    """Why a member may not import `kind` (called `name` where a person reads it): the
    rights that needs."""
    return gettext("Importing %(kind)s needs the rights %(import)s and %(write)s.") % {
        "kind": name or kind,
        # The rights as the role matrix names them to people, not their codes.
        "import": f"«{ACTION_LABELS[Action.IMPORT_RECORDS]}»",
        "write": f"«{ACTION_LABELS[RECORD_WRITES[kind]]}»" if kind in RECORD_WRITES else "",
    }


def allowed_actions(role: str) -> list[Action]:
    return [action for action in Action if can(role, action)]


def matrix_markdown() -> str:
    """The matrix as the Markdown table in docs/permissions.md (in English), and what it
    means for imports."""
    with translation.override("en"):
        return _matrix_table() + "\n" + _imports_section()


def _matrix_table() -> str:
    roles = list(Role)
    lines = [
        "| action | " + " | ".join(str(role.label) for role in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for action in Action:
        marks = " | ".join("yes" if can(role, action) else "-" for role in roles)
        lines.append(f"| `{action}`: {ACTION_LABELS[action]} | {marks} |")
    return "\n".join(lines) + "\n"


def _imports_section() -> str:
    kinds = ", ".join(f"{kind}: `{action}`" for kind, action in RECORD_WRITES.items())
    return (
        "## Imports and bulk upserts\n"
        "Writing many records at once needs the same right as writing them one by one "
        f"({kinds}). A file import (the page, `POST /api/v1/imports/`, or `import_records "
        "--member`) needs `import_records` and that right for the kind of records it holds; "
        "a bulk upsert (`POST /api/v1/<records>/bulk/`) needs that right, like the endpoint's "
        "other writes. `import_records` without `--member` is run by whoever operates the "
        "server, with every right.\n\n"
        "A channel code that no channel of the organisation has is created by a file import "
        "only when the member may write channels (`edit_campaigns`); otherwise the row is "
        "rejected with the reason. A bulk upsert treats it as `POST /api/v1/leads/` and "
        "`/campaigns/` do: it creates no channel, and the record is rejected naming `channel` "
        "(create channels through `/api/v1/channels/`).\n"
    )
