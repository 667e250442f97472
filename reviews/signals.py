"""What the lower apps announce (smarketing.lib.events) is recorded here, in their
transaction; the demo organisation gets its pulse history once the other apps made theirs."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.dispatch import receiver

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
