"""What kpis hears from the CRM below it, and tells the apps above it.

Below: the CRM's `cells_changed` (crm.journal) schedules a recompute. Above: `facts_changed`
tells whoever reads the facts (the funnel's learned plans) that some months were rewritten;
kpis imports none of them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.dispatch import Signal, receiver

from crm.journal import cells_changed
from kpis.scheduling import kpis_schedule

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
