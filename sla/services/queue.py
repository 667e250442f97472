"""Sales' decision on each MQL handed over: accept it (it moves on to the funnel's next
stage) or reject it with a reason (back to marketing: disqualified when it is not a lead to
have, recycled otherwise); and what the SLA says of one lead's clock. A lead not waiting at
the hand-off stage is refused with the reason."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.selectors import (
    exit_stage_codes,
    funnel_stage_codes,
    lead_handoff_at,
    lead_left_stage,
    lead_touches,
    lifecycle_stage_names,
    stage_with_role,
)
from crm.services.leads import lead_change_stage
from orgs.models import Membership, Organization
from sla.clock import LeadClock, Terms, lead_clock
from sla.models import Decision, RejectionReason
from sla.selectors import calendar_of, decision_on, signed_versions, version_at, version_for

if TYPE_CHECKING:
    from crm.models import Lead

# Rejections that say the lead is not one to have: it leaves the funnel for good.
DISQUALIFYING = {
    RejectionReason.NOT_IDEAL,
    RejectionReason.DUPLICATE,
    RejectionReason.ALREADY_CUSTOMER,
}
HANDOFF_ROLE = "handoff"
SALES_DECISION = "sales_decision"  # the stage change's source (crm's LeadStageChange.Source)


def _waiting(lead: Lead) -> tuple[str, datetime]:
    """The hand-off stage the lead waits at and since when, or why it is not waiting."""
    stage = stage_with_role(lead.organization, HANDOFF_ROLE)
    if stage is None or lead.stage != stage:
        names = lifecycle_stage_names(lead.organization)
        raise ValidationError({"lead": _(
            "This lead is not waiting for sales' decision: it is at the stage %(stage)s."
        ) % {"stage": names.get(lead.stage, lead.stage)}})  # fmt: skip
    # While it waits there, the hand-off is when it reached the stage (the queue's reading
    # too), however its history was edited or merged.
    return stage, lead.stage_changed_at


@transaction.atomic
def lead_accept(*, lead: Lead, membership: Membership, note: str = "") -> Decision:
    """Accept the MQL: it moves to the funnel's stage after the hand-off."""
    stage, since = _waiting(lead)
    stages = funnel_stage_codes(lead.organization)
    following = stages[stages.index(stage) + 1] if stage in stages[:-1] else None
    if following is None:
        raise ValidationError(
            {"lead": _("The funnel has no stage after the hand-off to accept it to.")}
        )
    return _decide(lead, membership, since, following, Decision.Outcome.ACCEPTED, "", note)


@transaction.atomic
def lead_reject(*, lead: Lead, membership: Membership, reason: str, note: str = "") -> Decision:
    """Reject the MQL with a reason the agreement in force allows: it goes back to marketing."""
    _stage, since = _waiting(lead)
    version = version_for(lead.organization, since)
    allowed = version.rejection_reasons if version else list(RejectionReason.values)
    if reason not in allowed:
        raise ValidationError({"reason": _("Give one of the agreement's reasons: %(reasons)s.") % {
            "reasons": ", ".join(str(RejectionReason(r).label) for r in allowed)}})  # fmt: skip
    exits = exit_stage_codes(lead.organization)
    wanted = "disqualified" if reason in DISQUALIFYING else "recycled"
    to_stage = wanted if wanted in exits else (exits[0] if exits else None)
    if to_stage is None:
        raise ValidationError({"lead": _("The organisation has no exit stage to send it back to.")})
    return _decide(lead, membership, since, to_stage, Decision.Outcome.REJECTED, reason, note)


def _decide(
    lead: Lead, membership: Membership, since: datetime, to_stage: str, outcome: str,
    reason: str, note: str,
) -> Decision:  # fmt: skip
    already = ValidationError({"lead": _("Sales decided on this hand-off already.")})
    if decision_on(lead.organization, lead.pk, since) is not None:
        raise already
    # The move locks the lead: a second click waiting on it finds the lead moved on (None).
    if (
        lead_change_stage(lead=lead, to_stage=to_stage, by=membership.user, source=SALES_DECISION)
        is None
    ):
        raise already
    if decision_on(lead.organization, lead.pk, since) is not None:
        raise already
    return Decision.objects.create(
        organization=lead.organization, lead=lead, handoff_at=since, outcome=outcome,
        reason=reason, note=note.strip()[:1000], by=membership.user,
    )  # fmt: skip


def lead_sla(organization: Organization, lead: Lead, *, now: datetime) -> LeadClock:
    """The SLA's view of the lead's latest hand-off, now."""
    stage = stage_with_role(organization, HANDOFF_ROLE)
    handoff_at: datetime | None
    if stage and lead.stage == stage:
        handoff_at = lead.stage_changed_at  # waiting: as the queue reads it
    else:
        handoff_at = lead_handoff_at(organization, lead.pk, stage) if stage else None
    calendar = calendar_of(organization)
    year = (handoff_at or now).year
    working = calendar.working_time(year, now.year + 1)
    if handoff_at is None:
        return lead_clock(handoff_at=None, touches=[], decision=None, terms=None,
                          calendar=working, now=now)  # fmt: skip
    version = version_at(signed_versions(organization), handoff_at, working.zone)
    terms = Terms.of(version) if version else None
    return lead_clock(
        handoff_at=handoff_at,
        touches=lead_touches(organization, lead.pk, since=handoff_at),
        decision=_decision(organization, lead, stage or "", handoff_at),
        terms=terms, calendar=working, now=now,
    )  # fmt: skip


def _decision(
    organization: Organization, lead: Lead, stage: str, handoff_at: datetime
) -> tuple[str, datetime, str] | None:
    """Sales' decision on the hand-off: recorded in the queue, or read from the lead
    leaving the stage (on to the funnel: accepted; anywhere else: rejected), as the
    compliance statement reads it."""
    decided = decision_on(organization, lead.pk, handoff_at)
    if decided is not None:
        return decided.outcome, decided.at, decided.reason
    moved = lead_left_stage(organization, lead.pk, stage, since=handoff_at)
    if moved is None:
        return None
    stages = funnel_stage_codes(organization)
    onwards = stages[stages.index(stage) + 1 :] if stage in stages else []
    outcome = Decision.Outcome.ACCEPTED if moved[1] in onwards else Decision.Outcome.REJECTED
    return outcome, moved[0], ""
