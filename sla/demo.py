"""The demo organisation's Sales-Marketing agreement: this year's, its MQLs proposed from the
active plan, signed by the demo's marketing and sales managers, on an Italian calendar."""

from __future__ import annotations

from datetime import date, time

from orgs.models import Membership, Organization, Role
from sla.models import Agreement, Side
from sla.services import agreement_create, agreement_sign, calendar_update, proposed_terms


def agreement_for_the_demo(*, organization: Organization, today: date) -> Agreement | None:
    if Agreement.objects.for_org(organization).exists():
        return None
    calendar_update(
        organization=organization, time_zone="Europe/Rome", working_days=[1, 2, 3, 4, 5],
        day_start=time(9), day_end=time(18), holidays_country="IT",
    )  # fmt: skip
    signers = {
        m.role: m
        for m in Membership.objects.for_org(organization)
        .filter(role__in=[Role.MARKETING_MANAGER, Role.SALES_MANAGER])
        .select_related("user")
    }
    terms = {} if _plan_proposes(organization, today) else {"mqls_per_month": 60}
    # What the demo's sales team can keep most of the time: a touch within a working day,
    # three attempts within a week, a decision within two.
    terms |= {"first_touch_hours": 8, "attempts": 3, "attempts_days": 5, "decision_days": 10}
    agreement = agreement_create(
        organization=organization, by=None, first_month=date(today.year, 1, 1), terms=terms
    )
    for role, side in ((Role.MARKETING_MANAGER, Side.MARKETING), (Role.SALES_MANAGER, Side.SALES)):
        if role in signers:
            agreement_sign(agreement=agreement, membership=signers[role], side=side)
    return agreement


def _plan_proposes(organization: Organization, today: date) -> bool:
    return bool(
        proposed_terms(organization, first=date(today.year, 1, 1), last=date(today.year, 12, 1))
    )
