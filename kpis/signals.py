"""What kpis hears from the apps below it, and tells the apps above it.

Below: the CRM's `cells_changed` (crm.journal) schedules a recompute; personas'
`fits_changed` marks the cells of the leads whose fit changed (the persona facts count them). Above: `facts_changed`
tells whoever reads the facts (the funnel's learned plans) that some months were rewritten;
kpis imports none of them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.dispatch import Signal, receiver

from crm.journal import cells_changed, mark_everything, mark_leads
from kpis.scheduling import kpis_schedule
from personas.fits import fits_changed

# Sent once the facts of some months are rewritten and committed by an incremental
# recompute, with `organization_id` and `months` (the first day of each).
facts_changed = Signal()


class Facts:
    """The sender of `facts_changed`."""


def announce_facts_changed(*, organization_id: int, months: list[date]) -> None:
    """Send `facts_changed` after the current transaction commits (at once outside one)."""
    transaction.on_commit(
        lambda: facts_changed.send(sender=Facts, organization_id=organization_id, months=months)
    )


@receiver(cells_changed, dispatch_uid="kpis-schedule")
def recompute_changed_cells(sender: type, organization_id: int, **kwargs: Any) -> None:
    kpis_schedule(organization_id=organization_id)


@receiver(fits_changed, dispatch_uid="kpis-persona-facts")
def recount_changed_fits(
    sender: type, organization_id: int, lead_ids: list[int] | None, **kwargs: Any
) -> None:
    # Their cells only: a fit is not part of a lead's profile, so this marks no lead
    # for another refresh of its fit.
    with transaction.atomic():
        if lead_ids is None:
            mark_everything(organization_id, profiles=False)
        else:
            mark_leads(organization_id, lead_ids, profiles=False)
