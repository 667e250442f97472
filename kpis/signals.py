"""What kpis hears from the CRM below it, and tells the apps above it."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from crm.journal import cells_changed


@receiver(cells_changed, dispatch_uid="kpis-schedule")
def recompute_changed_cells(sender: type, organization_id: int, **kwargs: Any) -> None:
    from kpis.scheduling import kpis_schedule

    kpis_schedule(organization_id=organization_id)
