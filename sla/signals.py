"""What the SLA hears from the apps below: rewritten KPI facts have their months' hand-offs
judged again; the demo organisation gets its signed agreement once its plans exist."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.dispatch import receiver

from kpis.signals import facts_changed
from orgs.demo import demo_organization_ready
from orgs.models import Organization


@receiver(demo_organization_ready, dispatch_uid="sla-demo")
def give_the_demo_its_agreement(
    sender: type, organization: Organization, today: date, **kwargs: Any
) -> None:
    # After the funnel's receiver (its app comes first), which made the active plan.
    from sla.demo import agreement_for_the_demo

    agreement_for_the_demo(organization=organization, today=today)


@receiver(facts_changed, dispatch_uid="sla-judge-again")
def judge_the_changed_months_again(
    sender: type, organization_id: int, months: list[date], **kwargs: Any
) -> None:
    # A lead handed over, touched, decided on or deleted rewrites the facts of its months
    # (its hand-off's among them); their hand-offs are judged again. The months are UTC
    # months: a day earlier holds the organisation's own month start in any time zone.
    from sla.services import compliance_mark

    if months:
        first = min(months)
        since = datetime(first.year, first.month, 1, tzinfo=UTC) - timedelta(days=1)
        compliance_mark(organization_id=organization_id, since=since)
