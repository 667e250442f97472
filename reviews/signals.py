"""What the reviews app hears from the apps below: what they announce (smarketing.lib.events)
is recorded in their transaction; rewritten KPI facts and a plan activated, changed or
archived have the organisation's drift measured again (coalesced, after commit)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from funnel.models import Plan
from kpis.signals import facts_changed
from smarketing.lib.events import Happening, happened


@receiver(happened, dispatch_uid="reviews-record-happening")
def record_happening(sender: Any, happening: Happening, **kwargs: Any) -> None:
    from reviews.services.events import event_record

    event_record(happening)


@receiver(facts_changed, dispatch_uid="reviews-drift-after-facts")
def measure_drift_after_facts(
    sender: type, organization_id: int, months: list[date], **kwargs: Any
) -> None:
    # Sent after the recompute committed: the new cohorts are there to be read.
    from reviews.services.drift import drift_schedule

    drift_schedule(organization_id=organization_id)


@receiver(post_save, sender=Plan, dispatch_uid="reviews-drift-after-plan")
def measure_drift_after_plan(
    sender: type, instance: Plan, update_fields: Any = None, **kwargs: Any
) -> None:
    # An active plan's new assumptions, or a plan leaving the active ones (archived).
    if instance.status == Plan.Status.ACTIVE or (update_fields and "status" in update_fields):
        from reviews.services.drift import drift_schedule_on_commit

        drift_schedule_on_commit(organization_id=instance.organization_id)
