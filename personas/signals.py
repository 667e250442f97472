"""What personas hears: a lead's profile changed in the CRM below it, so its fit may have;
the demo organisation is ready for its personas."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.dispatch import receiver

from crm.journal import leads_changed
from orgs.demo import demo_organization_ready
from orgs.models import Organization
from personas.fits import fits_schedule


@receiver(leads_changed, dispatch_uid="personas-schedule-fits")
def refresh_changed_fits(sender: type, organization_id: int, **kwargs: Any) -> None:
    fits_schedule(organization_id=organization_id)


@receiver(demo_organization_ready, dispatch_uid="personas-demo")
def give_the_demo_its_personas(
    sender: type, organization: Organization, today: date, **kwargs: Any
) -> None:
    from personas.demo import seed_personas

    seed_personas(organization=organization)
