"""What the reviews app hears from the apps below: what they announce (smarketing.lib.events)
is recorded in their transaction; rewritten KPI facts and a plan activated, changed or
archived have the organisation's drift measured again (coalesced, after commit); the demo
organisation gets its pulse history once the other apps made theirs."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from funnel.models import Plan
from kpis.signals import facts_changed
from orgs.demo import demo_organization_ready
from orgs.models import Organization
from smarketing.lib.events import Happening, happened


@receiver(happened, dispatch_uid="reviews-record-happening")
def record_happening(sender: Any, happening: Happening, **kwargs: Any) -> None:
    from reviews.services.events import event_record

    event_record(happening)


@receiver(demo_organization_ready, dispatch_uid="reviews-pulse-demo")
def give_the_demo_its_pulses(
    sender: type, organization: Organization, today: date, **kwargs: Any
) -> None:
    # After the SLA's receiver (its app comes first), which set the demo's time zone.
    from reviews.pulse_demo import pulses_for_the_demo

    pulses_for_the_demo(organization=organization, today=today)


@receiver(facts_changed, dispatch_uid="reviews-drift-after-facts")
def measure_drift_after_facts(
    sender: type, organization_id: int, months: list[date], **kwargs: Any
) -> None:
    # Sent after the recompute committed: the new cohorts are there to be read.
    from reviews.services.drift import drift_schedule

    drift_schedule(organization_id=organization_id)


@receiver(facts_changed, dispatch_uid="reviews-kpis-updated")
def tell_webhooks_kpis_updated(
    sender: type, organization_id: int, months: list[date], **kwargs: Any
) -> None:
    # Once a recompute, not once a cell: the months it rewrote.
    from reviews.services.events import kpis_updated_announce

    kpis_updated_announce(organization_id=organization_id, months=months)


@receiver(post_save, sender=Plan, dispatch_uid="reviews-drift-after-plan")
def measure_drift_after_plan(
    sender: type, instance: Plan, update_fields: Any = None, **kwargs: Any
) -> None:
    # An active plan's new assumptions, or a plan leaving the active ones (archived).
    if instance.status == Plan.Status.ACTIVE or (update_fields and "status" in update_fields):
        from reviews.services.drift import drift_schedule_on_commit

        drift_schedule_on_commit(organization_id=instance.organization_id)
