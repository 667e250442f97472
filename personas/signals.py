"""What personas hears from the CRM below it: a lead's profile changed, so its fit may have."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from crm.journal import leads_changed
from personas.fits import fits_schedule


@receiver(leads_changed, dispatch_uid="personas-schedule-fits")
def refresh_changed_fits(sender: type, organization_id: int, **kwargs: Any) -> None:
    fits_schedule(organization_id=organization_id)
