"""What happened that people or other tools should hear of: one signal every app sends.

A lower app (crm, personas, funnel, objectives, sla) knows when something happened and who
it concerns, but not how people are told: that is the reviews app's, above them all, which
records each happening once (its key), notifies the members who want it (in the app, by
e-mail) and delivers it to the organisation's webhooks. Send it inside the transaction that
made the change: the record commits with it, and nothing is sent for a change rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal

# kwargs: happening (a Happening)
happened = Signal()


class Kind:
    """The kinds of happening. The dotted names are the webhook events' (Standard Webhooks
    `type`); a member chooses per kind how to be told."""

    SLA_BREACH = "sla.breach"
    SLA_ESCALATED = "sla.breach_escalated"
    OBJECTIVE_STATUS = "objective.status_changed"
    PLAN_ACTIVATED = "plan.activated"
    PLAN_AT_RISK = "plan.at_risk"
    KPIS_UPDATED = "kpis.updated"
    IMPORT_FINISHED = "import.finished"
    IMPORT_FAILED = "import.failed"
    AGREEMENT_SIGNATURE = "agreement.awaiting_signature"
    AGREEMENT_RENEWAL = "agreement.renewal_due"
    PERSONA_APPROVAL = "persona.awaiting_approval"
    PULSE_OPEN = "pulse.opened"
    # Told to the organisation's admins; never itself delivered to a webhook.
    WEBHOOK_DISABLED = "webhook.disabled"


@dataclass(frozen=True)
class Happening:
    """One thing that happened in one organisation.

    `key` makes it once: the same key sent again (a retried task, a second sweep) is the
    same happening, recorded and told once. `recipients` are the users it concerns (the
    members among them who want this kind are notified); `data` is plain JSON, the webhook
    payload's and what the notification's words are made of; `link` is the page it is about.
    """

    organization_id: int
    kind: str
    key: str
    data: dict[str, Any] = field(default_factory=dict)
    recipients: tuple[int, ...] = ()
    link: str = ""


def announce(happening: Happening) -> None:
    """Tell whoever listens (the reviews app) that `happening` happened."""
    happened.send(sender=Happening, happening=happening)


def announce_all(happenings: Iterable[Happening]) -> None:
    for happening in happenings:
        announce(happening)
