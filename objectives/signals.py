"""What objectives hears from the apps below: rewritten KPI facts refresh the progress of
the organisation's objectives (coalesced, after commit); the demo organisation gets its
objectives once its plans exist."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from kpis.signals import facts_changed
from objectives.models import Owner
from orgs.demo import demo_organization_ready
from orgs.models import Organization


@receiver(facts_changed, dispatch_uid="objectives-refresh-progress")
def refresh_progress_of_objectives(
    sender: type, organization_id: int, months: list[date], **kwargs: Any
) -> None:
    from objectives.services import objectives_schedule

    objectives_schedule(organization_id=organization_id)


@receiver(demo_organization_ready, dispatch_uid="objectives-demo")
def give_the_demo_its_objectives(
    sender: type, organization: Organization, today: date, **kwargs: Any
) -> None:
    # After the funnel's receiver (its app comes first), which made the active plan.
    from objectives.demo import objectives_for_the_demo

    objectives_for_the_demo(organization=organization, today=today)


@receiver(post_delete, sender=Owner, dispatch_uid="objectives-owner-gone")
def reshare_after_an_owner_left(sender: type, instance: Owner, **kwargs: Any) -> None:
    from objectives.services import objective_reshare

    objective_reshare(objective_id=instance.objective_id)
