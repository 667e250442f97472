"""What the SLA hears from the apps below: the demo organisation gets its signed agreement
once its plans exist."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.dispatch import receiver

from orgs.demo import demo_organization_ready
from orgs.models import Organization


@receiver(demo_organization_ready, dispatch_uid="sla-demo")
def give_the_demo_its_agreement(
    sender: type, organization: Organization, today: date, **kwargs: Any
) -> None:
    # After the funnel's receiver (its app comes first), which made the active plan.
    from sla.demo import agreement_for_the_demo

    agreement_for_the_demo(organization=organization, today=today)
